#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

#include <string>
#include <string_view>
#include <vector>

#include "parley/metrics/registry.hpp"

namespace parley::commands {

/// The commands path's stats (DESIGN.md "Metrics"): parley_commands_total{source,command,
/// outcome}, parley_command_duration_seconds{source,command}, parley_command_reconciliations_
/// total{source,result}, parley_commands_received_total{outcome} (the HTTP door), and the
/// executor's consumer lag and calls. `command` is the type without its prefix
/// ("message.send"); `source` a configured source name or "unknown" for an invalid command
/// (bounded labels). Thread-safe.
class CommandStats {
 public:
  explicit CommandStats(metrics::Registry& registry);

  /// Creates every series of `sources` at zero, so alerts see zeros, not gaps.
  void create_series(const std::vector<std::string>& sources);
  /// One result: outcome succeeded | failed | unknown; `seconds` from taken to result.
  void result(std::string_view source, std::string_view command, std::string_view outcome,
              double seconds);
  /// One read-back: result found | not_found | undecided.
  void reconciliation(std::string_view source, std::string_view result);
  /// One platform call: result done | rejected | unauthorized | invalid | retry_later | doubt.
  void call(std::string_view source, std::string_view result);
  /// One request at the HTTP door: accepted, or the refusal's outcome as http/answers.hpp
  /// names it (invalid, unauthorized, too_large, overloaded, publish_failed).
  void received(std::string_view outcome);
  /// Commands read and not yet resulted, and the commands topic's unprocessed records.
  void set_in_progress(double commands);
  void set_consumer_lag(double records);

 private:
  prometheus::Family<prometheus::Counter>& results_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Counter>& reconciliations_;
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Gauge& in_progress_;
  prometheus::Gauge& consumer_lag_;
};

}  // namespace parley::commands
