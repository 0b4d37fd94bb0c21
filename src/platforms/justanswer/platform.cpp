#include "parley/platforms/platform.hpp"
#include "parley/platforms/justanswer/api.hpp"
#include "parley/platforms/justanswer/send.hpp"
#include "parley/platforms/justanswer/webhook.hpp"

namespace parley::platforms::justanswer {
namespace {

// POST /v1/webhooks/<name>; enriched from JustAnswer's REST API.
void add_routes(const config::Source& source, const RouteContext& context, http::Router& router) {
  const auto& ja = std::get<config::JustAnswerSource>(source.settings);
  add_webhook(router, webhooks_path(source), context,
              std::make_shared<sources::JustAnswer>(ja.webhook, context.include_raw, source.name));
}

Result<std::unique_ptr<enrich::PlatformApi>, std::string> make_api(
    const boost::asio::any_io_executor& executor, const config::Source& source,
    const enrich::ApiOptions& options) {
  const auto& ja = std::get<config::JustAnswerSource>(source.settings);
  if (ja.api.base_url.empty()) return std::unique_ptr<enrich::PlatformApi>();
  return enrich::make_justanswer_api(executor, source.name, ja.api, options);
}

Result<std::unique_ptr<commands::PlatformSender>, std::string> make_source_sender(
    const boost::asio::any_io_executor& executor, const config::Source& source,
    const enrich::ApiOptions& options) {
  const auto& ja = std::get<config::JustAnswerSource>(source.settings);
  if (ja.api.base_url.empty()) return std::unique_ptr<commands::PlatformSender>();
  return make_sender(executor, source.name, ja.api, options);
}

}  // namespace

const Platform& platform() {
  static constexpr Platform kEntry{.name = config::JustAnswerSource::kPlatform,
                                   .add_routes = add_routes,
                                   .make_api = make_api,
                                   .make_sender = make_source_sender,
                                   .command_rules = {justanswer::supports, justanswer::check},
                                   .fuzz_target = "fuzz_justanswer.cpp",
                                   .simulator = "justanswer_api.cpp"};
  return kEntry;
}

}  // namespace parley::platforms::justanswer
