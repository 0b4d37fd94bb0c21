#include "parley/platforms/platform.hpp"
#include "parley/platforms/directly/send.hpp"
#include "parley/platforms/directly/watch_endpoint.hpp"

namespace parley::platforms::directly {
namespace {

namespace bhttp = boost::beast::http;

// No webhooks: the watch list at /v1/<name>/watches; the poller (poller.cpp) fetches the
// watched questions whole, so there is nothing to enrich.
void add_routes(const config::Source& source, const RouteContext& context, http::Router& router) {
  const auto& directly = std::get<config::DirectlySource>(source.settings);
  auto watches = std::make_shared<parley::directly::WatchEndpoint>(directly.watch, context.producer,
                                                                   context.stats, context.produced,
                                                                   context.watches, source.name);
  router.add(bhttp::verb::post, parley::directly::watches_path(source.name), watches);
  router.add(bhttp::verb::delete_, parley::directly::watch_route(source.name), watches);
}

Result<std::unique_ptr<commands::PlatformSender>, std::string> make_source_sender(
    const boost::asio::any_io_executor& executor, const config::Source& source,
    const enrich::ApiOptions& options) {
  const auto& directly = std::get<config::DirectlySource>(source.settings);
  if (directly.api.base_url.empty()) return std::unique_ptr<commands::PlatformSender>();
  return parley::directly::make_sender(executor, source.name, directly.api, options);
}

}  // namespace

const Platform& platform() {
  static constexpr Platform kEntry{
      .name = config::DirectlySource::kPlatform,
      .add_routes = add_routes,
      .make_api = nullptr,
      .make_sender = make_source_sender,
      .command_rules = {parley::directly::supports, parley::directly::check},
      .fuzz_target = "fuzz_directly_question.cpp",
      .simulator = "directly_api.cpp"};
  return kEntry;
}

}  // namespace parley::platforms::directly
