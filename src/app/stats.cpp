#include "stats.hpp"

#include "wiring.hpp"

namespace parley::app {

Stats::Stats(const config::Config& config, const dedupe::RecentIds& recent_ids)
    : listener(registry),
      webhooks(registry, ingest_sources(config)),
      produced(registry, {config.kafka.topics.events, config.kafka.topics.enriched,
                          config.kafka.topics.deadletter}),
      enrich(registry),
      polls(registry),
      spool(registry) {
  auto& entries =
      registry.gauge("parley_dedupe_entries", "Event ids remembered for duplicate suppression")
          .Add({});
  registry.on_scrape(
      [&entries, &recent_ids] { entries.Set(static_cast<double>(recent_ids.size())); });
}

}  // namespace parley::app
