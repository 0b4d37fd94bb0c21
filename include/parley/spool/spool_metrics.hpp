#pragma once

#include <cstdint>

#include "parley/metrics/registry.hpp"
#include "parley/spool/spool.hpp"

namespace parley::spool {

/// The spool's series (parley_spool_*), registered at zero also with the spool off so alerts
/// see zeros, and read from a Spool's SpoolStats at scrape time once one is open.
class SpoolMetrics {
 public:
  explicit SpoolMetrics(metrics::Registry& registry);

  /// Reads `spool` (with its configured `max_bytes`) before every scrape. `spool` must
  /// outlive the registry's scrapes; call once, at start.
  void export_from(metrics::Registry& registry, const Spool& spool, std::uint64_t max_bytes);

 private:
  void set(double max_bytes, const SpoolStats& stats);

  prometheus::Gauge& bytes_;
  prometheus::Gauge& records_;
  prometheus::Gauge& oldest_;
  prometheus::Gauge& max_;
  prometheus::Counter& appended_;
  prometheus::Counter& forwarded_;
  prometheus::Family<prometheus::Counter>& errors_;
};

}  // namespace parley::spool
