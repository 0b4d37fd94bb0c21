#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "parley/common/error.hpp"
#include "parley/common/result.hpp"

namespace parley::http {

/// A request whose body has been read completely. Borrowed: valid only during the
/// handler call that receives it.
struct Request {
  boost::beast::http::verb method;
  std::string_view path;   ///< target before '?'
  std::string_view query;  ///< target after '?', without it; still percent-encoded
  const boost::beast::http::fields& headers;
  /// The raw body. Its capacity leaves kBodySlack bytes after size() for parsers that
  /// read past the end (simdjson's padding).
  const std::string& body;
  boost::asio::ip::address peer;
  std::chrono::steady_clock::time_point received_at;  ///< when the header was read
  /// The endpoint's check_head() found the proof in the head and it held: handle() need not
  /// verify again.
  bool verified_at_head = false;
};

/// Spare capacity after every request body.
inline constexpr std::size_t kBodySlack = 64;

/// An answer. `retry_after_seconds` > 0 adds a Retry-After header.
struct Response {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  unsigned retry_after_seconds = 0;
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

/// The answer for `error`: status and Retry-After from the one mapping in
/// http/answers.cpp, with `body` written in the caller's platform convention.
Response error_response(const Error& error, std::string body);

/// `{"error":"<message>"}` for requests no platform owns (404, 405, admin).
std::string generic_error_body(const Error& error);

/// The value of query parameter `name`, percent-decoded; empty when absent.
std::string query_parameter(std::string_view query, std::string_view name);

/// What a request's head proves before its body is read (Endpoint::check_head).
enum class HeadProof {
  verified,  ///< the proof is in the headers or the peer address, and it holds
  in_body,   ///< only the body can tell (a signature over it): not verified yet
};

/// One place a request can be sent (a route's handler). Implementations must be
/// thread-safe: handle() runs concurrently on every I/O thread.
class Endpoint {
 public:
  virtual ~Endpoint() = default;

  /// Answers a request that passed admission, limits and content-type checks.
  virtual boost::asio::awaitable<Response> handle(const Request& request) = 0;

  /// Answers a request the HTTP layer refused before handle() (limits, admission,
  /// content type, timeout), in this endpoint's platform convention.
  virtual Response reject(const Error& error) = 0;

  /// Checks what the head alone can prove, before the body is read or charged against
  /// admission: a wrong token or key is unauthorized at once; a proof over the body is
  /// in_body (admitted from the smaller budget for unverified bytes). `head.body` is empty.
  virtual Result<HeadProof, Error> check_head(const Request& head) {
    (void)head;
    return HeadProof::in_body;
  }

  /// reject() for a refusal before the request was verified (over a limit, not JSON, too
  /// slow): counted apart, since anyone can cause it.
  virtual Response reject_unverified(const Error& error) { return reject(error); }

  /// Webhook endpoints: counted against limits.max_inflight, refused while draining,
  /// need a JSON content type. Admin endpoints: none of that.
  virtual bool is_ingest() const = 0;
};

}  // namespace parley::http
