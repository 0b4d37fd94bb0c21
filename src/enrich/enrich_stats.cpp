#include "parley/enrich/enrich_stats.hpp"

namespace parley::enrich {
namespace {

const prometheus::Histogram::BucketBoundaries kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                                          1,     2.5,  5,     10,   30,  60};

}  // namespace

EnrichStats::EnrichStats(metrics::Registry& registry)
    : requests_(registry.counter("parley_enrich_requests_total",
                                 "Events through enrichment, by platform and outcome "
                                 "(ok, failed, not_applicable, invalid)")),
      duration_(registry.histogram("parley_enrich_duration_seconds",
                                   "Time from an event read to its enriched event acknowledged, "
                                   "by platform")),
      fetches_(registry.counter("parley_enrich_fetches_total",
                                "Conversation fetches from a platform's API, by platform, "
                                "result (ok, error, circuit_open) and reason (event, reconcile)")),
      coalesced_(registry.counter("parley_enrich_coalesced_total",
                                  "Events served by a fetch made for another event of the same "
                                  "conversation, by platform")),
      reconcile_dropped_(registry.counter("parley_enrich_reconcile_dropped_total",
                                          "Conversations dropped unreconciled because "
                                          "enrich.reconcile_max_conversations were waiting")),
      reconcile_pending_(registry.gauge("parley_enrich_reconcile_pending",
                                        "Conversations waiting for their reconcile fetch")),
      circuit_open_(registry.gauge("parley_enrich_circuit_open",
                                   "1 while the circuit breaker toward an upstream is open")),
      upstream_connections_(
          registry.gauge("parley_upstream_connections",
                         "Connections to an upstream API, by state (idle, active)")),
      consumer_lag_(registry.gauge("parley_consumer_lag",
                                   "Records of the enrichment consumer's partitions not yet "
                                   "processed, by topic")) {}

void EnrichStats::create_series(const std::vector<std::string>& platforms) {
  for (const auto& platform : platforms) {
    for (const auto* outcome : {"ok", "failed", "not_applicable", "invalid"}) {
      requests_.Add({{"platform", platform}, {"outcome", outcome}});
    }
    for (const auto* result : {"ok", "error", "circuit_open"}) {
      for (const auto* reason : {"event", "reconcile"}) {
        fetches_.Add({{"platform", platform}, {"result", result}, {"reason", reason}});
      }
    }
    coalesced_.Add({{"platform", platform}});
    reconcile_dropped_.Add({{"platform", platform}});
    reconcile_pending_.Add({{"platform", platform}}).Set(0);
    duration_.Add({{"platform", platform}}, kBuckets);
    circuit_open_.Add({{"upstream", platform}}).Set(0);
  }
}

void EnrichStats::result(std::string_view platform, std::string_view outcome) {
  requests_.Add({{"platform", std::string(platform)}, {"outcome", std::string(outcome)}})
      .Increment();
}

void EnrichStats::duration(std::string_view platform, double seconds) {
  duration_.Add({{"platform", std::string(platform)}}, kBuckets).Observe(seconds);
}

void EnrichStats::fetch(std::string_view platform, std::string_view result,
                        std::string_view reason) {
  fetches_
      .Add({{"platform", std::string(platform)},
            {"result", std::string(result)},
            {"reason", std::string(reason)}})
      .Increment();
}

void EnrichStats::reconcile_dropped(std::string_view platform) {
  reconcile_dropped_.Add({{"platform", std::string(platform)}}).Increment();
}

void EnrichStats::set_reconcile_pending(std::string_view platform, double conversations) {
  reconcile_pending_.Add({{"platform", std::string(platform)}}).Set(conversations);
}

void EnrichStats::coalesced(std::string_view platform) {
  coalesced_.Add({{"platform", std::string(platform)}}).Increment();
}

void EnrichStats::set_circuit_open(std::string_view upstream, bool open) {
  circuit_open_.Add({{"upstream", std::string(upstream)}}).Set(open ? 1 : 0);
}

void EnrichStats::set_upstream_connections(std::string_view upstream, double idle, double active) {
  upstream_connections_.Add({{"upstream", std::string(upstream)}, {"state", "idle"}}).Set(idle);
  upstream_connections_.Add({{"upstream", std::string(upstream)}, {"state", "active"}}).Set(active);
}

void EnrichStats::set_consumer_lag(std::string_view topic, double lag) {
  consumer_lag_.Add({{"topic", std::string(topic)}}).Set(lag);
}

}  // namespace parley::enrich
