#pragma once

#include "parley/commands/command_stats.hpp"
#include "parley/config/config.hpp"
#include "parley/dedupe/recent_ids.hpp"
#include "parley/enrich/enrich_stats.hpp"
#include "parley/http/listener_stats.hpp"
#include "parley/ingest/webhook_stats.hpp"
#include "parley/kafka/produce_stats.hpp"
#include "parley/metrics/registry.hpp"
#include "parley/platforms/directly/poll_stats.hpp"
#include "parley/spool/spool_metrics.hpp"

namespace parley::app {

/// The process's registry and every component's stats in it, each handed only to the
/// component that records it. Every family exists from the first scrape, whatever the
/// role, so dashboards and alerts see zeros, not gaps. Owned by the App; outlives its
/// components.
struct Stats {
  /// Series for the config's sources and topics; `recent_ids` (which must outlive this)
  /// exports its size as parley_dedupe_entries.
  Stats(const config::Config& config, const dedupe::RecentIds& recent_ids);

  metrics::Registry registry;
  http::ListenerStats listener;
  ingest::WebhookStats webhooks;
  kafka::ProduceStats produced;
  enrich::EnrichStats enrich;
  directly::PollStats polls;
  spool::SpoolMetrics spool;
  commands::CommandStats commands;
};

}  // namespace parley::app
