#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

#include "parley/common/result.hpp"
#include "parley/http/admission.hpp"
#include "parley/http/router.hpp"
#include "parley/http/tls.hpp"

namespace parley::http {

struct ServerOptions {
  std::string name;  ///< "ingest" or "admin", for logs
  std::size_t max_body_bytes = 1048576;
  std::size_t max_header_bytes = 16384;
  std::chrono::milliseconds read_timeout{10000};  ///< per handshake, header, body, write
  /// After the last answer of a connection, how long unread request bytes are read and
  /// dropped (the write side half-closed first), so the answer is not destroyed by the
  /// reset that closing with unread input makes the kernel send.
  std::chrono::milliseconds lingering_close{5000};
  /// Connections lingering at once; past it a connection closes at once.
  std::size_t max_lingering_connections = 1024;
  /// Open connections; at the limit the oldest connection that is idle (keep-alive,
  /// lingering) or reading a body nothing verified yet is closed to make room, and with none
  /// such accepting pauses until one closes (new connections wait in the kernel's backlog).
  std::size_t max_connections = 4096;
  /// Serve HTTPS with these certificates (null = plain HTTP).
  std::shared_ptr<TlsCertificates> tls;
  /// Told of every request refused before an endpoint owned it (no source to count it
  /// under): "header_too_large", "malformed", "header_timeout", "not_found",
  /// "method_not_allowed". Called on I/O threads; must be thread-safe. May be empty.
  std::function<void(std::string_view reason)> on_unrouted_refusal;
  /// Accepted connections are dealt round-robin to these contexts, each run by exactly one
  /// thread, so a connection needs no strand and its handlers never change thread. Empty:
  /// every connection gets a strand on the server's io_context (which may run on many).
  std::vector<boost::asio::io_context*> connection_contexts;
};

/// An HTTP/1.1 listener: one coroutine per connection (on its own strand, or on a
/// one-thread context of ServerOptions::connection_contexts), keep-alive,
/// the limits of ServerOptions enforced before any handler runs. The router and the
/// admission (may be null: no admission, as on the admin listener) must outlive it.
/// start() and shutdown() are thread-safe; the io_context may run on many threads.
class Server {
 public:
  Server(boost::asio::io_context& io, ServerOptions options, const Router& router,
         Admission* admission);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds host:port and starts accepting. Returns the bound endpoint (port 0 resolved),
  /// or a message naming the address that could not be bound.
  Result<boost::asio::ip::tcp::endpoint, std::string> start(const std::string& host,
                                                            std::uint16_t port);

  /// Stops accepting and closes idle keep-alive connections; a connection in the middle
  /// of a request finishes it (answered with Connection: close) and then closes.
  void shutdown();

  /// Cancels what every open connection awaits (a body, a handler's Kafka ack or spool
  /// append, a lingering read): for the drain deadline, after which nothing may run on.
  /// A handler answers what it can (503) and the connection closes.
  void cancel();

  /// Waits until every connection has closed; false when `deadline` came first.
  bool wait_closed(std::chrono::steady_clock::time_point deadline);

  struct Connection;

 private:
  boost::asio::awaitable<void> accept_loop();
  /// At max_connections: closes the oldest idle or unverified connection, if any, and waits until a
  /// connection closed (or a second passed, to look again).
  boost::asio::awaitable<void> wait_for_room();
  boost::asio::any_io_executor next_connection_executor();
  std::size_t open_connections();
  void start_connection(boost::asio::ip::tcp::socket socket);
  void count_unrouted(std::string_view reason) const;
  boost::asio::awaitable<void> serve(std::shared_ptr<Connection> connection);
  template <class Stream>
  boost::asio::awaitable<void> serve_stream(Connection& connection, Stream& stream);
  template <class Stream>
  boost::asio::awaitable<bool> serve_one(Connection& connection, Stream& stream);
  template <class Stream>
  boost::asio::awaitable<void> linger(Connection& connection, Stream& stream);
  struct BodyRead;  // server.cpp
  template <class Stream, class RequestParser>
  boost::asio::awaitable<bool> read_head(Connection& connection, Stream& stream,
                                         RequestParser& parser);
  template <class Stream, class RequestParser>
  boost::asio::awaitable<BodyRead> read_body(Connection& connection, Stream& stream,
                                             RequestParser& parser, bool verified);
  template <class Stream, class RequestParser>
  boost::asio::awaitable<bool> read_small_body(Connection& connection, Stream& stream,
                                               RequestParser& parser);
  Response unrouted_answer(const Error& error, std::string_view path) const;
  void forget(const std::shared_ptr<Connection>& connection);

  boost::asio::io_context& io_;
  const ServerOptions options_;
  const Router& router_;
  Admission* const admission_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::size_t next_context_ = 0;  // only touched by the accept loop
  std::atomic<bool> closing_{false};
  std::atomic<std::size_t> lingering_{0};
  std::atomic<bool> waiting_for_room_{false};
  boost::asio::steady_timer room_;  // on the acceptor's strand; cancelled when a connection closes

  std::mutex connections_mutex_;
  std::condition_variable connections_closed_;
  std::unordered_set<std::shared_ptr<Connection>> connections_;
};

}  // namespace parley::http
