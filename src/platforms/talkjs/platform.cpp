#include <chrono>

#include "parley/platforms/platform.hpp"
#include "parley/platforms/talkjs/api.hpp"
#include "parley/platforms/talkjs/send.hpp"
#include "parley/platforms/talkjs/webhook.hpp"

namespace parley::platforms::talkjs {
namespace {

// POST /v1/webhooks/<name>; enriched from TalkJS's REST API.
void add_routes(const config::Source& source, const RouteContext& context, http::Router& router) {
  const auto& talkjs = std::get<config::TalkJsSource>(source.settings);
  add_webhook(router, webhooks_path(source), context,
              std::make_shared<sources::TalkJs>(talkjs, context.include_raw,
                                                std::chrono::system_clock::now, source.name));
}

Result<std::unique_ptr<enrich::PlatformApi>, std::string> make_api(
    const boost::asio::any_io_executor& executor, const config::Source& source,
    const enrich::ApiOptions& options) {
  const auto& talkjs = std::get<config::TalkJsSource>(source.settings);
  // The base URL has a default (api.talkjs.com); the secret key says it is configured.
  if (talkjs.api.secret_key.empty()) return std::unique_ptr<enrich::PlatformApi>();
  return enrich::make_talkjs_api(executor, source.name, talkjs.api, options);
}

Result<std::unique_ptr<commands::PlatformSender>, std::string> make_source_sender(
    const boost::asio::any_io_executor& executor, const config::Source& source,
    const enrich::ApiOptions& options) {
  const auto& talkjs = std::get<config::TalkJsSource>(source.settings);
  // As for enrichment: the secret key says the api section is configured.
  if (talkjs.api.secret_key.empty()) return std::unique_ptr<commands::PlatformSender>();
  return make_sender(executor, source.name, talkjs.api, options);
}

}  // namespace

const Platform& platform() {
  static constexpr Platform kEntry{.name = config::TalkJsSource::kPlatform,
                                   .add_routes = add_routes,
                                   .make_api = make_api,
                                   .make_sender = make_source_sender,
                                   .command_rules = {talkjs::supports, talkjs::check},
                                   .fuzz_target = "fuzz_talkjs.cpp",
                                   .simulator = "talkjs_api.cpp"};
  return kEntry;
}

}  // namespace parley::platforms::talkjs
