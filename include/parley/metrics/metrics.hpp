#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
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
  /// An optional field of a verified webhook dropped or resolved (FieldWarning).
  void webhook_field_warning(std::string_view source, std::string_view field);
  void kafka_produced(std::string_view topic);
  void kafka_produce_error(std::string_view topic);

  // Enrichment (recorded from the enrichment stage; Family lookups lock, fine at its rate).

  /// Creates the enrichment series of `platforms` at zero, so alerts see zeros, not gaps.
  void enrich_platforms(const std::vector<std::string>& platforms);
  /// One event through enrichment: outcome ok | failed | not_applicable | invalid.
  void enrich_result(std::string_view platform, std::string_view outcome);
  /// Consumed-to-enriched-acknowledged time of one event.
  void enrich_duration(std::string_view platform, double seconds);
  /// One call to a platform's API: result ok | error | circuit_open; reason event (an
  /// event needed it) | reconcile (a quiet conversation checked once more).
  void enrich_fetch(std::string_view platform, std::string_view result, std::string_view reason);
  /// A conversation dropped from the reconcile schedule because it was full.
  void enrich_reconcile_dropped(std::string_view platform);
  /// Conversations waiting for their reconcile fetch.
  void set_enrich_reconcile_pending(std::string_view platform, double conversations);
  /// An event served by a fetch another event of its conversation caused.
  void enrich_coalesced(std::string_view platform);
  void set_circuit_open(std::string_view upstream, bool open);
  void set_upstream_connections(std::string_view upstream, double idle, double active);
  /// Unprocessed records of the partitions this process owns on `topic` (summed: each
  /// partition is owned by one member, so a sum over pods is the group's lag).
  void set_consumer_lag(std::string_view topic, double lag);

  // Directly polling.

  /// Creates the Directly polling series at zero.
  void directly_polling();
  /// One poll of a watched question: not_modified | unchanged | changed | error.
  void directly_poll(std::string_view result);
  void set_directly_watched(double questions);

  // The spool (values read at scrape time; totals are counters that only move forward).

  /// Creates the spool series at zero (also with the spool off, so alerts see zeros).
  void spool_enabled();
  void set_spool(double max_bytes, double bytes, double records, double oldest_age_seconds,
                 std::uint64_t appended_total, std::uint64_t forwarded_total,
                 const std::map<std::string, std::uint64_t>& errors_by_kind);

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
  prometheus::Family<prometheus::Counter>& field_warnings_;
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
  prometheus::Family<prometheus::Counter>& enrich_requests_;
  prometheus::Family<prometheus::Histogram>& enrich_duration_;
  prometheus::Family<prometheus::Counter>& enrich_fetches_;
  prometheus::Family<prometheus::Counter>& enrich_coalesced_;
  prometheus::Family<prometheus::Counter>& enrich_reconcile_dropped_;
  prometheus::Family<prometheus::Gauge>& enrich_reconcile_pending_;
  prometheus::Family<prometheus::Gauge>& circuit_open_;
  prometheus::Family<prometheus::Gauge>& upstream_connections_;
  prometheus::Family<prometheus::Gauge>& consumer_lag_;
  prometheus::Family<prometheus::Counter>& directly_polls_;
  prometheus::Family<prometheus::Gauge>& directly_watched_;
  std::mutex spool_mutex_;  // the spool series are created late, by spool_enabled()
  prometheus::Gauge* spool_bytes_ = nullptr;
  prometheus::Gauge* spool_records_ = nullptr;
  prometheus::Gauge* spool_oldest_ = nullptr;
  prometheus::Gauge* spool_max_ = nullptr;
  prometheus::Counter* spool_appended_ = nullptr;
  prometheus::Counter* spool_forwarded_ = nullptr;
  prometheus::Family<prometheus::Counter>* spool_errors_ = nullptr;
};

/// Records one webhook's receive-to-answer time (webhook_duration) when it goes out of
/// scope, so every path of a handler is timed. `metrics` must outlive it.
class WebhookTimer {
 public:
  WebhookTimer(Metrics& metrics, std::string_view source,
               std::chrono::steady_clock::time_point received)
      : metrics_(metrics), source_(source), received_(received) {}
  ~WebhookTimer() {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - received_;
    metrics_.webhook_duration(source_, elapsed.count());
  }
  WebhookTimer(const WebhookTimer&) = delete;
  WebhookTimer& operator=(const WebhookTimer&) = delete;

 private:
  Metrics& metrics_;
  std::string_view source_;  // the endpoint's own name, which outlives the request
  std::chrono::steady_clock::time_point received_;
};

}  // namespace parley::metrics
