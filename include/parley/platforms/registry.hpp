#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "parley/common/result.hpp"
#include "parley/config/config.hpp"
#include "parley/directly/watch_endpoint.hpp"
#include "parley/enrich/platform_api.hpp"
#include "parley/http/router.hpp"
#include "parley/ingest/webhook_endpoint.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/metrics/metrics.hpp"

namespace parley::platforms {

/// What every source's routes publish through. The producer, metrics, dedupe set and
/// spool must outlive the routes.
struct RouteContext {
  kafka::Producer& producer;
  metrics::Metrics& metrics;
  ingest::Publishing events;          ///< webhooks: the events topic, dedupe, spool
  directly::WatchPublishing watches;  ///< Directly: the watch list
  bool include_raw = true;
};

/// Everything the app needs to know about one platform, one entry per platform in all().
/// A platform is its webhook source (sources/<name>), its REST client (enrich) or poller
/// (directly), its config section (config), its part of parley-sim and its fuzz target;
/// tests/platforms walks the table and fails when any part is missing.
struct Platform {
  std::string_view name;  ///< the value of `platform:`, and the default source name

  /// Adds the routes of `source`, a source of this platform, to `router`.
  void (*add_routes)(const config::Source& source, const RouteContext& context,
                     http::Router& router);

  /// The enrichment client of `source`; null when its api section is left empty (its
  /// events are then not enriched); an error names a half-filled key. Itself null for a
  /// platform that is not enriched (Directly is polled whole).
  Result<std::unique_ptr<enrich::PlatformApi>, std::string> (*make_api)(
      const boost::asio::any_io_executor& executor, const config::Source& source,
      const enrich::ApiOptions& options);

  std::string_view fuzz_target;  ///< its fuzz target, under tests/fuzz/
  std::string_view simulator;    ///< its API in parley-sim, under src/sim/
};

/// Every platform parley knows, in the order of config::kPlatforms. Immutable.
std::span<const Platform> all();

/// The entry of platform `name`; null for an unknown one.
const Platform* find(std::string_view name);

}  // namespace parley::platforms
