#include "stats.hpp"

#include "wiring.hpp"

namespace parley::app {

Stats::Stats(const config::Config& config, const dedupe::RecentIds& recent_ids)
    : listener(registry),
      webhooks(registry, ingest_sources(config)),
      produced(registry,
               {config.kafka.topics.events, config.kafka.topics.enriched,
                config.kafka.topics.deadletter, config.kafka.topics.commands,
                config.kafka.topics.command_results, config.kafka.topics.command_journal}),
      enrich(registry),
      polls(registry),
      spool(registry),
      commands(registry) {
  std::vector<std::string> sources;
  for (const auto& source : config.sources.all)
    sources.push_back(source.name);
  commands.create_series(sources);
  auto& entries =
      registry.gauge("parley_dedupe_entries", "Event ids remembered for duplicate suppression")
          .Add({});
  registry.on_scrape(
      [&entries, &recent_ids] { entries.Set(static_cast<double>(recent_ids.size())); });
}

}  // namespace parley::app
