#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parley/common/result.hpp"
#include "parley/upstream/request.hpp"

namespace parley::upstream {

/// A configured base URL ("https://api.example.com/base"), split. Only these are ever
/// called: request targets are appended to base_path, never taken from event data.
struct BaseUrl {
  bool tls = true;
  std::string host;
  std::uint16_t port = 443;
  std::string base_path;  ///< without a trailing '/', possibly empty

  /// "https://host:port/base" for logs.
  std::string to_string() const;
};

/// Parses "http(s)://host[:port][/path]"; the error names what is wrong.
Result<BaseUrl, std::string> parse_base_url(std::string_view url);

/// Why send() brought back no usable answer.
struct SendError {
  enum class Kind {
    refused,     ///< parley would not send it (unsendable()): nothing was written
    unreached,   ///< resolve, connect or TLS handshake failed: nothing was written
    unanswered,  ///< written (or partly) and no whole answer that fits it came back: the
                 ///< server may have acted on it
  };
  Kind kind = Kind::unanswered;
  std::string message;
};

struct HttpResponse {
  unsigned status = 0;
  std::string body;
  std::string retry_after;  ///< the Retry-After header, verbatim; empty when absent
};

struct HttpClientOptions {
  BaseUrl base;
  std::chrono::milliseconds connect_timeout{2000};
  std::chrono::milliseconds request_timeout{5000};  ///< write + read of one exchange
  std::size_t max_connections = 16;                 ///< concurrent requests to this upstream
  std::size_t max_idle = 16;                        ///< keep-alive connections kept for reuse
  std::size_t max_response_bytes = std::size_t{8} * 1024 * 1024;
};

/// A keep-alive connection pool to one upstream base URL, HTTP/1.1, plain or TLS.
/// TLS verifies the peer's certificate and host name against `tls_context` (built by
/// make_tls_client_context). At most max_connections requests are in flight; more wait.
///
/// Not thread-safe: create it on a strand and call send() only from coroutines running
/// on that strand. The strand's executor must outlive the client.
class HttpClient {
 public:
  HttpClient(const boost::asio::any_io_executor& executor, HttpClientOptions options,
             std::shared_ptr<boost::asio::ssl::context> tls_context);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// One exchange. An error (its message naming the step: the request refused, resolve,
  /// connect, TLS handshake, write, read, timeout, response too large or followed by bytes
  /// no request asked for) means no usable answer arrived, and its kind says whether the
  /// request may have reached the server; any HTTP status is a success here and is the
  /// caller's to judge. A connection is reused only after an answer read completely and
  /// nothing after it. A keep-alive connection found dead after the request was written is
  /// replaced, and the request sent again, only when `request.replay_safe`. `request` is
  /// borrowed until the returned awaitable completes: keep it in a named variable (GCC 12
  /// mishandles temporaries passed to coroutines).
  boost::asio::awaitable<Result<HttpResponse, SendError>> send(const HttpRequest& request);

  const BaseUrl& base() const { return options_.base; }
  std::size_t idle_connections() const;
  std::size_t active_requests() const;

  struct Pool;

 private:
  HttpClientOptions options_;
  std::unique_ptr<Pool> pool_;
};

/// A TLS client context verifying peers against the system's trust store (and
/// `extra_ca_file` when non-empty, for private CAs and tests). Throws at start-up only.
std::shared_ptr<boost::asio::ssl::context> make_tls_client_context(
    const std::string& extra_ca_file = {});

}  // namespace parley::upstream
