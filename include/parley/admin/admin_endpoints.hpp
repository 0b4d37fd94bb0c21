#pragma once

#include <functional>
#include <optional>
#include <string>

#include "parley/http/admission.hpp"
#include "parley/http/listener_stats.hpp"
#include "parley/http/router.hpp"
#include "parley/metrics/registry.hpp"

namespace parley::admin {

/// What /readyz asks. Each probe is called on I/O threads and must be thread-safe.
struct Probes {
  std::function<bool()> kafka_reachable;
  /// Why the service cannot work until restarted or reconfigured (a fatal producer
  /// error, Kafka refusing authorization), else nullopt: /healthz answers 503 naming it.
  std::function<std::optional<std::string>()> failure = [] { return std::nullopt; };
  /// With a spool: why it refuses appends (full, failing), else nullopt. While it takes
  /// them, an unreachable Kafka leaves /readyz at 200 ("spooling"). Empty = no spool.
  std::function<std::optional<std::string>()> spool_refusal;
  /// With a spool: true while it holds records not yet forwarded.
  std::function<bool()> spooling;
};

/// Routes of the admin listener: GET /healthz (alive unless probes.failure says otherwise), GET
/// /readyz (200 when not draining and Kafka is reachable or the spool takes events; the body
/// says when it is spooling), GET
/// /metrics (Prometheus text of `registry`). Exports parley_ready and, into `listener`,
/// the admission's in-flight count, at every scrape. `admission`, `registry` and `listener`
/// must outlive the router.
void add_routes(http::Router& router, const Probes& probes, const http::Admission& admission,
                metrics::Registry& registry, http::ListenerStats& listener);

}  // namespace parley::admin
