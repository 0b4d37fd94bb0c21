#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "parley/commands/platform_sender.hpp"
#include "parley/commands/senders.hpp"
#include "parley/common/result.hpp"
#include "parley/config/config.hpp"
#include "parley/enrich/platform_api.hpp"
#include "parley/http/router.hpp"
#include "parley/ingest/webhook_endpoint.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/platforms/directly/watch_endpoint.hpp"
#include "parley/sources/source.hpp"

namespace parley::platforms {

/// What every source's routes publish through and count in. The producer, stats, dedupe
/// set and spool must outlive the routes.
struct RouteContext {
  kafka::Producer& producer;
  ingest::WebhookStats& stats;
  kafka::ProduceStats& produced;
  ingest::Publishing events;                  ///< webhooks: the events topic, dedupe, spool
  parley::directly::WatchPublishing watches;  ///< Directly: the watch list
  bool include_raw = true;
};

/// Everything the app needs to know about one platform. Each platform's folder,
/// src/platforms/<name>/, holds all of it: its webhook verification and normalization
/// (webhook.cpp) or watch list and poller (Directly), its REST client and the reader of its
/// answers (api.cpp, api_responses.cpp), its send client for commands and the reader of its
/// answers (send.cpp, send_responses.cpp), its config section (settings.cpp) and this entry
/// (platform.cpp), which registry.cpp lists. Its part of parley-sim and its fuzz target
/// are named here; tests/platforms walks the table and fails when any part is missing.
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

  /// The send client of `source` for commands, owned by the caller and used only from
  /// `executor`'s strand; null when its api section is left empty (it then cannot send); an
  /// error names a half-filled key.
  Result<std::unique_ptr<commands::PlatformSender>, std::string> (*make_sender)(
      const boost::asio::any_io_executor& executor, const config::Source& source,
      const enrich::ApiOptions& options);

  /// The commands it has and the fields they need, known without credentials (the HTTP door
  /// checks commands with them on pods that hold no api section); empty when it has none.
  commands::CommandRules command_rules;

  std::string_view fuzz_target;  ///< its fuzz target, under tests/fuzz/
  std::string_view simulator;    ///< its API in parley-sim, under src/sim/
};

/// Adds the webhook `source` at `path` (POST), publishing through `context`.
void add_webhook(http::Router& router, std::string path, const RouteContext& context,
                 std::shared_ptr<const sources::Source> source);

/// "/v1/webhooks/<name>": where the webhooks of the source named `name` arrive.
std::string webhooks_path(const config::Source& source);

}  // namespace parley::platforms
