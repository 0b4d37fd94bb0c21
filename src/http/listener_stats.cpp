#include "parley/http/listener_stats.hpp"

namespace parley::http {

ListenerStats::ListenerStats(metrics::Registry& registry)
    : inflight_(
          registry
              .gauge("parley_inflight_requests", "Webhook requests admitted and not yet answered")
              .Add({})) {
  auto& refused = registry.counter(
      "parley_http_refused_total",
      "Requests to the webhook listener refused before any source owned them, by reason");
  for (const auto* reason :
       {"header_too_large", "malformed", "header_timeout", "not_found", "method_not_allowed"}) {
    refusals_.emplace_back(reason, &refused.Add({{"reason", reason}}));
  }
}

void ListenerStats::refused(std::string_view reason) {
  for (const auto& [name, counter] : refusals_) {
    if (name == reason) return counter->Increment();
  }
}

void ListenerStats::set_inflight(double requests) {
  inflight_.Set(requests);
}

}  // namespace parley::http
