#include "parley/http/server.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
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

#include "parley/common/await.hpp"
#include "parley/http/errors.hpp"
#include "parley/log/log.hpp"

namespace parley::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

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
  // What the connection is doing, for the closers on other threads (hence atomic):
  // shutdown() closes the idle ones; the accept loop at max_connections closes the oldest
  // that is idle or unverified, so connections nobody proved anything on can never hold
  // the limit against verified webhooks.
  enum class Phase : std::uint8_t {
    working,     // a verified (or not yet routed) request: never closed to make room
    idle,        // waiting for the next request (or the first), or lingering after the last
    unverified,  // reading a body nothing verified yet: its proof, if any, is in it
  };
  void enter(Phase next) {
    phase_since.store(std::chrono::steady_clock::now().time_since_epoch().count());
    phase.store(next);
  }
  std::atomic<Phase> phase{Phase::working};
  std::atomic<std::int64_t> phase_since{0};  // steady_clock ticks
  bool unread_input = false;                 // answered before the whole request was read
  // Emitted (terminal) by cancel(): ends whatever the connection's coroutine awaits.
  asio::cancellation_signal cancelled;
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

}  // namespace

Server::Server(asio::io_context& io, ServerOptions options, const Router& router,
               Admission* admission)
    : io_(io),
      options_(std::move(options)),
      router_(router),
      admission_(admission),
      acceptor_(asio::make_strand(io)),
      room_(acceptor_.get_executor()) {}

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
    if (open_connections() >= options_.max_connections) {
      co_await wait_for_room();
      continue;
    }
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

asio::awaitable<void> Server::wait_for_room() {
  {
    std::lock_guard lock(connections_mutex_);
    std::shared_ptr<Connection> oldest;
    for (const auto& connection : connections_) {
      if (connection->phase.load() != Connection::Phase::working &&
          (!oldest || connection->phase_since.load() < oldest->phase_since.load())) {
        oldest = connection;
      }
    }
    if (oldest) {
      oldest->phase.store(Connection::Phase::working);  // not picked twice
      // On the connection's own executor, so it cannot interleave with the connection: closed
      // only if it has not moved on since it was picked (a head read into a verified request).
      asio::post(oldest->lowest().get_executor(),
                 [oldest, picked_since = oldest->phase_since.load()] {
                   if (oldest->phase_since.load() == picked_since) oldest->lowest().cancel();
                 });
    }
  }
  waiting_for_room_.store(true);
  room_.expires_after(std::chrono::seconds(1));
  if (open_connections() >= options_.max_connections) co_await room_.async_wait(kAsTuple);
  waiting_for_room_.store(false);
}

std::size_t Server::open_connections() {
  std::lock_guard lock(connections_mutex_);
  return connections_.size();
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
  asio::co_spawn(
      connection->lowest().get_executor(), serve(connection),
      asio::bind_cancellation_slot(
          connection->cancelled.slot(), [this, connection](const std::exception_ptr& failure) {
            if (failure) log::error("connection failed", {{"listener", options_.name}});
            forget(connection);
          }));
}

asio::awaitable<void> Server::serve(std::shared_ptr<Connection> connection) {
  // A cancelled operation reports operation_aborted like any other error, so the steps
  // after it (a 503 for the handler's refusal) still run.
  co_await asio::this_coro::throw_if_cancelled(false);
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
  co_await linger(connection, stream);
  if constexpr (kTls) {
    // The peer's close_notify is a courtesy: never let it hold a drain for long.
    connection.lowest().expires_after(
        std::min<std::chrono::milliseconds>(options_.read_timeout, std::chrono::seconds(1)));
    co_await stream.async_shutdown(kAsTuple);
  }
}

// Closing with unread request bytes makes the kernel send a reset, which can destroy the
// answer just written: a sender that writes its whole body before reading (413 before the
// body) would see a broken pipe and retry what can never succeed. So, as nginx does, the
// write side is half-closed (plain TCP: the client reads the answer, then EOF) and what the
// client still sends is read and dropped until it closes, for at most lingering_close and
// for at most max_lingering_connections connections at once. Over TLS the half-close is
// the close_notify sent afterwards: the bytes are read through the TLS stream first.
template <class Stream>
asio::awaitable<void> Server::linger(Connection& connection, Stream& stream) {
  if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }
  const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() != asio::cancellation_type::none || !connection.unread_input ||
      options_.lingering_close.count() <= 0) {
    co_return;
  }
  if (lingering_.fetch_add(1) >= options_.max_lingering_connections) {
    lingering_.fetch_sub(1);
    co_return;
  }
  connection.enter(Connection::Phase::idle);
  connection.lowest().expires_after(options_.lingering_close);
  std::array<char, 16384> scratch;
  for (;;) {
    if (connection.buffer.size() > 0) {  // read ahead with the last request's head
      connection.buffer.consume(connection.buffer.size());
      continue;
    }
    const auto [ec, n] = co_await stream.async_read_some(asio::buffer(scratch), kAsTuple);
    if (ec) break;
  }
  connection.enter(Connection::Phase::working);
  lingering_.fetch_sub(1);
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

// The refusal to answer for a head that could not be read, if any: an idle keep-alive
// connection timing out or closing is normal and gets none.
std::optional<std::pair<std::string_view, Error>> head_refusal(const beast::error_code& ec,
                                                               const ServerOptions& options) {
  if (ec == bhttp::error::header_limit) {
    return std::pair{std::string_view("header_too_large"),
                     Error{http::Errc::header_too_large,
                           "request line and headers are over limits.max_header_bytes (" +
                               std::to_string(options.max_header_bytes) + ")"}};
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
      ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
    return std::pair{std::string_view("malformed"),
                     Error{http::Errc::malformed, "malformed HTTP request: " + ec.message()}};
  }
  return std::nullopt;
}

// RFC 9112 framing the parser leaves to us: a request's Transfer-Encoding must end in
// chunked (§6.3: anything else cannot be framed, and a proxy may frame it differently), and
// an HTTP/1.1 request carries exactly one Host (§3.2).
std::optional<Error> framing_refusal(const bhttp::request_header<>& head) {
  std::string_view last_coding;
  std::size_t encodings = 0;
  for (const auto& field : head) {
    if (field.name() != bhttp::field::transfer_encoding) continue;
    ++encodings;
    std::string_view value = field.value();
    const auto comma = value.rfind(',');
    last_coding = comma == std::string_view::npos ? value : value.substr(comma + 1);
  }
  while (!last_coding.empty() && (last_coding.front() == ' ' || last_coding.front() == '\t'))
    last_coding.remove_prefix(1);
  while (!last_coding.empty() && (last_coding.back() == ' ' || last_coding.back() == '\t'))
    last_coding.remove_suffix(1);
  if (encodings > 0 && !beast::iequals(last_coding, "chunked")) {
    return Error{http::Errc::malformed,
                 "Transfer-Encoding: the final coding must be chunked (RFC 9112 section 6.3)"};
  }
  if (head.version() >= 11) {
    const auto hosts = head.count(bhttp::field::host);
    if (hosts != 1) {
      return Error{http::Errc::malformed,
                   "Host: an HTTP/1.1 request needs exactly one Host header (got " +
                       std::to_string(hosts) + ")"};
    }
  }
  return std::nullopt;
}

// The path and query of a request target: origin-form ("/p?q"), or absolute-form
// ("http://host/p?q", which a proxy may send) reduced to it.
std::pair<std::string_view, std::string_view> path_and_query(std::string_view target) {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (target.size() > scheme.size() && beast::iequals(target.substr(0, scheme.size()), scheme)) {
      const auto path_start = target.find_first_of("/?", scheme.size());
      target =
          path_start == std::string_view::npos ? std::string_view("/") : target.substr(path_start);
      break;
    }
  }
  const auto question = target.find('?');
  if (question == std::string_view::npos) return {target, {}};
  return {target.substr(0, question), target.substr(question + 1)};
}

// The endpoint's answer to a refusal by the HTTP layer, counted apart before verification.
Response refusal(Endpoint& endpoint, bool verified, const Error& error) {
  return verified ? endpoint.reject(error) : endpoint.reject_unverified(error);
}

// The in-flight charge of a request's body: its declared length, or for a chunked body
// the most it may grow to.
std::size_t admission_charge(const Parser& parser, const ServerOptions& options) {
  return static_cast<std::size_t>(std::min<std::uint64_t>(
      parser.content_length().value_or(options.max_body_bytes), options.max_body_bytes));
}

// What the head of a request decided before its body: admitted (verified from the head,
// or not yet, with its admission ticket), or refused with the answer to give.
struct HeadAdmission {
  std::optional<Response> refused;
  bool unproven = false;  // refused for its proof, not for load
  bool verified = true;
  std::optional<Admission::Ticket> ticket;
};

// Verified from the head where its proof is there, before the body is read or charged: a
// request with a wrong token costs one header read. Refusals of what is not verified yet are
// counted apart (reject_unverified), and its body is charged to the smaller budget for
// unverified bytes.
HeadAdmission admit_head(Endpoint& endpoint, Admission& admission, const Parser& parser,
                         const ServerOptions& options, const Request& head) {
  const auto proof = endpoint.check_head(head);
  if (!proof) return HeadAdmission{.refused = endpoint.reject(proof.error()), .unproven = true};
  const bool verified = proof.value() == HeadProof::verified;
  const auto charge = admission_charge(parser, options);
  auto admitted =
      verified ? admission.admit(charge) : admission.admit_unverified(charge, head.peer);
  if (!admitted) return HeadAdmission{.refused = refusal(endpoint, verified, admitted.error())};
  return HeadAdmission{.verified = verified, .ticket = std::move(admitted).value()};
}

}  // namespace

// How reading a body ended: complete; or not, with the refusal to count (none when the
// client went away) and whether an answer can still be written.
struct Server::BodyRead {
  bool complete = false;
  std::optional<Error> refusal;
  bool answerable = true;
};

// One request on a connection, in its steps: the head, the route, verification and
// admission from the head, the checks before the body, the body, the handler, the answer.
// True when the connection stays open for the next request.
template <class Stream>
asio::awaitable<bool> Server::serve_one(Connection& connection, Stream& stream) {
  Parser parser;
  parser.header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // checked per endpoint below
  if (!co_await read_head(connection, stream, parser)) co_return false;
  const auto received_at = std::chrono::steady_clock::now();
  auto& head = parser.get();
  const unsigned version = head.version();
  const auto [path, query] = path_and_query(head.target());

  // Every answer goes through here: one that leaves part of the request unread closes the
  // connection after a lingering close (linger()).
  auto answer = [&](const Response& response, bool keep_alive) {
    connection.unread_input = !parser.is_done();
    return write_response(
        stream, response, version,
        keep_alive && !connection.unread_input && parser.keep_alive() && !closing_.load(),
        options_.read_timeout);
  };

  if (auto refused = framing_refusal(head)) {
    count_unrouted("malformed");
    co_return co_await answer(error_response(*refused, generic_error_body(*refused)), false);
  }
  auto routed = router_.find(head.method(), path);
  if (!routed) co_return co_await answer(unrouted_answer(routed.error(), path), true);
  Endpoint& endpoint = *routed.value();
  const bool ingest = endpoint.is_ingest() && admission_ != nullptr;

  static const std::string kNoBody;
  auto admitted = ingest ? admit_head(endpoint, *admission_, parser, options_,
                                      Request{.method = head.method(),
                                              .path = path,
                                              .query = query,
                                              .headers = head,
                                              .body = kNoBody,
                                              .peer = connection.peer,
                                              .received_at = received_at})
                         : HeadAdmission{};
  if (admitted.refused) {
    const bool drained = admitted.unproven && co_await read_small_body(connection, stream, parser);
    co_return co_await answer(*admitted.refused, drained);
  }
  // A DELETE names its target in the path and carries no body to type.
  const bool needs_json = ingest && head.method() != bhttp::verb::delete_;
  if (auto refused = check_before_body(parser, needs_json, options_)) {
    co_return co_await answer(refusal(endpoint, admitted.verified, *refused), false);
  }
  const auto body_read = co_await read_body(connection, stream, parser, admitted.verified);
  if (!body_read.complete) {
    if (!body_read.refusal) co_return false;  // the client went away: nothing to answer or count
    const auto response = refusal(endpoint, admitted.verified, *body_read.refusal);
    // A body that timed out has lost its socket already (Beast closed it): the refusal is
    // counted, but no answer is possible.
    if (!body_read.answerable) co_return false;
    co_return co_await answer(response, false);
  }
  auto& body = head.body();
  if (body.capacity() < body.size() + kBodySlack) body.reserve(body.size() + kBodySlack);

  const Request request{.method = head.method(),
                        .path = path,
                        .query = query,
                        .headers = head,
                        .body = body,
                        .peer = connection.peer,
                        .received_at = received_at,
                        .verified_at_head = ingest && admitted.verified};
  const Response response = co_await handle_guarded(endpoint, request);
  admitted.ticket.reset();  // answered: no longer in flight, even while the bytes are on their way
  co_return co_await answer(response, true);
}

// Reads the request line and headers; false when the connection is over (closed, timed out,
// or refused with the answer written here).
template <class Stream, class RequestParser>
asio::awaitable<bool> Server::read_head(Connection& connection, Stream& stream,
                                        RequestParser& parser) {
  connection.lowest().expires_after(options_.read_timeout);
  connection.enter(Connection::Phase::idle);
  const auto [ec, bytes] =
      co_await bhttp::async_read_header(stream, connection.buffer, parser, kAsTuple);
  connection.enter(Connection::Phase::working);
  if (!ec) co_return true;
  // An idle keep-alive connection timing out is normal; a half-sent header is not.
  if (ec == beast::error::timeout && connection.buffer.size() > 0) count_unrouted("header_timeout");
  const auto refusal = head_refusal(ec, options_);
  if (!refusal) co_return false;
  count_unrouted(refusal->first);
  connection.unread_input = true;
  co_await write_response(stream,
                          error_response(refusal->second, generic_error_body(refusal->second)), 11,
                          false, options_.read_timeout);
  co_return false;
}

// Reads the body of an admitted request, answering 100-continue first when asked. A body
// not verified yet may be closed to make room at max_connections while it is read.
template <class Stream, class RequestParser>
asio::awaitable<Server::BodyRead> Server::read_body(Connection& connection, Stream& stream,
                                                    RequestParser& parser, bool verified) {
  auto& head = parser.get();
  if (beast::iequals(head[bhttp::field::expect], "100-continue")) {
    bhttp::response<bhttp::empty_body> proceed{bhttp::status::continue_, head.version()};
    connection.lowest().expires_after(options_.read_timeout);
    const auto [ec, n] = co_await bhttp::async_write(stream, proceed, kAsTuple);
    if (ec) co_return BodyRead{.complete = false};
  }
  head.body().reserve(parser.content_length().value_or(0) + kBodySlack);
  parser.body_limit(options_.max_body_bytes);
  connection.lowest().expires_after(options_.read_timeout);
  if (!verified) connection.enter(Connection::Phase::unverified);
  const auto [ec, n] = co_await bhttp::async_read(stream, connection.buffer, parser, kAsTuple);
  if (!verified) connection.enter(Connection::Phase::working);
  if (!ec) co_return BodyRead{.complete = true};
  if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted) {
    co_return BodyRead{.complete = false};
  }
  co_return BodyRead{.complete = false,
                     .refusal = body_read_error(ec, options_),
                     .answerable = ec != beast::error::timeout};
}

// The body of a request refused for its proof, when it is small: reading it costs next to
// nothing and keeps the connection for the sender's next request. A large one is never
// paid for (lingering close instead). True when it was read whole.
template <class Stream, class RequestParser>
asio::awaitable<bool> Server::read_small_body(Connection& connection, Stream& stream,
                                              RequestParser& parser) {
  constexpr std::uint64_t kSmallBody = 65536;
  const auto length = parser.content_length();
  if (!length || *length > kSmallBody || !parser.get()[bhttp::field::expect].empty()) {
    co_return false;
  }
  const BodyRead read = co_await read_body(connection, stream, parser, false);
  co_return read.complete;
}

Response Server::unrouted_answer(const Error& error, std::string_view path) const {
  count_unrouted(error.code == http::Errc::not_found ? "not_found" : "method_not_allowed");
  auto response = error_response(error, generic_error_body(error));
  if (error.code == http::Errc::method_not_allowed) {
    response.extra_headers.emplace_back("Allow", router_.allowed_methods(path));
  }
  return response;
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
      if (connection->phase.load() == Connection::Phase::idle) connection->lowest().cancel();
    });
  }
}

void Server::cancel() {
  std::lock_guard lock(connections_mutex_);
  for (const auto& connection : connections_) {
    asio::post(connection->lowest().get_executor(),
               [connection] { connection->cancelled.emit(asio::cancellation_type::terminal); });
  }
}

void Server::forget(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(connections_mutex_);
  connections_.erase(connection);
  if (connections_.empty()) connections_closed_.notify_all();
  if (waiting_for_room_.load()) asio::post(acceptor_.get_executor(), [this] { room_.cancel(); });
}

bool Server::wait_closed(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(connections_mutex_);
  return connections_closed_.wait_until(lock, deadline, [this] { return connections_.empty(); });
}

}  // namespace parley::http
