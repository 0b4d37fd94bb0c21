#include "sim_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "parley/http/errors.hpp"
#include "parley/log/log.hpp"

namespace parley::sim {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

struct SimServer::Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  asio::ip::address peer;
  // Waiting for the next request: what shutdown() may close. Read from other threads.
  std::atomic<bool> idle{true};
};

namespace {

constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kMaxHeaderBytes = 16384;
constexpr std::size_t kMaxBodyBytes = 1048576;
// As http::Server's read_timeout: an idle keep-alive connection and a slow request alike.
constexpr auto kReadTimeout = std::chrono::seconds(10);

using Parser = bhttp::request_parser<bhttp::string_body>;

std::string serialize(const http::Response& response, unsigned version, bool keep_alive) {
  std::string out;
  out.reserve(128 + response.body.size());
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  out.append(std::to_string(response.status)).append(" ");
  out.append(bhttp::obsolete_reason(static_cast<bhttp::status>(response.status)));
  out.append("\r\nServer: parley-sim\r\nContent-Type: ").append(response.content_type);
  if (response.retry_after_seconds > 0) {
    out.append("\r\nRetry-After: ").append(std::to_string(response.retry_after_seconds));
  }
  for (const auto& [name, value] : response.extra_headers)
    out.append("\r\n").append(name).append(": ").append(value);
  if (version == 10 && keep_alive) out.append("\r\nConnection: keep-alive");
  if (version != 10 && !keep_alive) out.append("\r\nConnection: close");
  out.append("\r\nContent-Length: ").append(std::to_string(response.body.size()));
  out.append("\r\n\r\n").append(response.body);
  return out;
}

http::Response refusal(http::Errc code, std::string message) {
  const Error error{code, std::move(message)};
  return http::error_response(error, http::generic_error_body(error));
}

// As http::Server: a library exception still gets an answer, and the listener carries on.
asio::awaitable<http::Response> handle_guarded(http::Endpoint& endpoint,
                                               const http::Request& request) {
  std::string failure;
  try {
    co_return co_await endpoint.handle(request);
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "an exception that is not a std::exception";
  }
  log::error("request handler threw; answered 500", {{"path", request.path}, {"error", failure}});
  co_return endpoint.reject(Error{http::Errc::internal, "internal error: " + failure});
}

asio::awaitable<bool> write(SimServer::Connection& connection, const http::Response& response,
                            unsigned version, bool keep_alive) {
  const auto bytes = serialize(response, version, keep_alive);
  connection.stream.expires_after(kReadTimeout);
  const auto [ec, n] = co_await asio::async_write(connection.stream, asio::buffer(bytes), kAsTuple);
  co_return !ec && keep_alive;
}

}  // namespace

SimServer::SimServer(asio::io_context& io, const http::Router& router)
    : io_(io), router_(router), acceptor_(asio::make_strand(io)) {}

SimServer::~SimServer() = default;

Result<tcp::endpoint, std::string> SimServer::start(const std::string& host, std::uint16_t port) {
  const auto where = "sim listener " + host + ":" + std::to_string(port);
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return where + ": not an IP address";
  const tcp::endpoint endpoint(address, port);
  if (acceptor_.open(endpoint.protocol(), ec); ec) return where + ": " + ec.message();
  if (acceptor_.set_option(tcp::acceptor::reuse_address(true), ec); ec) {
    return where + ": " + ec.message();
  }
  if (acceptor_.bind(endpoint, ec); ec) return where + ": " + ec.message();
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) {
    return where + ": " + ec.message();
  }
  const auto bound = acceptor_.local_endpoint(ec);
  if (ec) return where + ": " + ec.message();
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
  return bound;
}

asio::awaitable<void> SimServer::accept_loop() {
  while (!closing_.load()) {
    auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(io_), kAsTuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) continue;  // the peer gave up before accept: nothing to serve
    auto connection = std::make_shared<Connection>(std::move(socket));
    {
      std::lock_guard lock(mutex_);
      connections_.insert(connection);
    }
    asio::co_spawn(connection->stream.get_executor(), serve(connection),
                   [this, connection](const std::exception_ptr&) { forget(connection); });
  }
}

asio::awaitable<void> SimServer::serve(std::shared_ptr<Connection> connection) {
  beast::error_code ec;
  connection->peer = connection->stream.socket().remote_endpoint(ec).address();
  while (!closing_.load() && co_await serve_one(*connection)) {
  }
  connection->stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  connection->stream.close();
}

// One request: head, body, route, handler, answer. True when the connection stays open.
asio::awaitable<bool> SimServer::serve_one(Connection& connection) {
  Parser parser;
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(kMaxBodyBytes);
  connection.idle.store(true);
  connection.stream.expires_after(kReadTimeout);
  auto [head_ec, head_bytes] =
      co_await bhttp::async_read_header(connection.stream, connection.buffer, parser, kAsTuple);
  connection.idle.store(false);
  // As http::Server: a connection closing between requests is normal, a bad head is not.
  const bool malformed =
      head_ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
      head_ec != bhttp::error::end_of_stream && head_ec != bhttp::error::partial_message;
  if (malformed) {
    co_await write(connection, refusal(http::Errc::malformed, head_ec.message()), 11, false);
    co_return false;
  }
  if (head_ec) co_return false;  // closed, timed out, or nothing an answer could help
  auto& head = parser.get();
  const unsigned version = head.version();
  if (beast::iequals(head[bhttp::field::expect], "100-continue")) {
    constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    const auto [ec, n] =
        co_await asio::async_write(connection.stream, asio::buffer(kContinue), kAsTuple);
    if (ec) co_return false;
  }
  connection.stream.expires_after(kReadTimeout);
  auto [body_ec, body_bytes] =
      co_await bhttp::async_read(connection.stream, connection.buffer, parser, kAsTuple);
  if (body_ec == bhttp::error::body_limit) {
    co_await write(connection, refusal(http::Errc::payload_too_large, "body is over 1 MiB"),
                   version, false);
    co_return false;
  }
  if (body_ec) co_return false;
  connection.stream.expires_never();  // a handler may take long on purpose (latency, faults)

  const std::string_view target = head.target();
  const auto question = target.find('?');
  const auto path = target.substr(0, question);
  const auto query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  auto& body = head.body();
  body.reserve(body.size() + http::kBodySlack);  // simdjson reads past the end
  const http::Request request{.method = head.method(),
                              .path = path,
                              .query = query,
                              .headers = head,
                              .body = body,
                              .peer = connection.peer,
                              .received_at = std::chrono::steady_clock::now()};
  http::Response response;
  if (auto routed = router_.find(head.method(), path); !routed) {
    response = http::error_response(routed.error(), http::generic_error_body(routed.error()));
    if (routed.error().code == http::Errc::method_not_allowed) {
      response.extra_headers.emplace_back("Allow", router_.allowed_methods(path));
    }
  } else {
    response = co_await handle_guarded(*routed.value(), request);
  }
  if (response.status == kNoAnswer) co_return false;
  co_return co_await write(connection, response, version, parser.keep_alive() && !closing_.load());
}

void SimServer::shutdown() {
  closing_.store(true);
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  std::lock_guard lock(mutex_);
  for (const auto& connection : connections_) {
    // On the connection's strand its coroutine is suspended: idle means in the head read.
    asio::post(connection->stream.get_executor(), [connection] {
      if (connection->idle.load()) connection->stream.cancel();
    });
  }
}

bool SimServer::wait_closed(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return closed_.wait_until(lock, deadline, [this] { return connections_.empty(); });
}

void SimServer::forget(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mutex_);
  connections_.erase(connection);
  if (connections_.empty()) closed_.notify_all();
}

}  // namespace parley::sim
