#include "parley/platforms/platform.hpp"
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

}  // namespace

const Platform& platform() {
  static constexpr Platform kEntry{.name = config::DirectlySource::kPlatform,
                                   .add_routes = add_routes,
                                   .make_api = nullptr,
                                   .fuzz_target = "fuzz_directly_question.cpp",
                                   .simulator = "directly_api.cpp"};
  return kEntry;
}

}  // namespace parley::platforms::directly
