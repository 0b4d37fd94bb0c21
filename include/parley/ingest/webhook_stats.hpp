#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "parley/metrics/registry.hpp"

namespace parley::ingest {

/// The webhook endpoints' stats (and Directly's watch endpoint's, which answers the same
/// way): parley_webhooks_received_total{source,outcome}, parley_webhook_duration_seconds
/// {source}, parley_webhook_field_warnings_total{source,field}. Recording is thread-safe and
/// allocation-free for the sources given at construction; another source is not counted.
class WebhookStats {
 public:
  /// Every answer outcome: an http::metric_outcome value, "accepted", "duplicate", "spooled".
  static constexpr std::array<std::string_view, 15> kOutcomes = {
      "accepted", "duplicate", "unauthorized", "invalid", "too_large", "overloaded",
      "publish_failed", "draining", "timeout", "internal", "spooled",
      // Refused before the request was verified (its proof is a signature over the body):
      // anyone can cause these, so they stay out of the rejection alert.
      "unauthenticated_invalid", "unauthenticated_too_large", "unauthenticated_overloaded",
      "unauthenticated_timeout"};

  /// The outcome a refusal of `outcome` counts as before verification: one of the
  /// unauthenticated_* outcomes, or `outcome` itself when it has none (draining).
  static std::string_view unauthenticated(std::string_view outcome) {
    for (const auto candidate : kOutcomes) {
      if (candidate.starts_with("unauthenticated_") &&
          candidate.substr(std::string_view("unauthenticated_").size()) == outcome) {
        return candidate;
      }
    }
    return outcome;
  }

  /// Creates the series of `sources` at zero, so alerts see zeros, not gaps.
  WebhookStats(metrics::Registry& registry, const std::vector<std::string>& sources);
  ~WebhookStats();
  WebhookStats(const WebhookStats&) = delete;
  WebhookStats& operator=(const WebhookStats&) = delete;

  void answered(std::string_view source, std::string_view outcome);
  /// Receive-to-answer time of a request that reached its endpoint.
  void duration(std::string_view source, double seconds);
  /// An optional field of a verified webhook dropped or resolved (FieldWarning).
  void field_warning(std::string_view source, std::string_view field);

 private:
  struct SourceSeries;
  SourceSeries* series_for(std::string_view source);

  prometheus::Family<prometheus::Counter>& received_;
  prometheus::Family<prometheus::Histogram>& duration_;
  prometheus::Family<prometheus::Counter>& field_warnings_;
  std::vector<std::unique_ptr<SourceSeries>> sources_;
};

/// Records one request's receive-to-answer time when it goes out of scope, so every path of
/// an endpoint is timed. `stats` must outlive it.
class WebhookTimer {
 public:
  WebhookTimer(WebhookStats& stats, std::string_view source,
               std::chrono::steady_clock::time_point received)
      : stats_(stats), source_(source), received_(received) {}
  ~WebhookTimer() {
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - received_;
    stats_.duration(source_, elapsed.count());
  }
  WebhookTimer(const WebhookTimer&) = delete;
  WebhookTimer& operator=(const WebhookTimer&) = delete;

 private:
  WebhookStats& stats_;
  std::string_view source_;  // the endpoint's own name, which outlives the request
  std::chrono::steady_clock::time_point received_;
};

}  // namespace parley::ingest
