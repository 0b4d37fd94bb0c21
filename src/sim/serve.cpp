#include "serve.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <future>
#include <iostream>
#include <thread>
#include <vector>

#include "parley/log/log.hpp"
#include "routes.hpp"
#include "sim_server.hpp"

namespace parley::sim {
namespace {

namespace asio = boost::asio;

constexpr int kThreads = 2;
constexpr auto kDrainTimeout = std::chrono::seconds(5);

std::string host_port(const asio::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const auto host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

}  // namespace

int serve(const ServeOptions& options) {
  // Everything endpoints use is declared before the io_context, which destroys the
  // coroutine frames still holding references to it (Directly plays' timers included).
  SimState state;
  Faults faults(options.error_rate, options.throttle_rate, options.retry_after_s, options.seed);
  Writes writes;
  Echoes echoes(options.echo);
  Simulator simulator{
      .options = options, .state = state, .faults = faults, .writes = writes, .echoes = echoes};
  http::Router router;
  add_justanswer_routes(router, simulator);
  add_cao_routes(router, simulator);
  add_talkjs_routes(router, simulator);
  add_directly_routes(router, simulator);
  add_control_routes(router, simulator);

  asio::io_context io(kThreads);
  SimServer server(io, router);
  auto bound = server.start(options.host, options.port);
  if (!bound) {
    log::error("cannot listen", {{"error", bound.error()}});
    return 1;
  }

  std::promise<int> stop_requested;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&stop_requested](const boost::system::error_code& ec, int signal) {
    if (!ec) stop_requested.set_value(signal);
  });
  auto work = asio::make_work_guard(io);
  std::vector<std::thread> pool;
  pool.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i)
    pool.emplace_back([&io] { io.run(); });

  std::cout << "listening=" << host_port(bound.value()) << std::endl;
  log::info("parley-sim serving", {{"address", host_port(bound.value())},
                                   {"latency_ms", static_cast<long long>(options.latency.count())},
                                   {"error_rate", options.error_rate},
                                   {"throttle_rate", options.throttle_rate},
                                   {"seed", static_cast<long long>(options.seed)},
                                   {"echo", options.echo.enabled}});

  const int signal = stop_requested.get_future().get();
  log::info("stopping", {{"signal", signal}});
  server.shutdown();
  server.wait_closed(std::chrono::steady_clock::now() + kDrainTimeout);
  work.reset();
  io.stop();
  for (auto& thread : pool)
    thread.join();
  return 0;
}

}  // namespace parley::sim
