#pragma once

// A scripted HTTP/1.1 upstream on loopback, for unit tests of the clients parley uses to call
// platforms: it runs on the test's io_context (single-threaded), counts connections and
// requests, and answers each request with a function of it.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace parley::testing {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

/// A scripted upstream on loopback: counts connections and requests and answers each
/// request with `answer` (nullopt = never answer, to provoke timeouts).
class FakeUpstream {
 public:
  using Answer = std::function<std::optional<bhttp::response<bhttp::string_body>>(
      const bhttp::request<bhttp::string_body>&)>;

  FakeUpstream(asio::io_context& io, Answer answer)
      : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        answer_(std::move(answer)) {
    asio::co_spawn(io, accept_loop(), asio::detached);
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  int connections = 0;
  std::vector<std::string> targets;
  bool close_after_answer = false;
  bool raw_answers = false;  ///< write the answer's body as the whole answer (hand-made bytes)
  /// Every accepted connection's socket, valid while its serve() runs (until it ends).
  std::vector<tcp::socket*> live;

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      auto socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      ++connections;
      asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket)), asio::detached);
    }
  }
  asio::awaitable<void> serve(tcp::socket socket) {
    live.push_back(&socket);
    boost::beast::flat_buffer buffer;
    for (;;) {
      bhttp::request<bhttp::string_body> request;
      boost::system::error_code ec;
      co_await bhttp::async_read(socket, buffer, request,
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      targets.push_back(std::string(request.target()));
      auto response = answer_(request);
      if (!response) {
        held_.push_back(std::move(socket));
        co_return;
      }
      if (raw_answers) {
        co_await asio::async_write(socket, asio::buffer(response->body()),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec || close_after_answer) co_return;
        continue;
      }
      response->prepare_payload();
      co_await bhttp::async_write(socket, *response, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || close_after_answer) co_return;
    }
  }

  tcp::acceptor acceptor_;
  Answer answer_;
  std::vector<tcp::socket> held_;
};

inline bhttp::response<bhttp::string_body> ok(std::string body) {
  bhttp::response<bhttp::string_body> response(bhttp::status::ok, 11);
  response.body() = std::move(body);
  return response;
}

}  // namespace parley::testing
