#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "echo.hpp"
#include "faults.hpp"
#include "options.hpp"
#include "parley/http/message.hpp"
#include "sim_state.hpp"
#include "writes.hpp"

namespace parley::sim {

/// Everything a simulated endpoint reads or changes. Owned by serve(); outlives the
/// router, the server and the io_context. SimState, Faults, Writes and Echoes are
/// thread-safe; options are read-only.
struct Simulator {
  const ServeOptions& options;
  SimState& state;
  Faults& faults;
  Writes& writes;
  Echoes& echoes;
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

/// Credentials the simulated APIs check, shared by their read and write routes; each gives
/// the refusal (in the platform's error shape) or nullopt when the request may proceed.
/// JustAnswer: a valid bearer token from /connect/token, X-Api-Key and UserIdToken.
std::optional<http::Response> refuse_justanswer(Simulator& simulator, const http::Request& request);
/// CAO: Basic <API key> (as the seed sends it, or base64 "key:" / "key"), Accept version=2.
std::optional<http::Response> refuse_cao(Simulator& simulator, const http::Request& request);
/// TalkJS: Bearer <secret key> and the configured appId.
std::optional<http::Response> refuse_talkjs(Simulator& simulator, const http::Request& request,
                                            std::string_view app);
/// Directly: a valid bearer token from /oauth/token.
std::optional<http::Response> refuse_directly(Simulator& simulator, const http::Request& request);

/// The unix time now, in seconds and in milliseconds.
std::int64_t unix_seconds_now();
std::int64_t unix_millis_now();

}  // namespace parley::sim
