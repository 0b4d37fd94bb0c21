#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace parley::testing {

/// A response as the client saw it.
struct HttpAnswer {
  unsigned status = 0;
  boost::beast::http::fields headers;
  std::string body;
  bool keep_alive = false;
};

/// A blocking TCP connection to 127.0.0.1:`port` as a plain descriptor (the caller closes it),
/// for tests that write raw bytes or hold connections open; -1 when it cannot connect.
int connect_loopback(std::uint16_t port);

/// A blocking HTTP/1.1 client on one keep-alive connection, for tests. Every call has
/// a deadline so a hung server fails the test instead of hanging it.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port,
                      std::chrono::milliseconds timeout = std::chrono::seconds(15));

  /// Sends one request and reads the answer; throws on connection errors or timeout.
  HttpAnswer request(boost::beast::http::verb method, const std::string& target,
                     const std::string& body = {},
                     const std::vector<std::pair<std::string, std::string>>& headers = {
                         {"Content-Type", "application/json"}});

  /// POSTs a JSON body.
  HttpAnswer post(const std::string& target, const std::string& body,
                  std::vector<std::pair<std::string, std::string>> headers = {});
  HttpAnswer get(const std::string& target);

  /// Writes raw bytes on the connection (for malformed or partial requests).
  void send_raw(const std::string& bytes);
  /// Reads one answer; nullopt when the server closed the connection instead.
  std::optional<HttpAnswer> read_answer();
  /// True when the server closed the connection (reads EOF) within the timeout.
  bool closed_by_server();

 private:
  void connect();
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::uint16_t port_;
  std::chrono::milliseconds timeout_;
  std::string buffer_;
  /// The request the next answer answers (checked against docs/openapi.yaml when this port
  /// is a parley's): method and target, both empty for bytes that were no request line.
  struct Asked {
    std::string method;
    std::string target;
  };
  std::optional<Asked> asked_;
};

}  // namespace parley::testing
