#pragma once

#include <functional>

#include "parley/http/admission.hpp"
#include "parley/http/router.hpp"
#include "parley/metrics/metrics.hpp"

namespace parley::admin {

/// What /readyz asks. Each probe is called on I/O threads and must be thread-safe.
struct Probes {
  std::function<bool()> kafka_reachable;
  /// False when the process cannot recover by itself (a fatal Kafka producer error):
  /// /healthz answers 503 so the orchestrator restarts it.
  std::function<bool()> alive = [] { return true; };
};

/// Routes of the admin listener: GET /healthz (alive unless probes.alive says otherwise), GET
/// /readyz (200 only when Kafka is reachable and the ingest admission is not draining), GET
/// /metrics (Prometheus text). `admission` and `metrics` must outlive the router.
void add_routes(http::Router& router, Probes probes, const http::Admission& admission,
                metrics::Metrics& metrics);

}  // namespace parley::admin
