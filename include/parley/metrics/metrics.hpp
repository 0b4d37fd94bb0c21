#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace parley::metrics {

/// Every metric parley exports (DESIGN.md "Metrics"), in one prometheus-cpp registry.
/// Recording is thread-safe and allocation-free for sources registered up front.
class Metrics {
 public:
  /// `sources`: the webhook sources whose series are created at start (a series per
  /// source and outcome exists from the first scrape, so alerts see zeros, not gaps).
  /// `topics`: the Kafka topics produced to, whose counters are likewise created at start
  /// (another topic still works, through a slower locked lookup).
  explicit Metrics(const std::vector<std::string>& sources,
                   const std::vector<std::string>& topics = {});
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// One webhook answered: outcome is a metric_outcome() value or "accepted"/"duplicate".
  void webhook_answered(std::string_view source, std::string_view outcome);
  /// Receive-to-answer time of a webhook that reached its handler.
  void webhook_duration(std::string_view source, double seconds);
  /// A request refused before any source owned it (see http::ServerOptions).
  void http_refused(std::string_view reason);
  void kafka_produced(std::string_view topic);
  void kafka_produce_error(std::string_view topic);

  /// Values read at scrape time (in-flight requests, readiness).
  void on_scrape(std::function<void(Metrics&)> collector);
  void set_inflight(double value);
  void set_ready(bool ready);
  void set_dedupe_entries(double entries);

  /// The Prometheus text exposition of everything, process metrics refreshed.
  std::string scrape();

 private:
  struct SourceSeries;
  SourceSeries* series_for(std::string_view source);
  struct TopicSeries {
    std::string topic;
    prometheus::Counter* produced;
    prometheus::Counter* errors;
  };
  const TopicSeries* series_for_topic(std::string_view topic) const;

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Counter>& refused_;
  prometheus::Family<prometheus::Counter>& produced_;
  prometheus::Family<prometheus::Counter>& produce_errors_;
  prometheus::Gauge& inflight_;
  prometheus::Gauge& ready_;
  prometheus::Gauge& dedupe_entries_;
  prometheus::Gauge& resident_memory_;
  prometheus::Gauge& open_fds_;
  std::vector<std::unique_ptr<SourceSeries>> sources_;
  std::vector<TopicSeries> topics_;
  std::vector<std::pair<std::string, prometheus::Counter*>> refusals_;
  std::vector<std::function<void(Metrics&)>> collectors_;
};

}  // namespace parley::metrics
