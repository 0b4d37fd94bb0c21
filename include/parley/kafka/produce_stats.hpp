#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parley/metrics/registry.hpp"

namespace parley::kafka {

/// What the stages produced: parley_kafka_produced_total{topic} (acknowledged),
/// parley_kafka_produce_errors_total{topic} (failed or timed out) and
/// parley_kafka_produce_requests_total (the Produce requests that carried them: produced /
/// requests is records per request, what a broker's request rate costs). Thread-safe; the
/// topics given at construction are counted without a lock, any other through a locked lookup.
class ProduceStats {
 public:
  ProduceStats(metrics::Registry& registry, const std::vector<std::string>& topics);

  void acknowledged(std::string_view topic);
  void failed(std::string_view topic);
  /// acknowledged or failed, by `ok`.
  void delivered(std::string_view topic, bool ok) { ok ? acknowledged(topic) : failed(topic); }
  /// `count` more Produce requests sent to the brokers.
  void produce_requests_sent(std::uint64_t count) {
    produce_requests_.Increment(static_cast<double>(count));
  }

 private:
  struct TopicSeries {
    std::string topic;
    prometheus::Counter* produced;
    prometheus::Counter* errors;
  };
  const TopicSeries* series_for(std::string_view topic) const;

  prometheus::Family<prometheus::Counter>& produced_;
  prometheus::Family<prometheus::Counter>& errors_;
  prometheus::Counter& produce_requests_;
  std::vector<TopicSeries> topics_;
};

}  // namespace parley::kafka
