#include "parley/spool/spool_metrics.hpp"

#include <algorithm>
#include <chrono>

namespace parley::spool {
namespace {

double age_seconds(std::optional<std::int64_t> since_ms) {
  if (!since_ms) return 0;
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  return std::max<double>(0, static_cast<double>(now_ms - *since_ms) / 1000.0);
}

// The spool counts since start; a counter catches up by the difference.
void catch_up(prometheus::Counter& counter, std::uint64_t total) {
  const auto value = static_cast<double>(total);
  if (value > counter.Value()) counter.Increment(value - counter.Value());
}

}  // namespace

SpoolMetrics::SpoolMetrics(metrics::Registry& registry)
    : bytes_(registry.gauge("parley_spool_bytes", "Bytes of spool segment files on disk").Add({})),
      records_(
          registry.gauge("parley_spool_records", "Spooled events not yet acknowledged by Kafka")
              .Add({})),
      oldest_(registry
                  .gauge("parley_spool_oldest_age_seconds",
                         "Age of the oldest spooled event not yet forwarded (0 when empty)")
                  .Add({})),
      max_(registry.gauge("parley_spool_max_bytes", "spool.max_bytes (0 when the spool is off)")
               .Add({})),
      appended_(registry.counter("parley_spool_appended_total", "Events made durable in the spool")
                    .Add({})),
      forwarded_(registry
                     .counter("parley_spool_forwarded_total",
                              "Spooled events forwarded to Kafka and removed")
                     .Add({})),
      errors_(registry.counter("parley_spool_errors_total",
                               "Spool errors by kind: full, write, sync, torn_tail, quarantined, "
                               "forward, corrupt_read, refused")) {
  for (const auto* kind : {"full", "write", "sync", "torn_tail", "quarantined", "forward",
                           "corrupt_read", "refused"}) {
    errors_.Add({{"kind", kind}});
  }
}

void SpoolMetrics::export_from(metrics::Registry& registry, const Spool& spool,
                               std::uint64_t max_bytes) {
  registry.on_scrape(
      [this, &spool, max_bytes] { set(static_cast<double>(max_bytes), spool.stats()); });
}

void SpoolMetrics::set(double max_bytes, const SpoolStats& stats) {
  max_.Set(max_bytes);
  bytes_.Set(static_cast<double>(stats.bytes));
  records_.Set(static_cast<double>(stats.records));
  oldest_.Set(age_seconds(stats.oldest_ms));
  catch_up(appended_, stats.appended_total);
  catch_up(forwarded_, stats.forwarded_total);
  for (const auto& [kind, count] : stats.errors)
    catch_up(errors_.Add({{"kind", kind}}), count);
}

}  // namespace parley::spool
