#include "parley/http/server.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <limits>
#include <string>
#include <variant>

#include "parley/http/errors.hpp"
#include "parley/log/log.hpp"

namespace parley::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
constexpr auto kAsTuple = asio::as_tuple(asio::use_awaitable);

struct Server::Connection {
  Connection(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls)
      : stream(std::in_place_index<0>, std::move(socket)), tls_context(std::move(tls)) {
    if (tls_context) {
      auto plain = std::move(std::get<0>(stream));
      stream.emplace<1>(std::move(plain), *tls_context);
    }
  }
  beast::tcp_stream& lowest() {
    return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
                      stream);
  }
  std::variant<beast::tcp_stream, beast::ssl_stream<beast::tcp_stream>> stream;
  std::shared_ptr<asio::ssl::context> tls_context;  // the one this connection started with
  beast::flat_buffer buffer;
  asio::ip::address peer;
  bool idle = false;  // waiting for the next request; touched only on the strand
};

namespace {

using Parser = bhttp::request_parser<bhttp::string_body>;

bool is_json_media_type(std::string_view content_type) {
  auto media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ')
    media.remove_suffix(1);
  while (!media.empty() && media.front() == ' ')
    media.remove_prefix(1);
  if (beast::iequals(media, "application/json") || beast::iequals(media, "text/json")) return true;
  return media.size() > 5 && beast::iequals(media.substr(media.size() - 5), "+json");
}

std::optional<Error> check_before_body(const Parser& parser, bool needs_json,
                                       const ServerOptions& options) {
  const auto length = parser.content_length();
  if (length && *length > options.max_body_bytes) {
    return Error{http::Errc::payload_too_large, "body of " + std::to_string(*length) +
                                                    " bytes is over limits.max_body_bytes (" +
                                                    std::to_string(options.max_body_bytes) + ")"};
  }
  if (!needs_json) return std::nullopt;
  const auto content_type = parser.get()[bhttp::field::content_type];
  if (content_type.empty()) {
    return Error{http::Errc::unsupported_media_type,
                 "Content-Type header is missing; send application/json"};
  }
  if (!is_json_media_type(content_type)) {
    return Error{http::Errc::unsupported_media_type,
                 "Content-Type must be application/json, got '" + std::string(content_type) + "'"};
  }
  return std::nullopt;
}

Error body_read_error(const beast::error_code& ec, const ServerOptions& options) {
  if (ec == bhttp::error::body_limit) {
    return Error{http::Errc::payload_too_large, "body is over limits.max_body_bytes (" +
                                                    std::to_string(options.max_body_bytes) + ")"};
  }
  if (ec == beast::error::timeout) {
    return Error{http::Errc::request_timeout, "body not received within limits.read_timeout_ms (" +
                                                  std::to_string(options.read_timeout.count()) +
                                                  " ms)"};
  }
  return Error{http::Errc::malformed, "malformed request body: " + ec.message()};
}

// The answer's bytes in one buffer, written in one call: Beast's serializer would allocate
// every header field and walk a buffer sequence of them (benchmarks/RESULTS.md). Every name
// and value here is parley's own, never a client's, so none carries CR or LF.
std::string serialize(const Response& response, unsigned version, bool keep_alive) {
  const auto status = static_cast<bhttp::status>(response.status);
  std::string out;
  out.reserve(128 + response.body.size());
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  out.append(std::to_string(response.status)).append(" ");
  out.append(bhttp::obsolete_reason(status));
  out.append("\r\nServer: parley\r\nContent-Type: ").append(response.content_type);
  if (response.retry_after_seconds > 0) {
    out.append("\r\nRetry-After: ").append(std::to_string(response.retry_after_seconds));
  }
  for (const auto& [name, value] : response.extra_headers)
    out.append("\r\n").append(name).append(": ").append(value);
  // HTTP/1.1 keeps the connection unless told; HTTP/1.0 closes it unless told.
  if (version == 10 && keep_alive) out.append("\r\nConnection: keep-alive");
  if (version != 10 && !keep_alive) out.append("\r\nConnection: close");
  out.append("\r\nContent-Length: ").append(std::to_string(response.body.size()));
  out.append("\r\n\r\n").append(response.body);
  return out;
}

template <class Stream>
asio::awaitable<bool> write_response(Stream& stream, const Response& response, unsigned version,
                                     bool keep_alive, std::chrono::milliseconds timeout) {
  const std::string bytes = serialize(response, version, keep_alive);
  beast::get_lowest_layer(stream).expires_after(timeout);
  const auto [ec, written] = co_await asio::async_write(stream, asio::buffer(bytes), kAsTuple);
  co_return !ec && keep_alive;
}

// Closing with unread request bytes makes the kernel send a reset, which can destroy the
// answer just written (a 413 or 429 the client never sees). Read and drop what is left,
// briefly and boundedly, until the client closes its side.
asio::awaitable<void> discard_unread_input(beast::tcp_stream& stream) {
  constexpr std::size_t kMaxDiscardBytes = std::size_t{64} * 1024;
  stream.expires_after(std::chrono::seconds(1));
  std::array<char, 4096> scratch;
  for (std::size_t discarded = 0; discarded < kMaxDiscardBytes;) {
    const auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kAsTuple);
    if (ec) break;
    discarded += n;
  }
}

}  // namespace

Server::Server(asio::io_context& io, ServerOptions options, const Router& router,
               Admission* admission)
    : io_(io),
      options_(std::move(options)),
      router_(router),
      admission_(admission),
      acceptor_(asio::make_strand(io)) {}

Server::~Server() = default;

Result<tcp::endpoint, std::string> Server::start(const std::string& host, std::uint16_t port) {
  const auto where = options_.name + " listener " + host + ":" + std::to_string(port);
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return where + ": not an IP address";
  const tcp::endpoint endpoint(address, port);
  if (acceptor_.open(endpoint.protocol(), ec); ec) return where + ": " + ec.message();
  if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec); ec) {
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

asio::awaitable<void> Server::accept_loop() {
  asio::steady_timer backoff(acceptor_.get_executor());
  while (!closing_.load()) {
    auto [ec, accepted] = co_await acceptor_.async_accept(next_connection_executor(), kAsTuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      // Typically EMFILE: give in-flight requests a moment to release descriptors.
      log::warn("accept failed", {{"listener", options_.name}, {"error", ec.message()}});
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(kAsTuple);
      continue;
    }
    try {
      start_connection(tcp::socket(std::move(accepted)));
    } catch (const std::exception& e) {
      // One connection failing to start (SSL_new, memory) must not stop the listener.
      log::error("connection not started", {{"listener", options_.name}, {"error", e.what()}});
    }
  }
}

asio::any_io_executor Server::next_connection_executor() {
  const auto& contexts = options_.connection_contexts;
  if (contexts.empty()) return asio::make_strand(io_);
  return contexts[next_context_++ % contexts.size()]->get_executor();
}

void Server::start_connection(tcp::socket socket) {
  auto connection = std::make_shared<Connection>(
      std::move(socket), options_.tls ? options_.tls->context_for_new_connection() : nullptr);
  {
    std::lock_guard lock(connections_mutex_);
    connections_.insert(connection);
  }
  asio::co_spawn(connection->lowest().get_executor(), serve(connection),
                 [this, connection](const std::exception_ptr& failure) {
                   if (failure) log::error("connection failed", {{"listener", options_.name}});
                   forget(connection);
                 });
}

asio::awaitable<void> Server::serve(std::shared_ptr<Connection> connection) {
  beast::error_code ec;
  connection->peer = connection->lowest().socket().remote_endpoint(ec).address();
  co_await std::visit(
      [this, &connection](auto& stream) { return serve_stream(*connection, stream); },
      connection->stream);
}

template <class Stream>
asio::awaitable<void> Server::serve_stream(Connection& connection, Stream& stream) {
  constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;
  if constexpr (kTls) {
    connection.lowest().expires_after(options_.read_timeout);
    const auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kAsTuple);
    if (ec) co_return;  // not TLS, wrong version, or too slow: nothing to answer
  }
  while (!closing_.load() && co_await serve_one(connection, stream)) {
  }
  if constexpr (kTls) {
    // The peer's close_notify is a courtesy: never let it hold a drain for long.
    connection.lowest().expires_after(
        std::min<std::chrono::milliseconds>(options_.read_timeout, std::chrono::seconds(1)));
    co_await stream.async_shutdown(kAsTuple);
  } else {
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    co_await discard_unread_input(stream);
  }
}

namespace {

// No exception is expected from a handler, but a library can throw: the request still
// gets an answer (500 naming it, counted as outcome "internal") and the connection and
// the process carry on.
asio::awaitable<Response> handle_guarded(Endpoint& endpoint, const Request& request) {
  std::string failure;
  try {
    co_return co_await endpoint.handle(request);
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "an exception that is not a std::exception";
  }
  log::error("request handler threw; answered 500", {{"path", request.path}, {"error", failure}});
  co_return endpoint.reject(
      Error{http::Errc::internal, "internal error while handling the request: " + failure});
}

}  // namespace

template <class Stream>

asio::awaitable<bool> Server::serve_one(Connection& connection, Stream& stream) {
  Parser parser;
  parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // checked per endpoint below
  connection.lowest().expires_after(options_.read_timeout);
  connection.idle = true;
  const auto [read_ec, header_bytes] =
      co_await bhttp::async_read_header(stream, connection.buffer, parser, kAsTuple);
  connection.idle = false;
  if (read_ec) {
    // An idle keep-alive connection timing out is normal; a half-sent header is not.
    if (read_ec == beast::error::timeout && connection.buffer.size() > 0) {
      count_unrouted("header_timeout");
    }
    if (read_ec == bhttp::error::header_limit) {
      count_unrouted("header_too_large");
      const Error error{http::Errc::header_too_large,
                        "request line and headers are over limits.max_header_bytes (" +
                            std::to_string(options_.max_header_bytes) + ")"};
      co_await write_response(stream, error_response(error, generic_error_body(error)), 11, false,
                              options_.read_timeout);
    } else if (read_ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
               read_ec != bhttp::error::end_of_stream && read_ec != bhttp::error::partial_message) {
      count_unrouted("malformed");
      const Error error{http::Errc::malformed, "malformed HTTP request: " + read_ec.message()};
      co_await write_response(stream, error_response(error, generic_error_body(error)), 11, false,
                              options_.read_timeout);
    }
    co_return false;
  }
  const auto received_at = std::chrono::steady_clock::now();
  auto& head = parser.get();
  const unsigned version = head.version();
  const std::string_view target = head.target();
  const auto question = target.find('?');
  const auto path = target.substr(0, question);
  const auto query =
      question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);

  auto answer = [&](const Response& response, bool keep_alive) {
    return write_response(stream, response, version,
                          keep_alive && parser.keep_alive() && !closing_.load(),
                          options_.read_timeout);
  };

  auto routed = router_.find(head.method(), path);
  if (!routed) {
    count_unrouted(routed.error().code == http::Errc::not_found ? "not_found"
                                                                : "method_not_allowed");
    auto response = error_response(routed.error(), generic_error_body(routed.error()));
    if (routed.error().code == http::Errc::method_not_allowed) {
      response.extra_headers.emplace_back("Allow", router_.allowed_methods(path));
    }
    co_return co_await answer(response, parser.is_done());
  }
  Endpoint& endpoint = *routed.value();
  const bool ingest = endpoint.is_ingest() && admission_ != nullptr;

  std::optional<Admission::Ticket> ticket;
  if (ingest) {
    // A chunked body may grow to the limit, so it is charged as that much.
    const auto body_bytes = std::min<std::uint64_t>(
        parser.content_length().value_or(options_.max_body_bytes), options_.max_body_bytes);
    auto admitted = admission_->admit(static_cast<std::size_t>(body_bytes));
    if (!admitted) co_return co_await answer(endpoint.reject(admitted.error()), false);
    ticket.emplace(std::move(admitted).value());
  }
  // A DELETE names its target in the path and carries no body to type.
  const bool needs_json = ingest && head.method() != bhttp::verb::delete_;
  if (auto refused = check_before_body(parser, needs_json, options_)) {
    co_return co_await answer(endpoint.reject(*refused), false);
  }

  if (beast::iequals(head[bhttp::field::expect], "100-continue")) {
    bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, version};
    connection.lowest().expires_after(options_.read_timeout);
    const auto [ec, n] = co_await bhttp::async_write(stream, proceed, kAsTuple);
    if (ec) co_return false;
  }
  head.body().reserve(parser.content_length().value_or(0) + kBodySlack);
  parser.body_limit(options_.max_body_bytes);
  connection.lowest().expires_after(options_.read_timeout);
  const auto [body_ec, body_bytes] =
      co_await bhttp::async_read(stream, connection.buffer, parser, kAsTuple);
  if (body_ec) {
    if (body_ec == beast::error::timeout) {
      // Beast has closed the socket already: the slow client gets no answer, but the
      // refusal is still counted.
      endpoint.reject(body_read_error(body_ec, options_));
      co_return false;
    }
    if (body_ec == bhttp::error::end_of_stream || body_ec == asio::error::operation_aborted) {
      co_return false;
    }
    co_return co_await answer(endpoint.reject(body_read_error(body_ec, options_)), false);
  }
  auto& body = head.body();
  if (body.capacity() < body.size() + kBodySlack) body.reserve(body.size() + kBodySlack);

  const Request request{.method = head.method(),
                        .path = path,
                        .query = query,
                        .headers = head,
                        .body = body,
                        .peer = connection.peer,
                        .received_at = received_at};
  const Response response = co_await handle_guarded(endpoint, request);
  ticket.reset();  // answered: no longer in flight, even while the bytes are on their way
  co_return co_await answer(response, true);
}

void Server::count_unrouted(std::string_view reason) const {
  if (options_.on_unrouted_refusal) options_.on_unrouted_refusal(reason);
}

void Server::shutdown() {
  closing_.store(true);
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
  std::lock_guard lock(connections_mutex_);
  for (const auto& connection : connections_) {
    asio::post(connection->lowest().get_executor(), [connection] {
      if (connection->idle) connection->lowest().cancel();
    });
  }
}

void Server::forget(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(connections_mutex_);
  connections_.erase(connection);
  if (connections_.empty()) connections_closed_.notify_all();
}

bool Server::wait_closed(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(connections_mutex_);
  return connections_closed_.wait_until(lock, deadline, [this] { return connections_.empty(); });
}

}  // namespace parley::http
