#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::upstream {

struct BaseUrl;  // http_client.hpp

/// One request to an upstream API, built by a platform's client from its config and from
/// values of events (or commands); nothing of it reaches the wire before unsendable() said
/// every part is safe.
struct HttpRequest {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  /// Path and query after the base path, starting with '/': printable ASCII only, every
  /// value from an event percent-encoded (encode_path_segment).
  std::string target;
  /// Names are tokens; values carry no CR, LF, NUL or other control character (tab aside).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// The caller says sending it twice is harmless (a GET, a token request): a keep-alive
  /// connection found dead after it was written is then replaced and the request sent
  /// again once. Never for a call that changes something on the platform.
  bool replay_safe = false;
};

/// Percent-encodes one path segment, so an id from an event can never change the path
/// (no "/", "..", "?" or "#" survive).
std::string encode_path_segment(std::string_view segment);

/// Why `request` cannot go on the wire as it is (a target that is not printable ASCII, a
/// header name that is not a token or is one of the framing headers the client sets, a
/// header value with a control character that could end a header or the request), naming
/// the header and the byte; nullopt when every part is
/// safe to send. Pure.
std::optional<std::string> unsendable(const HttpRequest& request);

/// The HTTP/1.1 request for `request` against `host_header` and `base_path` (the base URL's
/// host[:port] and path): Host, User-Agent, the request's headers, keep-alive, and a
/// Content-Length for a body or a POST. Call only for a request unsendable() accepts. Pure.
boost::beast::http::request<boost::beast::http::string_body> build_request(
    const HttpRequest& request, const std::string& host_header, const std::string& base_path);

}  // namespace parley::upstream
