#pragma once

#include <string_view>

#include "parley/metrics/registry.hpp"

namespace parley::directly {

/// Directly polling's stats: parley_directly_polls_total{result} and
/// parley_directly_watched_questions. Thread-safe.
class PollStats {
 public:
  explicit PollStats(metrics::Registry& registry);

  /// Creates the series at zero (when this process polls).
  void create_series();
  /// One poll of a watched question: not_modified | unchanged | changed | error.
  void poll(std::string_view result);
  void set_watched(double questions);

 private:
  prometheus::Family<prometheus::Counter>& polls_;
  prometheus::Family<prometheus::Gauge>& watched_;
};

}  // namespace parley::directly
