#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace parley::metrics {

/// The one Prometheus registry of the process. Each component owns its stats (names and
/// labels: DESIGN.md "Metrics") and registers them here: http::ListenerStats,
/// ingest::WebhookStats, kafka::ProduceStats, enrich::EnrichStats, directly::PollStats,
/// spool::SpoolStats, and the admin and dedupe gauges. It exports parley_build_info and the
/// process metrics itself. Registering happens at start; recording on registered series is
/// thread-safe. Must outlive every stats object registered in it.
class Registry {
 public:
  Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  prometheus::Family<prometheus::Counter>& counter(const std::string& name,
                                                   const std::string& help);
  prometheus::Family<prometheus::Gauge>& gauge(const std::string& name, const std::string& help);
  prometheus::Family<prometheus::Histogram>& histogram(const std::string& name,
                                                       const std::string& help);

  /// `collect` runs before every scrape (values read at scrape time: queue depths, sizes).
  /// Register at start only.
  void on_scrape(std::function<void()> collect);

  /// The Prometheus text exposition of everything, process metrics refreshed. One scrape at
  /// a time (the admin listener's).
  std::string scrape();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Gauge& resident_memory_;
  prometheus::Gauge& open_fds_;
  std::vector<std::function<void()>> collectors_;
};

}  // namespace parley::metrics
