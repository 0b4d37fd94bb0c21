#include "parley/ingest/webhook_stats.hpp"

namespace parley::ingest {

struct WebhookStats::SourceSeries {
  std::string name;
  std::array<prometheus::Counter*, kOutcomes.size()> outcomes{};
  prometheus::Histogram* duration = nullptr;
};

WebhookStats::WebhookStats(metrics::Registry& registry, const std::vector<std::string>& sources)
    : received_(registry.counter("parley_webhooks_received_total",
                                 "Webhook requests answered, by source and outcome")),
      duration_(registry.histogram("parley_webhook_duration_seconds",
                                   "Time from request header received to answer, by source")),
      field_warnings_(registry.counter("parley_webhook_field_warnings_total",
                                       "Optional webhook fields dropped (unusable) or resolved "
                                       "(conflicting spellings), by source and field")) {
  const prometheus::Histogram::BucketBoundaries buckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  for (const auto& source : sources) {
    auto series = std::make_unique<SourceSeries>();
    series->name = source;
    for (std::size_t i = 0; i < kOutcomes.size(); ++i) {
      series->outcomes[i] =
          &received_.Add({{"source", source}, {"outcome", std::string(kOutcomes[i])}});
    }
    series->duration = &duration_.Add({{"source", source}}, buckets);
    sources_.push_back(std::move(series));
  }
}

WebhookStats::~WebhookStats() = default;

WebhookStats::SourceSeries* WebhookStats::series_for(std::string_view source) {
  for (const auto& series : sources_) {
    if (series->name == source) return series.get();
  }
  return nullptr;
}

void WebhookStats::answered(std::string_view source, std::string_view outcome) {
  auto* series = series_for(source);
  if (series == nullptr) return;
  for (std::size_t i = 0; i < kOutcomes.size(); ++i) {
    if (kOutcomes[i] == outcome) series->outcomes[i]->Increment();
  }
}

void WebhookStats::duration(std::string_view source, double seconds) {
  if (auto* series = series_for(source)) series->duration->Observe(seconds);
}

void WebhookStats::field_warning(std::string_view source, std::string_view field) {
  // Rare by nature (a platform sending something odd): a locked lookup is fine.
  field_warnings_.Add({{"source", std::string(source)}, {"field", std::string(field)}}).Increment();
}

}  // namespace parley::ingest
