#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "faults.hpp"
#include "options.hpp"
#include "parley/http/message.hpp"
#include "sim_state.hpp"

namespace parley::sim {

/// Everything a simulated endpoint reads or changes. Owned by serve(); outlives the
/// router and the server. SimState and Faults are thread-safe; options are read-only.
struct Simulator {
  const ServeOptions& options;
  SimState& state;
  Faults& faults;
};

/// One simulated platform operation. handle() counts the request, waits --latency-ms on
/// an asio timer, lets Faults fail data calls, then answers through answer(). Subclasses
/// must be thread-safe (they only read their request and the Simulator).
class ApiEndpoint : public http::Endpoint {
 public:
  /// `data_platform`: the platform whose faults apply; nullopt for calls never faulted
  /// (the JustAnswer token).
  ApiEndpoint(Simulator& simulator, std::optional<Platform> data_platform)
      : simulator_(simulator), data_platform_(data_platform) {}

  boost::asio::awaitable<http::Response> handle(const http::Request& request) final;
  http::Response reject(const Error& error) final;
  bool is_ingest() const final { return false; }

 protected:
  /// What a request asks for, for the stats.
  struct Call {
    std::string_view name;     ///< one of call::*
    std::string conversation;  ///< "cao:12617187"; empty when the request names none
  };

  /// The call `request` makes; nullopt when the path names no simulated operation (404).
  virtual std::optional<Call> classify(const http::Request& request) const = 0;
  /// The answer when no fault applies.
  virtual http::Response answer(const http::Request& request, const Call& call) = 0;
  /// Called with every answer to `call`, faults included; for per-call counters.
  virtual void answered(const Call& /*call*/, unsigned /*status*/) {}

  Simulator& simulator_;

 private:
  http::Response respond(const http::Request& request, const std::optional<Call>& call);

  const std::optional<Platform> data_platform_;
};

/// A JSON answer `{"error":"<message>"}` with `status`.
http::Response json_error(unsigned status, std::string_view message);

/// A 200 JSON answer.
http::Response json_ok(std::string body);

/// True when the body is declared application/x-www-form-urlencoded.
bool has_form_body(const http::Request& request);

/// The credential after "Bearer " in the Authorization header; empty when absent.
std::string_view bearer_token(const http::Request& request);

/// A path segment with its %XX escapes decoded.
std::string decode_segment(std::string_view segment);

}  // namespace parley::sim
