#include "parley/kafka/produce_stats.hpp"

namespace parley::kafka {

ProduceStats::ProduceStats(metrics::Registry& registry, const std::vector<std::string>& topics)
    : produced_(registry.counter("parley_kafka_produced_total",
                                 "Events acknowledged by Kafka, by topic")),
      errors_(registry.counter("parley_kafka_produce_errors_total",
                               "Events Kafka did not acknowledge (failure or timeout), by topic")),
      produce_requests_(registry
                            .counter("parley_kafka_produce_requests_total",
                                     "Produce requests sent to the brokers (librdkafka statistics, "
                                     "every 5 s): parley_kafka_produced_total / this = records per "
                                     "request")
                            .Add({})) {
  for (const auto& topic : topics) {
    topics_.push_back(TopicSeries{.topic = topic,
                                  .produced = &produced_.Add({{"topic", topic}}),
                                  .errors = &errors_.Add({{"topic", topic}})});
  }
}

const ProduceStats::TopicSeries* ProduceStats::series_for(std::string_view topic) const {
  for (const auto& series : topics_) {
    if (series.topic == topic) return &series;
  }
  return nullptr;
}

void ProduceStats::acknowledged(std::string_view topic) {
  if (const auto* series = series_for(topic)) return series->produced->Increment();
  produced_.Add({{"topic", std::string(topic)}}).Increment();
}

void ProduceStats::failed(std::string_view topic) {
  if (const auto* series = series_for(topic)) return series->errors->Increment();
  errors_.Add({{"topic", std::string(topic)}}).Increment();
}

}  // namespace parley::kafka
