#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "parley/common/result.hpp"
#include "parley/http/router.hpp"

namespace parley::sim {

/// The status an endpoint answers to leave its request unanswered: the listener closes the
/// connection without writing a byte (the commit_then_drop write fault).
inline constexpr unsigned kNoAnswer = 0;

/// parley-sim's HTTP/1.1 listener: plain HTTP, keep-alive, one coroutine per connection on
/// its own strand, the router's endpoints called as http::Server calls them. It exists
/// because a simulated platform must sometimes not answer at all (kNoAnswer), which
/// http::Server, built never to leave a request unanswered, cannot do. No admission, TLS
/// or per-listener limits beyond a header and body cap: it serves tests and demos.
/// The router must outlive it; start(), shutdown() and wait_closed() are thread-safe.
class SimServer {
 public:
  SimServer(boost::asio::io_context& io, const http::Router& router);
  ~SimServer();
  SimServer(const SimServer&) = delete;
  SimServer& operator=(const SimServer&) = delete;

  /// Binds host:port and starts accepting; the bound endpoint, or why it cannot bind.
  Result<boost::asio::ip::tcp::endpoint, std::string> start(const std::string& host,
                                                            std::uint16_t port);
  /// Stops accepting and closes idle connections; busy ones close after their answer.
  void shutdown();
  /// Waits until every connection closed; false when `deadline` came first.
  bool wait_closed(std::chrono::steady_clock::time_point deadline);

  struct Connection;

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> serve(std::shared_ptr<Connection> connection);
  boost::asio::awaitable<bool> serve_one(Connection& connection);
  void forget(const std::shared_ptr<Connection>& connection);

  boost::asio::io_context& io_;
  const http::Router& router_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::atomic<bool> closing_{false};
  std::mutex mutex_;
  std::condition_variable closed_;
  std::set<std::shared_ptr<Connection>> connections_;
};

}  // namespace parley::sim
