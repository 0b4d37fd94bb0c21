#include "parley/metrics/metrics.hpp"

#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "parley/version.hpp"

namespace parley::metrics {
namespace {

constexpr std::array<std::string_view, 11> kOutcomes = {
    "accepted",       "duplicate", "unauthorized", "invalid",  "too_large", "overloaded",
    "publish_failed", "draining",  "timeout",      "internal", "spooled"};

double resident_memory_bytes() {
  std::ifstream statm("/proc/self/statm");
  double size_pages = 0;
  double resident_pages = 0;
  statm >> size_pages >> resident_pages;
  return resident_pages * static_cast<double>(sysconf(_SC_PAGESIZE));
}

double open_file_descriptors() {
  std::error_code ec;
  double count = 0;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    ++count;
  }
  return count;
}

}  // namespace

struct Metrics::SourceSeries {
  std::string name;
  std::array<prometheus::Counter*, kOutcomes.size()> outcomes{};
  prometheus::Histogram* duration = nullptr;
};

Metrics::Metrics(const std::vector<std::string>& sources, const std::vector<std::string>& topics)
    : registry_(std::make_shared<prometheus::Registry>()),
      received_(prometheus::BuildCounter()
                    .Name("parley_webhooks_received_total")
                    .Help("Webhook requests answered, by source and outcome")
                    .Register(*registry_)),
      duration_(prometheus::BuildHistogram()
                    .Name("parley_webhook_duration_seconds")
                    .Help("Time from request header received to answer, by source")
                    .Register(*registry_)),
      refused_(prometheus::BuildCounter()
                   .Name("parley_http_refused_total")
                   .Help("Requests to the webhook listener refused before any source owned "
                         "them, by reason")
                   .Register(*registry_)),
      produced_(prometheus::BuildCounter()
                    .Name("parley_kafka_produced_total")
                    .Help("Events acknowledged by Kafka, by topic")
                    .Register(*registry_)),
      field_warnings_(prometheus::BuildCounter()
                          .Name("parley_webhook_field_warnings_total")
                          .Help("Optional webhook fields dropped (unusable) or resolved "
                                "(conflicting spellings), by source and field")
                          .Register(*registry_)),
      produce_errors_(prometheus::BuildCounter()
                          .Name("parley_kafka_produce_errors_total")
                          .Help("Events Kafka did not acknowledge (failure or timeout), by topic")
                          .Register(*registry_)),
      inflight_(prometheus::BuildGauge()
                    .Name("parley_inflight_requests")
                    .Help("Webhook requests admitted and not yet answered")
                    .Register(*registry_)
                    .Add({})),
      ready_(prometheus::BuildGauge()
                 .Name("parley_ready")
                 .Help("1 when /readyz answers 200 (Kafka reachable, not draining)")
                 .Register(*registry_)
                 .Add({})),
      dedupe_entries_(prometheus::BuildGauge()
                          .Name("parley_dedupe_entries")
                          .Help("Event ids remembered for duplicate suppression")
                          .Register(*registry_)
                          .Add({})),
      resident_memory_(prometheus::BuildGauge()
                           .Name("process_resident_memory_bytes")
                           .Help("Resident memory size in bytes")
                           .Register(*registry_)
                           .Add({})),
      open_fds_(prometheus::BuildGauge()
                    .Name("process_open_fds")
                    .Help("Number of open file descriptors")
                    .Register(*registry_)
                    .Add({})),
      enrich_requests_(prometheus::BuildCounter()
                           .Name("parley_enrich_requests_total")
                           .Help("Events through enrichment, by platform and outcome "
                                 "(ok, failed, not_applicable, invalid)")
                           .Register(*registry_)),
      enrich_duration_(prometheus::BuildHistogram()
                           .Name("parley_enrich_duration_seconds")
                           .Help("Time from an event read to its enriched event acknowledged, "
                                 "by platform")
                           .Register(*registry_)),
      enrich_fetches_(prometheus::BuildCounter()
                          .Name("parley_enrich_fetches_total")
                          .Help("Conversation fetches from a platform's API, by platform, "
                                "result (ok, error, circuit_open) and reason (event, reconcile)")
                          .Register(*registry_)),
      enrich_coalesced_(prometheus::BuildCounter()
                            .Name("parley_enrich_coalesced_total")
                            .Help("Events served by a fetch made for another event of the same "
                                  "conversation, by platform")
                            .Register(*registry_)),
      enrich_reconcile_dropped_(prometheus::BuildCounter()
                                    .Name("parley_enrich_reconcile_dropped_total")
                                    .Help("Conversations dropped unreconciled because "
                                          "enrich.reconcile_max_conversations were waiting")
                                    .Register(*registry_)),
      enrich_reconcile_pending_(prometheus::BuildGauge()
                                    .Name("parley_enrich_reconcile_pending")
                                    .Help("Conversations waiting for their reconcile fetch")
                                    .Register(*registry_)),
      circuit_open_(prometheus::BuildGauge()
                        .Name("parley_enrich_circuit_open")
                        .Help("1 while the circuit breaker toward an upstream is open")
                        .Register(*registry_)),
      upstream_connections_(prometheus::BuildGauge()
                                .Name("parley_upstream_connections")
                                .Help("Connections to an upstream API, by state (idle, active)")
                                .Register(*registry_)),
      consumer_lag_(prometheus::BuildGauge()
                        .Name("parley_consumer_lag")
                        .Help("Records of the enrichment consumer's partitions not yet "
                              "processed, by topic")
                        .Register(*registry_)),
      directly_polls_(prometheus::BuildCounter()
                          .Name("parley_directly_polls_total")
                          .Help("Polls of watched Directly questions, by result (not_modified: "
                                "304, unchanged: 200 with nothing new, changed, error)")
                          .Register(*registry_)),
      directly_watched_(prometheus::BuildGauge()
                            .Name("parley_directly_watched_questions")
                            .Help("Directly questions this replica polls (its partitions' share "
                                  "of the watch list)")
                            .Register(*registry_)) {
  prometheus::BuildGauge()
      .Name("parley_build_info")
      .Help("Always 1; the version label says which parley runs")
      .Register(*registry_)
      .Add({{"version", kVersion}})
      .Set(1);
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
  for (const auto* reason :
       {"header_too_large", "malformed", "header_timeout", "not_found", "method_not_allowed"}) {
    refusals_.emplace_back(reason, &refused_.Add({{"reason", reason}}));
  }
  for (const auto& topic : topics) {
    topics_.push_back(TopicSeries{.topic = topic,
                                  .produced = &produced_.Add({{"topic", topic}}),
                                  .errors = &produce_errors_.Add({{"topic", topic}})});
  }
}

Metrics::~Metrics() = default;

Metrics::SourceSeries* Metrics::series_for(std::string_view source) {
  for (const auto& series : sources_) {
    if (series->name == source) return series.get();
  }
  return nullptr;
}

void Metrics::webhook_answered(std::string_view source, std::string_view outcome) {
  auto* series = series_for(source);
  if (series == nullptr) return;
  for (std::size_t i = 0; i < kOutcomes.size(); ++i) {
    if (kOutcomes[i] == outcome) series->outcomes[i]->Increment();
  }
}

void Metrics::webhook_duration(std::string_view source, double seconds) {
  if (auto* series = series_for(source)) series->duration->Observe(seconds);
}

const Metrics::TopicSeries* Metrics::series_for_topic(std::string_view topic) const {
  for (const auto& series : topics_) {
    if (series.topic == topic) return &series;
  }
  return nullptr;
}

void Metrics::http_refused(std::string_view reason) {
  for (const auto& [name, counter] : refusals_) {
    if (name == reason) return counter->Increment();
  }
}

void Metrics::kafka_produced(std::string_view topic) {
  if (const auto* series = series_for_topic(topic)) return series->produced->Increment();
  produced_.Add({{"topic", std::string(topic)}}).Increment();
}

void Metrics::webhook_field_warning(std::string_view source, std::string_view field) {
  // Rare by nature (a platform sending something odd): a locked lookup is fine.
  field_warnings_.Add({{"source", std::string(source)}, {"field", std::string(field)}}).Increment();
}

void Metrics::kafka_produce_error(std::string_view topic) {
  if (const auto* series = series_for_topic(topic)) return series->errors->Increment();
  produce_errors_.Add({{"topic", std::string(topic)}}).Increment();
}

namespace {
const prometheus::Histogram::BucketBoundaries kEnrichBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

void Metrics::enrich_platforms(const std::vector<std::string>& platforms) {
  for (const auto& platform : platforms) {
    for (const auto* outcome : {"ok", "failed", "not_applicable", "invalid"}) {
      enrich_requests_.Add({{"platform", platform}, {"outcome", outcome}});
    }
    for (const auto* result : {"ok", "error", "circuit_open"}) {
      for (const auto* reason : {"event", "reconcile"}) {
        enrich_fetches_.Add({{"platform", platform}, {"result", result}, {"reason", reason}});
      }
    }
    enrich_coalesced_.Add({{"platform", platform}});
    enrich_reconcile_dropped_.Add({{"platform", platform}});
    enrich_reconcile_pending_.Add({{"platform", platform}}).Set(0);
    enrich_duration_.Add({{"platform", platform}}, kEnrichBuckets);
    circuit_open_.Add({{"upstream", platform}}).Set(0);
  }
}

void Metrics::enrich_result(std::string_view platform, std::string_view outcome) {
  enrich_requests_.Add({{"platform", std::string(platform)}, {"outcome", std::string(outcome)}})
      .Increment();
}

void Metrics::enrich_duration(std::string_view platform, double seconds) {
  enrich_duration_.Add({{"platform", std::string(platform)}}, kEnrichBuckets).Observe(seconds);
}

void Metrics::enrich_fetch(std::string_view platform, std::string_view result,
                           std::string_view reason) {
  enrich_fetches_
      .Add({{"platform", std::string(platform)},
            {"result", std::string(result)},
            {"reason", std::string(reason)}})
      .Increment();
}

void Metrics::enrich_reconcile_dropped(std::string_view platform) {
  enrich_reconcile_dropped_.Add({{"platform", std::string(platform)}}).Increment();
}

void Metrics::set_enrich_reconcile_pending(std::string_view platform, double conversations) {
  enrich_reconcile_pending_.Add({{"platform", std::string(platform)}}).Set(conversations);
}

void Metrics::enrich_coalesced(std::string_view platform) {
  enrich_coalesced_.Add({{"platform", std::string(platform)}}).Increment();
}

void Metrics::set_circuit_open(std::string_view upstream, bool open) {
  circuit_open_.Add({{"upstream", std::string(upstream)}}).Set(open ? 1 : 0);
}

void Metrics::set_upstream_connections(std::string_view upstream, double idle, double active) {
  upstream_connections_.Add({{"upstream", std::string(upstream)}, {"state", "idle"}}).Set(idle);
  upstream_connections_.Add({{"upstream", std::string(upstream)}, {"state", "active"}}).Set(active);
}

void Metrics::set_consumer_lag(std::string_view topic, double lag) {
  consumer_lag_.Add({{"topic", std::string(topic)}}).Set(lag);
}

void Metrics::directly_polling() {
  for (const auto* result : {"not_modified", "unchanged", "changed", "error"}) {
    directly_polls_.Add({{"result", result}});
  }
  directly_watched_.Add({}).Set(0);
}

void Metrics::directly_poll(std::string_view result) {
  directly_polls_.Add({{"result", std::string(result)}}).Increment();
}

void Metrics::set_directly_watched(double questions) {
  directly_watched_.Add({}).Set(questions);
}

void Metrics::on_scrape(std::function<void(Metrics&)> collector) {
  collectors_.push_back(std::move(collector));
}

void Metrics::set_inflight(double value) {
  inflight_.Set(value);
}
void Metrics::set_ready(bool ready) {
  ready_.Set(ready ? 1 : 0);
}

void Metrics::set_dedupe_entries(double entries) {
  dedupe_entries_.Set(entries);
}

std::string Metrics::scrape() {
  for (const auto& collect : collectors_)
    collect(*this);
  resident_memory_.Set(resident_memory_bytes());
  open_fds_.Set(open_file_descriptors());
  return prometheus::TextSerializer().Serialize(registry_->Collect());
}

void Metrics::spool_enabled() {
  std::lock_guard lock(spool_mutex_);
  if (spool_bytes_ != nullptr) return;
  const auto gauge = [&](const char* name, const char* help) {
    return &prometheus::BuildGauge().Name(name).Help(help).Register(*registry_).Add({});
  };
  const auto counter = [&](const char* name, const char* help) {
    return &prometheus::BuildCounter().Name(name).Help(help).Register(*registry_).Add({});
  };
  spool_bytes_ = gauge("parley_spool_bytes", "Bytes of spool segment files on disk");
  spool_records_ = gauge("parley_spool_records", "Spooled events not yet acknowledged by Kafka");
  spool_oldest_ = gauge("parley_spool_oldest_age_seconds",
                        "Age of the oldest spooled event not yet forwarded (0 when empty)");
  spool_max_ = gauge("parley_spool_max_bytes", "spool.max_bytes (0 when the spool is off)");
  spool_appended_ = counter("parley_spool_appended_total", "Events made durable in the spool");
  spool_forwarded_ =
      counter("parley_spool_forwarded_total", "Spooled events forwarded to Kafka and removed");
  spool_errors_ = &prometheus::BuildCounter()
                       .Name("parley_spool_errors_total")
                       .Help(
                           "Spool errors by kind: full, write, sync, torn_tail, quarantined, "
                           "forward, corrupt_read")
                       .Register(*registry_);
  for (const auto* kind :
       {"full", "write", "sync", "torn_tail", "quarantined", "forward", "corrupt_read"}) {
    spool_errors_->Add({{"kind", kind}});
  }
}

void Metrics::set_spool(double max_bytes, double bytes, double records, double oldest_age_seconds,
                        std::uint64_t appended_total, std::uint64_t forwarded_total,
                        const std::map<std::string, std::uint64_t>& errors_by_kind) {
  std::lock_guard lock(spool_mutex_);
  if (spool_bytes_ == nullptr) return;
  spool_max_->Set(max_bytes);
  spool_bytes_->Set(bytes);
  spool_records_->Set(records);
  spool_oldest_->Set(oldest_age_seconds);
  // The spool counts since start; the counters catch up by the difference.
  const auto catch_up = [](prometheus::Counter& counter, double total) {
    if (total > counter.Value()) counter.Increment(total - counter.Value());
  };
  catch_up(*spool_appended_, static_cast<double>(appended_total));
  catch_up(*spool_forwarded_, static_cast<double>(forwarded_total));
  for (const auto& [kind, count] : errors_by_kind)
    catch_up(spool_errors_->Add({{"kind", kind}}), static_cast<double>(count));
}

}  // namespace parley::metrics
