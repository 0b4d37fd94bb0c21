// The platform table: every platform the config knows has one entry, and every entry has
// all its parts -- a webhook source or watch list, an enrichment client or a poller, its
// config section, its simulator, its fuzz target, its place in the docs.
#include "parley/platforms/registry.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "support/memory_producer.hpp"

namespace parley::platforms {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& relative) {
  std::ifstream file(fs::path(PARLEY_SOURCE_DIR) / relative);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(PlatformRegistry, HasOneEntryPerPlatformTheConfigKnows) {
  std::set<std::string_view> names;
  for (const auto& platform : all())
    names.insert(platform.name);
  EXPECT_EQ(names,
            (std::set<std::string_view>(config::kPlatforms.begin(), config::kPlatforms.end())));
  EXPECT_EQ(all().size(), config::kPlatforms.size());  // no name twice
  for (const auto name : config::kPlatforms) {
    ASSERT_NE(find(name), nullptr) << name;
    EXPECT_EQ(find(name)->name, name);
  }
  EXPECT_EQ(find("slack"), nullptr);
}

TEST(PlatformRegistry, EveryPlatformHasAllItsParts) {
  const auto events_doc = read("docs/events.md");
  const auto reference_config = read("config/parley.yaml");
  for (const auto& platform : all()) {
    SCOPED_TRACE(std::string(platform.name));
    EXPECT_NE(platform.add_routes, nullptr);
    // Enriched from its REST API, or polled whole (Directly).
    const bool polled = platform.name == config::DirectlySource::kPlatform;
    EXPECT_EQ(platform.make_api == nullptr, polled);
    // Every platform performs commands (DESIGN.md, "Commands: the way back").
    EXPECT_NE(platform.make_sender, nullptr);
    EXPECT_NE(platform.command_rules.supports, nullptr);
    EXPECT_NE(platform.command_rules.check, nullptr);
    EXPECT_TRUE(fs::exists(fs::path(PARLEY_SOURCE_DIR) / "tests/fuzz" / platform.fuzz_target))
        << platform.fuzz_target;
    EXPECT_TRUE(fs::exists(fs::path(PARLEY_SOURCE_DIR) / "src/sim" / platform.simulator))
        << platform.simulator;
    // Its folder holds all of it: its entry, its config section, and its webhook source
    // and REST client or its watch list and poller.
    const fs::path folder = fs::path(PARLEY_SOURCE_DIR) / "src/platforms" / platform.name;
    std::vector<std::string_view> parts = {"platform.cpp", "settings.cpp", "send.cpp",
                                           "send_responses.cpp"};
    if (polled) {
      parts.insert(parts.end(), {"watch_endpoint.cpp", "api.cpp", "question.cpp", "poller.cpp"});
    } else {
      parts.insert(parts.end(), {"webhook.cpp", "api.cpp", "api_responses.cpp"});
    }
    for (const auto part : parts)
      EXPECT_TRUE(fs::exists(folder / part)) << (folder / part);
    for (const auto header : {"settings.hpp", "send.hpp"}) {
      EXPECT_TRUE(fs::exists(fs::path(PARLEY_SOURCE_DIR) / "include/parley/platforms" /
                             platform.name / header))
          << header;
    }
    EXPECT_NE(events_doc.find("/parley/" + std::string(platform.name)), std::string::npos)
        << "docs/events.md never shows its events' source";
    EXPECT_NE(reference_config.find("\n  " + std::string(platform.name) + ":\n"), std::string::npos)
        << "config/parley.yaml has no section for it";
  }
}

// A source whose api section is left empty cannot send (null, not an error); one with half of
// it is refused naming the missing key.
TEST(PlatformRegistry, SendersComeFromTheApiSection) {
  boost::asio::io_context io;
  const enrich::ApiOptions options;
  config::JustAnswerSource ja;
  config::CaoSource cao;
  config::TalkJsSource talkjs;
  config::DirectlySource directly;
  const config::Source empty[] = {{.name = "ja", .settings = ja},
                                  {.name = "cao", .settings = cao},
                                  {.name = "talkjs", .settings = talkjs},
                                  {.name = "directly", .settings = directly}};
  for (const auto& source : empty) {
    SCOPED_TRACE(source.name);
    auto sender = find(source.platform())->make_sender(io.get_executor(), source, options);
    ASSERT_TRUE(sender.ok()) << sender.error();
    EXPECT_EQ(sender.value(), nullptr);
  }

  ja.api.base_url = "https://ja.example";
  ja.api.client_id = "id";
  cao.api.base_url = "https://cao.example";
  talkjs.api.secret_key = "secret";
  talkjs.api.app_id.clear();
  directly.api.base_url = "https://directly.example";
  directly.api.client_id = "id";
  const std::pair<config::Source, std::string_view> half[] = {
      {{.name = "ja-2", .settings = ja}, "sources.ja-2.api.client_secret: is required"},
      {{.name = "cao-eu", .settings = cao}, "sources.cao-eu.api.api_key: is required"},
      {{.name = "talkjs-b", .settings = talkjs}, "sources.talkjs-b.api.app_id: is required"},
      {{.name = "directly", .settings = directly},
       "sources.directly.api.client_secret: is required"}};
  for (const auto& [source, message] : half) {
    SCOPED_TRACE(source.name);
    auto sender = find(source.platform())->make_sender(io.get_executor(), source, options);
    ASSERT_FALSE(sender.ok());
    EXPECT_EQ(sender.error().rfind(message, 0), 0u) << sender.error();
  }

  directly.api.client_secret = "secret";
  const config::Source whole{.name = "directly", .settings = directly};
  auto sender = find(whole.platform())->make_sender(io.get_executor(), whole, options);
  ASSERT_TRUE(sender.ok()) << sender.error();
  ASSERT_NE(sender.value(), nullptr);
  EXPECT_EQ(sender.value()->platform(), "directly");
}

TEST(PlatformRegistry, RoutesOfASourceAreNamedAfterIt) {
  metrics::Registry registry;
  ingest::WebhookStats stats(registry, {});
  kafka::ProduceStats produced(registry, {});
  testing::MemoryProducer producer;
  const RouteContext context{
      .producer = producer, .stats = stats, .produced = produced, .events = {}, .watches = {}};
  const std::pair<config::Source, std::vector<std::string>> cases[] = {
      {{.name = "ja-2", .settings = config::JustAnswerSource{}}, {"/v1/webhooks/ja-2"}},
      {{.name = "cao-eu", .settings = config::CaoSource{}},
       {"/v1/webhooks/cao-eu/messages", "/v1/webhooks/cao-eu/receipts"}},
      {{.name = "talkjs-b", .settings = config::TalkJsSource{}}, {"/v1/webhooks/talkjs-b"}},
      {{.name = "directly-eu", .settings = config::DirectlySource{}}, {"/v1/directly-eu/watches"}}};
  for (const auto& [source, paths] : cases) {
    SCOPED_TRACE(source.name);
    http::Router router;
    find(source.platform())->add_routes(source, context, router);
    for (const auto& path : paths)
      EXPECT_TRUE(router.find(boost::beast::http::verb::post, path)) << path;
    EXPECT_FALSE(router.find(boost::beast::http::verb::post,
                             "/v1/webhooks/" + std::string(source.platform())));
  }
}

}  // namespace
}  // namespace parley::platforms
