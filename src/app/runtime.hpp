#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <memory>
#include <thread>
#include <vector>

namespace parley::app {

/// The threads parley runs on, one single-threaded io_context each (benchmarks/RESULTS.md,
/// "Second perf pass"): `main()` runs delivery reports, the admin listener and signals
/// and takes its share of ingest connections; the others only ingest connections;
/// `background()` runs enrichment and Directly polling, so a backlog there never delays a
/// webhook's answer. Built, run and stopped from one thread.
class Runtime {
 public:
  /// `threads` I/O threads (at least one) plus the background thread.
  explicit Runtime(unsigned threads);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  boost::asio::io_context& main() { return main_; }
  boost::asio::io_context& background() { return background_; }
  /// Every context that serves ingest connections, main() first.
  std::vector<boost::asio::io_context*> connection_contexts();

  /// Starts the threads; `with_background` also the background one.
  void run(bool with_background);
  /// Lets every context finish and joins the threads; idempotent.
  void stop();
  /// After stop(): destroys every handler and coroutine frame still pending in the contexts
  /// (a request past the drain deadline, an enrichment fetch), now, while everything they
  /// point to is alive -- not when the contexts are destroyed, after the components are.
  /// The contexts stay usable for destroying the I/O objects of the components.
  void destroy_pending();

 private:
  /// An io_context whose pending work can be destroyed before the context itself.
  class Context : public boost::asio::io_context {
   public:
    using io_context::io_context;
    using io_context::shutdown;
  };
  using WorkGuard = boost::asio::executor_work_guard<boost::asio::io_context::executor_type>;
  Context main_{1};
  std::vector<std::unique_ptr<Context>> connection_only_;
  Context background_{1};
  std::vector<WorkGuard> work_;
  std::vector<std::thread> threads_;
};

}  // namespace parley::app
