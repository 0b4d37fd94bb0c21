#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parley/metrics/registry.hpp"

namespace parley::http {

/// The webhook listener's stats: parley_http_refused_total{reason} (requests refused before
/// any endpoint owned them: header_too_large, malformed, header_timeout, not_found,
/// method_not_allowed) and parley_inflight_requests. Thread-safe, allocation-free.
class ListenerStats {
 public:
  explicit ListenerStats(metrics::Registry& registry);

  void refused(std::string_view reason);
  void set_inflight(double requests);

 private:
  prometheus::Gauge& inflight_;
  std::vector<std::pair<std::string, prometheus::Counter*>> refusals_;
};

}  // namespace parley::http
