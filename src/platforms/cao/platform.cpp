#include "parley/platforms/platform.hpp"
#include "parley/platforms/cao/api.hpp"
#include "parley/platforms/cao/send.hpp"
#include "parley/platforms/cao/webhook.hpp"

namespace parley::platforms::cao {
namespace {

// /v1/webhooks/<name>/messages and /receipts; enriched from CAO's REST API.
void add_routes(const config::Source& source, const RouteContext& context, http::Router& router) {
  const auto& cao = std::get<config::CaoSource>(source.settings);
  add_webhook(
      router, webhooks_path(source) + "/messages", context,
      std::make_shared<sources::CaoMessages>(cao.webhook, context.include_raw, source.name));
  add_webhook(
      router, webhooks_path(source) + "/receipts", context,
      std::make_shared<sources::CaoReceipts>(cao.webhook, context.include_raw, source.name));
}

Result<std::unique_ptr<enrich::PlatformApi>, std::string> make_api(
    const boost::asio::any_io_executor& executor, const config::Source& source,
    const enrich::ApiOptions& options) {
  const auto& cao = std::get<config::CaoSource>(source.settings);
  if (cao.api.base_url.empty()) return std::unique_ptr<enrich::PlatformApi>();
  return enrich::make_cao_api(executor, source.name, cao.api, options);
}

Result<std::unique_ptr<commands::PlatformSender>, std::string> make_source_sender(
    const boost::asio::any_io_executor& executor, const config::Source& source,
    const enrich::ApiOptions& options) {
  const auto& cao = std::get<config::CaoSource>(source.settings);
  if (cao.api.base_url.empty()) return std::unique_ptr<commands::PlatformSender>();
  return make_sender(executor, source.name, cao.api, options);
}

}  // namespace

const Platform& platform() {
  static constexpr Platform kEntry{.name = config::CaoSource::kPlatform,
                                   .add_routes = add_routes,
                                   .make_api = make_api,
                                   .make_sender = make_source_sender,
                                   .command_rules = {cao::supports, cao::check},
                                   .fuzz_target = "fuzz_cao_messages.cpp",
                                   .simulator = "cao_api.cpp"};
  return kEntry;
}

}  // namespace parley::platforms::cao
