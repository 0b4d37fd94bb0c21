#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api_endpoint.hpp"
#include "echo.hpp"

namespace parley::sim {

/// What a committed write answers, and the webhooks the platform sends back after it.
struct Committed {
  http::Response answer;
  std::vector<Echo> echoes;
};

/// Applies a checked write to the simulator's state; the refusal when it cannot apply to
/// the state as it is now (a conflict), in which case nothing changed.
using Commit = std::function<Result<Committed, http::Response>()>;

/// One simulated write operation (a route of a command). handle() records the request in
/// Writes, counts it, waits --latency-ms, checks it (prepare: credentials, body), applies
/// the route's write fault if one is set, commits, answers, and sends the echo. Random
/// faults (--error-rate, /_sim/faults) never apply: they are for reads. Subclasses must be
/// thread-safe (they only read their request and the Simulator).
class WriteEndpoint : public http::Endpoint {
 public:
  WriteEndpoint(Simulator& simulator, Platform platform)
      : simulator_(simulator), platform_(platform) {}

  boost::asio::awaitable<http::Response> handle(const http::Request& request) final;
  http::Response reject(const Error& error) final;
  bool is_ingest() const final { return false; }

 protected:
  struct Call {
    std::string_view route;    ///< one of write_route::*
    std::string conversation;  ///< for stats: "cao:12617187"; empty when none yet
  };

  /// The write `request` asks for; nullopt when the path names none (404).
  virtual std::optional<Call> classify(const http::Request& request) const = 0;
  /// Checks credentials and the request: the change it makes, or the refusal.
  virtual Result<Commit, http::Response> prepare(const http::Request& request,
                                                 const Call& call) = 0;

  Simulator& simulator_;

 private:
  boost::asio::awaitable<http::Response> perform(const http::Request& request, const Call& call,
                                                 std::uint64_t id);
  http::Response fault_answer(const WriteFault& fault) const;

  const Platform platform_;
};

/// The platform's failure answer with `status`: JustAnswer {"status":false,"message":...,
/// "data":null}, CAO {"VisitId":null,...,"Status":1,"FailureDescription":...}, TalkJS
/// {"error":...}, Directly's error envelope.
http::Response write_failure(Platform platform, unsigned status, std::string_view message);

/// `{}`: what TalkJS answers its writes with.
http::Response empty_object();

}  // namespace parley::sim
