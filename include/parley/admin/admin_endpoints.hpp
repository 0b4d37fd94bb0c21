#pragma once

#include <functional>

#include "parley/http/admission.hpp"
#include "parley/http/router.hpp"
#include "parley/metrics/metrics.hpp"

namespace parley::admin {

/// What /readyz asks. Each probe is called on I/O threads and must be thread-safe.
struct Probes {
  std::function<bool()> kafka_reachable;
};

/// Routes of the admin listener: GET /healthz (alive), GET /readyz (200 only when Kafka
/// is reachable and the ingest admission is not draining), GET /metrics (Prometheus text).
/// `admission` and `metrics` must outlive the router.
void add_routes(http::Router& router, Probes probes, const http::Admission& admission,
                metrics::Metrics& metrics);

}  // namespace parley::admin
