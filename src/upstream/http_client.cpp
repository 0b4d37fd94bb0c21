#include "parley/upstream/http_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <charconv>
#include <variant>

#include "parley/common/async_slots.hpp"
#include "parley/common/await.hpp"

namespace parley::upstream {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

std::string BaseUrl::to_string() const {
  return (tls ? "https://" : "http://") + host + ":" + std::to_string(port) + base_path;
}

Result<BaseUrl, std::string> parse_base_url(std::string_view url) {
  BaseUrl base;
  if (url.starts_with("https://")) {
    url.remove_prefix(8);
  } else if (url.starts_with("http://")) {
    base.tls = false;
    base.port = 80;
    url.remove_prefix(7);
  } else {
    return std::string("must start with http:// or https://");
  }
  const auto slash = url.find('/');
  auto authority = url.substr(0, slash);
  if (slash != std::string_view::npos) base.base_path = std::string(url.substr(slash));
  while (base.base_path.ends_with('/'))
    base.base_path.pop_back();
  if (base.base_path.find_first_of("?#") != std::string::npos) {
    return std::string("must not carry a query or fragment");
  }
  if (authority.find('@') != std::string_view::npos) {
    return std::string("must not carry credentials; use the api keys");
  }
  const auto colon = authority.rfind(':');
  const auto bracket = authority.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    const auto digits = authority.substr(colon + 1);
    unsigned port = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535) {
      return "port '" + std::string(digits) + "' is not a port number";
    }
    base.port = static_cast<std::uint16_t>(port);
    authority = authority.substr(0, colon);
  }
  if (authority.starts_with('[') && authority.ends_with(']')) {
    authority = authority.substr(1, authority.size() - 2);
  }
  if (authority.empty()) return std::string("has no host");
  base.host = std::string(authority);
  return base;
}

std::shared_ptr<ssl::context> make_tls_client_context(const std::string& extra_ca_file) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  context->set_default_verify_paths();
  if (!extra_ca_file.empty()) context->load_verify_file(extra_ca_file);
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

struct Connection {
  std::variant<beast::tcp_stream, TlsStream> stream;
  beast::flat_buffer buffer;
};

/// A failed exchange; `stale` when nothing at all came back, which on a reused
/// keep-alive connection usually means the server had closed it: a fresh one may succeed,
/// but the request may have been written, so only a replay-safe request is sent again.
struct ExchangeError {
  std::string message;
  bool stale = false;
};

beast::tcp_stream& tcp_of(Connection& connection) {
  return std::visit([](auto& s) -> beast::tcp_stream& { return beast::get_lowest_layer(s); },
                    connection.stream);
}

template <class Stream>
asio::awaitable<Result<HttpResponse, ExchangeError>> exchange(
    Stream& stream, beast::flat_buffer& buffer, const bhttp::request<bhttp::string_body>& request,
    const HttpClientOptions& options, bool& keep_alive) {
  beast::get_lowest_layer(stream).expires_after(options.request_timeout);
  const auto [write_ec, written] = co_await bhttp::async_write(stream, request, kAsTuple);
  if (write_ec) co_return ExchangeError{"write: " + write_ec.message(), true};
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  const auto [ec, read] = co_await bhttp::async_read(stream, buffer, parser, kAsTuple);
  if (ec == beast::error::timeout) co_return ExchangeError{"read: timed out"};
  if (ec == bhttp::error::body_limit) {
    co_return ExchangeError{"read: response larger than " +
                            std::to_string(options.max_response_bytes) + " bytes"};
  }
  if (ec) co_return ExchangeError{"read: " + ec.message(), !parser.got_some()};
  auto response = parser.release();
  // Bytes after the answer belong to no request of ours: the stream is out of step (a
  // server or something between that answered twice); neither this answer nor the
  // connection can be trusted.
  if (buffer.size() > 0) {
    co_return ExchangeError{"read: " + std::to_string(buffer.size()) +
                            " bytes followed the answer; connection closed"};
  }
  keep_alive = response.keep_alive();
  HttpResponse out{.status = response.result_int(), .body = std::move(response.body())};
  if (const auto it = response.find(bhttp::field::retry_after); it != response.end()) {
    out.retry_after = std::string(it->value());
  }
  co_return out;
}

}  // namespace

struct HttpClient::Pool {
  Pool(const asio::any_io_executor& executor_in, std::shared_ptr<ssl::context> tls_in,
       std::size_t slots)
      : executor(executor_in),
        resolver(executor_in),
        tls(std::move(tls_in)),
        limit(executor_in, slots) {}

  asio::any_io_executor executor;
  tcp::resolver resolver;
  std::shared_ptr<ssl::context> tls;
  AsyncSlots limit;
  std::vector<std::unique_ptr<Connection>> idle;
  std::size_t active = 0;
};

namespace {

asio::awaitable<Result<std::unique_ptr<Connection>, std::string>> connect(
    HttpClient::Pool& pool, const HttpClientOptions& options) {
  const auto& base = options.base;
  // The resolver has no timeout of its own: race it against the connect timeout.
  asio::steady_timer deadline(pool.executor, options.connect_timeout);
  auto raced =
      co_await (pool.resolver.async_resolve(base.host, std::to_string(base.port), kAsTuple) ||
                deadline.async_wait(kAsTuple));
  if (raced.index() == 1) co_return "resolve " + base.host + ": timed out";
  const auto [resolve_ec, endpoints] = std::get<0>(std::move(raced));
  if (resolve_ec) co_return "resolve " + base.host + ": " + resolve_ec.message();

  beast::tcp_stream tcp(pool.executor);
  tcp.expires_after(options.connect_timeout);
  const auto [ec, connected] = co_await tcp.async_connect(endpoints, kAsTuple);
  if (ec) co_return "connect " + base.host + ":" + std::to_string(base.port) + ": " + ec.message();
  tcp.socket().set_option(tcp::no_delay(true));
  if (!base.tls) {
    co_return std::make_unique<Connection>(Connection{
        std::variant<beast::tcp_stream, TlsStream>(std::in_place_index<0>, std::move(tcp)), {}});
  }
  auto connection = std::make_unique<Connection>(Connection{
      std::variant<beast::tcp_stream, TlsStream>(std::in_place_index<1>, std::move(tcp), *pool.tls),
      {}});
  auto& tls = std::get<1>(connection->stream);
  // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
  if (SSL_ctrl(tls.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
               const_cast<char*>(base.host.c_str())) != 1) {
    co_return "TLS " + base.host + ": cannot set SNI";
  }
  tls.set_verify_callback(ssl::host_name_verification(base.host));
  beast::get_lowest_layer(tls).expires_after(options.connect_timeout);
  const auto [handshake_ec] = co_await tls.async_handshake(ssl::stream_base::client, kAsTuple);
  if (handshake_ec) co_return "TLS handshake with " + base.host + ": " + handshake_ec.message();
  co_return connection;
}

}  // namespace

HttpClient::HttpClient(const asio::any_io_executor& executor, HttpClientOptions options,
                       std::shared_ptr<ssl::context> tls_context)
    : options_(std::move(options)),
      pool_(std::make_unique<Pool>(executor, std::move(tls_context), options_.max_connections)) {}

HttpClient::~HttpClient() = default;

std::size_t HttpClient::idle_connections() const {
  return pool_->idle.size();
}
std::size_t HttpClient::active_requests() const {
  return pool_->active;
}

namespace {

// A pooled connection that received bytes while it sat idle is out of step (a late or second
// answer to an earlier request, which must never be read as the next one's): closed, never
// used again. One that the server closed quietly is found out by the exchange (stale).
std::unique_ptr<Connection> take_idle(HttpClient::Pool& pool) {
  while (!pool.idle.empty()) {
    auto connection = std::move(pool.idle.back());
    pool.idle.pop_back();
    beast::error_code ec;
    if (tcp_of(*connection).socket().available(ec) == 0 && !ec) return connection;
  }
  return nullptr;
}

}  // namespace

asio::awaitable<Result<HttpResponse, SendError>> HttpClient::send(const HttpRequest& request) {
  if (auto problem = unsendable(request)) {
    co_return SendError{.kind = SendError::Kind::refused, .message = *problem};
  }
  const auto slot = co_await pool_->limit.acquire();
  ++pool_->active;
  struct Active {
    Pool& pool;
    ~Active() { --pool.active; }
  } active{*pool_};

  const auto& base = options_.base;
  const bool default_port = base.port == (base.tls ? 443 : 80);
  const auto beast_request =
      build_request(request, default_port ? base.host : base.host + ":" + std::to_string(base.port),
                    base.base_path);
  std::unique_ptr<Connection> connection = take_idle(*pool_);
  bool reused = connection != nullptr;
  for (;;) {
    if (!connection) {
      auto connected = co_await connect(*pool_, options_);
      if (!connected) {
        co_return SendError{.kind = SendError::Kind::unreached, .message = connected.error()};
      }
      connection = std::move(connected).value();
      reused = false;
    }
    bool keep_alive = false;
    auto answered = co_await std::visit(
        [&](auto& stream) {
          return exchange(stream, connection->buffer, beast_request, options_, keep_alive);
        },
        connection->stream);
    if (answered) {
      if (keep_alive && pool_->idle.size() < options_.max_idle) {
        tcp_of(*connection).expires_never();
        pool_->idle.push_back(std::move(connection));
      }
      co_return std::move(answered).value();
    }
    if (!(reused && answered.error().stale && request.replay_safe)) {
      co_return SendError{.kind = SendError::Kind::unanswered, .message = answered.error().message};
    }
    connection.reset();  // the server closed an idle connection: one fresh try
  }
}

}  // namespace parley::upstream
