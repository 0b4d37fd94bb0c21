#pragma once

#include <memory>
#include <string>
#include <vector>

#include "component.hpp"
#include "parley/common/result.hpp"
#include "parley/config/config.hpp"
#include "parley/dedupe/recent_ids.hpp"
#include "parley/http/admission.hpp"
#include "runtime.hpp"
#include "stats.hpp"

namespace parley::app {

/// parley serving one configuration: the components its role asks for (the admin
/// listener, the producer, the spool, enrichment, the Directly poller, the ingest
/// listener), started in that order and stopped in reverse, each by the shutdown deadline.
/// Built and run from the main thread.
class App {
 public:
  /// Builds every component; an error says which could not be built and why.
  static Result<std::unique_ptr<App>, std::string> build(const config::Config& config);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  /// Starts the components, serves until SIGTERM or SIGINT, then drains: /readyz turns
  /// 503 and the components stop in reverse order. Returns the exit code: 0 after a
  /// complete drain within shutdown_timeout_ms, 1 when a start failed or the drain ran
  /// out of time.
  int run();

  /// When the drain that run() began must have ended (its SIGTERM + shutdown_timeout_ms).
  Component::Clock::time_point drain_deadline() const { return drain_deadline_; }

 private:
  explicit App(const config::Config& config);
  /// Stops components_[0, started) in reverse by `deadline`; the names of those that
  /// left something undone.
  std::vector<std::string> stop(std::size_t started, Component::Clock::time_point deadline);

  const config::Config config_;
  const unsigned threads_;
  // Before the runtime, so they outlive it: a coroutine frame destroyed with its contexts
  // (one whose completion was posted after destroy_pending()) may still hold a ticket or
  // time an answer into the stats.
  http::Admission admission_;
  dedupe::RecentIds recent_ids_;
  Stats stats_;
  Runtime runtime_;
  bool background_work_ = false;  // enrichment or Directly polling runs
  Component::Clock::time_point drain_deadline_ = Component::Clock::now();
  /// In start order; stopped and destroyed in reverse.
  std::vector<std::unique_ptr<Component>> components_;
};

}  // namespace parley::app
