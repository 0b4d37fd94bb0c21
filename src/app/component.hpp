#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace parley::app {

/// A part of the running service (a listener, the producer, the spool, enrichment, the
/// Directly poller). The App builds every component, then starts them in order and stops
/// them in reverse, all from the main thread; a component owns what it runs and logs its
/// own shortfalls.
class Component {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~Component() = default;

  /// For logs: "ingest listener", "kafka producer", ...
  virtual std::string_view name() const = 0;

  /// Begins its work; an error says what failed, naming the key or address.
  virtual std::optional<std::string> start() = 0;

  /// Ends its work by `deadline`. False when something was left undone at the deadline
  /// (which the component has logged); nothing accepted is lost either way.
  virtual bool stop(Clock::time_point deadline) = 0;
};

}  // namespace parley::app
