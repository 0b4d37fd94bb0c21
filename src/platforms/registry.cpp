#include "parley/platforms/registry.hpp"

#include <array>
#include <chrono>

#include "parley/sources/cao/cao.hpp"
#include "parley/sources/justanswer/justanswer.hpp"
#include "parley/sources/talkjs/talkjs.hpp"

namespace parley::platforms {
namespace {

namespace bhttp = boost::beast::http;
using ApiResult = Result<std::unique_ptr<enrich::PlatformApi>, std::string>;

void add_webhook(http::Router& router, std::string path, const RouteContext& context,
                 std::shared_ptr<const sources::Source> source) {
  router.add(bhttp::verb::post, std::move(path),
             std::make_shared<ingest::WebhookEndpoint>(std::move(source), context.producer,
                                                       context.metrics, context.events));
}

std::string webhooks_path(const config::Source& source) {
  return "/v1/webhooks/" + source.name;
}

// --- JustAnswer: POST /v1/webhooks/<name>; enriched from its REST API ---

void justanswer_routes(const config::Source& source, const RouteContext& context,
                       http::Router& router) {
  const auto& ja = std::get<config::JustAnswerSource>(source.settings);
  add_webhook(router, webhooks_path(source), context,
              std::make_shared<sources::JustAnswer>(ja.webhook, context.include_raw, source.name));
}

ApiResult justanswer_api(const boost::asio::any_io_executor& executor, const config::Source& source,
                         const enrich::ApiOptions& options) {
  const auto& ja = std::get<config::JustAnswerSource>(source.settings);
  if (ja.api.base_url.empty()) return std::unique_ptr<enrich::PlatformApi>();
  return enrich::make_justanswer_api(executor, source.name, ja.api, options);
}

// --- ContactAtOnce!: /v1/webhooks/<name>/messages and /receipts ---

void cao_routes(const config::Source& source, const RouteContext& context, http::Router& router) {
  const auto& cao = std::get<config::CaoSource>(source.settings);
  add_webhook(
      router, webhooks_path(source) + "/messages", context,
      std::make_shared<sources::CaoMessages>(cao.webhook, context.include_raw, source.name));
  add_webhook(
      router, webhooks_path(source) + "/receipts", context,
      std::make_shared<sources::CaoReceipts>(cao.webhook, context.include_raw, source.name));
}

ApiResult cao_api(const boost::asio::any_io_executor& executor, const config::Source& source,
                  const enrich::ApiOptions& options) {
  const auto& cao = std::get<config::CaoSource>(source.settings);
  if (cao.api.base_url.empty()) return std::unique_ptr<enrich::PlatformApi>();
  return enrich::make_cao_api(executor, source.name, cao.api, options);
}

// --- TalkJS: POST /v1/webhooks/<name> ---

void talkjs_routes(const config::Source& source, const RouteContext& context,
                   http::Router& router) {
  const auto& talkjs = std::get<config::TalkJsSource>(source.settings);
  add_webhook(router, webhooks_path(source), context,
              std::make_shared<sources::TalkJs>(talkjs, context.include_raw,
                                                std::chrono::system_clock::now, source.name));
}

ApiResult talkjs_api(const boost::asio::any_io_executor& executor, const config::Source& source,
                     const enrich::ApiOptions& options) {
  const auto& talkjs = std::get<config::TalkJsSource>(source.settings);
  // The base URL has a default (api.talkjs.com); the secret key says it is configured.
  if (talkjs.api.secret_key.empty()) return std::unique_ptr<enrich::PlatformApi>();
  return enrich::make_talkjs_api(executor, source.name, talkjs.api, options);
}

// --- Directly: no webhooks; the watch list at /v1/<name>/watches, polled by directly/ ---

void directly_routes(const config::Source& source, const RouteContext& context,
                     http::Router& router) {
  const auto& directly = std::get<config::DirectlySource>(source.settings);
  auto watches = std::make_shared<directly::WatchEndpoint>(
      directly.watch, context.producer, context.metrics, context.watches, source.name);
  router.add(bhttp::verb::post, directly::watches_path(source.name), watches);
  router.add(bhttp::verb::delete_, directly::watch_route(source.name), watches);
}

constexpr std::array kPlatforms = {
    Platform{.name = config::JustAnswerSource::kPlatform,
             .add_routes = justanswer_routes,
             .make_api = justanswer_api,
             .fuzz_target = "fuzz_justanswer.cpp",
             .simulator = "justanswer_api.cpp"},
    Platform{.name = config::CaoSource::kPlatform,
             .add_routes = cao_routes,
             .make_api = cao_api,
             .fuzz_target = "fuzz_cao_messages.cpp",
             .simulator = "cao_api.cpp"},
    Platform{.name = config::TalkJsSource::kPlatform,
             .add_routes = talkjs_routes,
             .make_api = talkjs_api,
             .fuzz_target = "fuzz_talkjs.cpp",
             .simulator = "talkjs_api.cpp"},
    Platform{.name = config::DirectlySource::kPlatform,
             .add_routes = directly_routes,
             .make_api = nullptr,
             .fuzz_target = "fuzz_directly_question.cpp",
             .simulator = "directly_api.cpp"},
};

}  // namespace

std::span<const Platform> all() {
  return kPlatforms;
}

const Platform* find(std::string_view name) {
  for (const auto& platform : kPlatforms) {
    if (platform.name == name) return &platform;
  }
  return nullptr;
}

}  // namespace parley::platforms
