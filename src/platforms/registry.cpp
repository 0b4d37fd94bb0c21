#include "parley/platforms/registry.hpp"

#include <array>

namespace parley::platforms {

// Each platform's entry, defined in its folder (src/platforms/<name>/platform.cpp).
namespace justanswer {
const Platform& platform();
}
namespace cao {
const Platform& platform();
}
namespace talkjs {
const Platform& platform();
}
namespace directly {
const Platform& platform();
}

namespace {

namespace bhttp = boost::beast::http;

const std::array<Platform, 4>& table() {
  static const std::array kTable = {justanswer::platform(), cao::platform(), talkjs::platform(),
                                    directly::platform()};
  return kTable;
}

}  // namespace

std::span<const Platform> all() {
  return table();
}

const Platform* find(std::string_view name) {
  for (const auto& platform : table()) {
    if (platform.name == name) return &platform;
  }
  return nullptr;
}

void add_webhook(http::Router& router, std::string path, const RouteContext& context,
                 std::shared_ptr<const sources::Source> source) {
  router.add(
      bhttp::verb::post, std::move(path),
      std::make_shared<ingest::WebhookEndpoint>(std::move(source), context.producer, context.stats,
                                                context.produced, context.events));
}

std::string webhooks_path(const config::Source& source) {
  return "/v1/webhooks/" + source.name;
}

}  // namespace parley::platforms
