#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "parley/metrics/registry.hpp"

namespace parley::enrich {

/// The enrichment stage's stats: parley_enrich_* by platform (the source's name), the
/// circuit breakers and connection pools toward the platforms' APIs, and the consumer's lag.
/// Thread-safe; each call looks its series up under prometheus-cpp's lock, fine at the
/// stage's rate.
class EnrichStats {
 public:
  explicit EnrichStats(metrics::Registry& registry);

  /// Creates the series of `platforms` at zero, so alerts see zeros, not gaps.
  void create_series(const std::vector<std::string>& platforms);
  /// One event through enrichment: outcome ok | failed | not_applicable | invalid.
  void result(std::string_view platform, std::string_view outcome);
  /// Consumed-to-enriched-acknowledged time of one event.
  void duration(std::string_view platform, double seconds);
  /// One call to a platform's API: result ok | error | circuit_open; reason event (an
  /// event needed it) | reconcile (a quiet conversation checked once more).
  void fetch(std::string_view platform, std::string_view result, std::string_view reason);
  /// A conversation dropped from the reconcile schedule because it was full.
  void reconcile_dropped(std::string_view platform);
  /// Conversations waiting for their reconcile fetch.
  void set_reconcile_pending(std::string_view platform, double conversations);
  /// An event served by a fetch another event of its conversation caused.
  void coalesced(std::string_view platform);
  void set_circuit_open(std::string_view upstream, bool open);
  void set_upstream_connections(std::string_view upstream, double idle, double active);
  /// Unprocessed records of the partitions this process owns on `topic` (summed: each
  /// partition is owned by one member, so a sum over pods is the group's lag).
  void set_consumer_lag(std::string_view topic, double lag);

 private:
  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Counter>& fetches_;
  prometheus::Family<prometheus::Counter>& coalesced_;
  prometheus::Family<prometheus::Counter>& reconcile_dropped_;
  prometheus::Family<prometheus::Gauge>& reconcile_pending_;
  prometheus::Family<prometheus::Gauge>& circuit_open_;
  prometheus::Family<prometheus::Gauge>& upstream_connections_;
  prometheus::Family<prometheus::Gauge>& consumer_lag_;
};

}  // namespace parley::enrich
