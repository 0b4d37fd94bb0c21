#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "parley/metrics/registry.hpp"

namespace parley::kafka {

/// What the stages produced: parley_kafka_produced_total{topic} (acknowledged) and
/// parley_kafka_produce_errors_total{topic} (failed or timed out). Thread-safe; the topics
/// given at construction are counted without a lock, any other through a locked lookup.
class ProduceStats {
 public:
  ProduceStats(metrics::Registry& registry, const std::vector<std::string>& topics);

  void acknowledged(std::string_view topic);
  void failed(std::string_view topic);
  /// acknowledged or failed, by `ok`.
  void delivered(std::string_view topic, bool ok) { ok ? acknowledged(topic) : failed(topic); }

 private:
  struct TopicSeries {
    std::string topic;
    prometheus::Counter* produced;
    prometheus::Counter* errors;
  };
  const TopicSeries* series_for(std::string_view topic) const;

  prometheus::Family<prometheus::Counter>& produced_;
  prometheus::Family<prometheus::Counter>& errors_;
  std::vector<TopicSeries> topics_;
};

}  // namespace parley::kafka
