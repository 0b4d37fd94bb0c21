// Several sources of one platform in one config (issue: accounts): two ContactAtOnce!
// accounts and two TalkJS apps, each with its own webhook key and its own API at its own
// parley-sim, through the real parley binary and a real Kafka consumer.
#include <simdjson.h>

#include <set>

#include "integration/enrich_fixture.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;

const Headers kCaoNaHook = {{"Authorization", "Basic hook-na"}};
const Headers kCaoEuHook = {{"Authorization", "Basic hook-eu"}};

/// A simulator per region: its own CAO API key and its own TalkJS app and secret.
std::vector<std::string> region_sim(const std::string& cao_key, const std::string& app,
                                    const std::string& secret) {
  return {"--cao-api-key", cao_key, "--talkjs-app", app, "--talkjs-secret", secret};
}

std::string accounts_config(const std::string& bootstrap, const std::string& na,
                            const std::string& eu) {
  return test_config_head(bootstrap, kMockGroupTiming) +
         "sources:\n"
         "  cao:\n"
         "    webhook: {api_keys: [hook-na]}\n"
         "    api: {base_url: \"" +
         na +
         "\", api_key: key-na}\n"
         "  cao-eu:\n"
         "    platform: cao\n"
         "    webhook: {api_keys: [hook-eu]}\n"
         "    api: {base_url: \"" +
         eu +
         "\", api_key: key-eu}\n"
         "  talkjs:\n"
         "    webhook: {secret_keys: [secret-a]}\n"
         "    api: {base_url: \"" +
         na +
         "\", app_id: app-a, secret_key: secret-a}\n"
         "  talkjs-b:\n"
         "    platform: talkjs\n"
         "    webhook: {secret_keys: [secret-b]}\n"
         "    api: {base_url: \"" +
         eu +
         "\", app_id: app-b, secret_key: secret-b}\n"
         "enrich: {max_attempts: 2, timeout_ms: 2000}\n";
}

class Accounts : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = kafka::EmbeddedBroker::start(
        1, {kEventsTopic, kEnrichedTopic, kDeadletterTopic, "parley.directly.watches.v1"}, 3);
    ASSERT_TRUE(started) << started.error();
    broker_ = std::move(started).value();
    na_ = std::make_unique<SimProcess>(region_sim("key-na", "app-a", "secret-a"));
    eu_ = std::make_unique<SimProcess>(region_sim("key-eu", "app-b", "secret-b"));
    parley_ = std::make_unique<ParleyProcess>(
        accounts_config(broker_->bootstrap_servers(), na_->base_url(), eu_->base_url()));
    ASSERT_TRUE(parley_->wait_for_log("kafka reachable", 20s));
  }

  void TearDown() override {
    if (!HasFailure()) return;
    std::cerr << "--- parley log ---\n";
    for (const auto& line : parley_->log_lines())
      std::cerr << line << "\n";
  }

  KafkaReader reader(const std::string& topic) const {
    return KafkaReader(broker_->bootstrap_servers(), topic);
  }

  std::unique_ptr<kafka::EmbeddedBroker> broker_;
  std::unique_ptr<SimProcess> na_;
  std::unique_ptr<SimProcess> eu_;
  std::unique_ptr<ParleyProcess> parley_;
};

TEST_F(Accounts, EachAccountsWebhookIsVerifiedWithItsOwnKeyOnly) {
  HttpClient client(parley_->port());
  const auto body = cao_message("12617187", "m-verify");
  EXPECT_EQ(client.post("/v1/webhooks/cao-eu/messages", body, kCaoNaHook).status, 401u);
  EXPECT_EQ(client.post("/v1/webhooks/cao/messages", body, kCaoEuHook).status, 401u);
  EXPECT_EQ(client
                .post("/v1/webhooks/cao-eu/receipts", cao_receipt("12617187", "m-verify", "2"),
                      kCaoNaHook)
                .status,
            401u);
  const auto talkjs = talkjs_message_sent("evt_verify", "order_391_fc", "msg_verify");
  EXPECT_EQ(
      client.post("/v1/webhooks/talkjs-b", talkjs, talkjs_headers(talkjs, unix_now(), "secret-a"))
          .status,
      401u);
  EXPECT_EQ(
      client.post("/v1/webhooks/talkjs", talkjs, talkjs_headers(talkjs, unix_now(), "secret-b"))
          .status,
      401u);
  EXPECT_EQ(reader(kEventsTopic).count(), 0);

  HttpClient admin(parley_->admin_port());
  const auto scrape = admin.get("/metrics").body;
  EXPECT_EQ(
      metric_value(scrape,
                   R"(parley_webhooks_received_total{outcome="unauthorized",source="cao-eu"})"),
      2);
  EXPECT_EQ(
      metric_value(scrape,
                   R"(parley_webhooks_received_total{outcome="unauthorized",source="talkjs-b"})"),
      1);
}

TEST_F(Accounts, EachAccountsEventsCarryItsNameAndAreEnrichedFromItsOwnApi) {
  HttpClient client(parley_->port());
  ASSERT_EQ(
      client.post("/v1/webhooks/cao/messages", cao_message("12617187", "m-na"), kCaoNaHook).status,
      200u);
  ASSERT_EQ(client.post("/v1/webhooks/cao-eu/messages", cao_message("12617187", "m-eu"), kCaoEuHook)
                .status,
            200u);
  const auto to_a = talkjs_message_sent("evt_a", "order_391_fc", "msg_a");
  ASSERT_EQ(
      client.post("/v1/webhooks/talkjs", to_a, talkjs_headers(to_a, unix_now(), "secret-a")).status,
      200u);
  const auto to_b = talkjs_message_sent("evt_b", "order_391_fc", "msg_b");
  ASSERT_EQ(client.post("/v1/webhooks/talkjs-b", to_b, talkjs_headers(to_b, unix_now(), "secret-b"))
                .status,
            200u);

  // Same conversation ids upstream, yet four conversations apart: ids and keys are named.
  const std::set<std::string> ids = {"cao:message:m-na", "cao-eu:message:m-eu",
                                     "talkjs:message:msg_a", "talkjs-b:message:msg_b"};
  auto events = reader(kEventsTopic);
  const auto published = read_ids(events, ids);
  ASSERT_EQ(missing(published, ids), std::set<std::string>{});
  struct Expected {
    std::string key, source, platform, name;
  };
  const std::map<std::string, Expected> expected = {
      {"cao:message:m-na", {"cao:12617187", "/parley/cao", "cao", "cao"}},
      {"cao-eu:message:m-eu", {"cao-eu:12617187", "/parley/cao-eu", "cao", "cao-eu"}},
      {"talkjs:message:msg_a", {"talkjs:order_391_fc", "/parley/talkjs/app-a", "talkjs", "talkjs"}},
      {"talkjs-b:message:msg_b",
       {"talkjs-b:order_391_fc", "/parley/talkjs-b/app-b", "talkjs", "talkjs-b"}}};
  for (const auto& [id, want] : expected) {
    SCOPED_TRACE(id);
    const auto* record = find_id(published, id);
    ASSERT_NE(record, nullptr);
    EXPECT_EQ(record->key, want.key);
    simdjson::dom::parser parser;
    const simdjson::dom::element event = parse_event(parser, record->value);
    EXPECT_EQ(text(event["source"]), want.source);
    EXPECT_EQ(text(event["partitionkey"]), want.key);
    EXPECT_EQ(text(event["data"]["platform"]), want.platform);
    EXPECT_EQ(text(event["data"]["source"]), want.name);
  }

  // Each region's simulator accepts only its own key, app and secret: an event enriched
  // "ok" was fetched with its own source's api section.
  auto enriched = reader(kEnrichedTopic);
  const auto records = read_ids(enriched, ids);
  ASSERT_EQ(missing(records, ids), std::set<std::string>{});
  for (const auto& [id, want] : expected) {
    SCOPED_TRACE(id);
    expect_enriched_ok(find_id(records, id), id, want.key);
  }
  const auto na_stats = na_->stats();
  const auto eu_stats = eu_->stats();
  EXPECT_EQ(stat(na_stats, "statuses", "401"), 0) << na_stats;
  EXPECT_EQ(stat(eu_stats, "statuses", "401"), 0) << eu_stats;
  EXPECT_GE(stat(na_stats, "calls", "cao.transcript"), 1) << na_stats;
  EXPECT_GE(stat(eu_stats, "calls", "cao.transcript"), 1) << eu_stats;

  HttpClient admin(parley_->admin_port());
  const auto scrape = admin.get("/metrics").body;
  for (const auto* name : {"cao", "cao-eu", "talkjs", "talkjs-b"}) {
    EXPECT_EQ(
        metric_value(scrape,
                     std::string(R"(parley_webhooks_received_total{outcome="accepted",source=")") +
                         name + "\"}"),
        1)
        << name;
  }
}

// --- two Directly accounts: one watch topic, a poller group each ---

const std::string kWatchTopic = "parley.directly.watches.v1";

std::string directly_accounts_config(const std::string& bootstrap, const std::string& na,
                                     const std::string& eu) {
  const std::string poll =
      "    poll: {interval_ms: 200, max_interval_ms: 1000, max_requests_per_second: 1000}\n";
  return test_config_head(bootstrap, kMockGroupTiming) +
         "sources:\n"
         "  directly:\n"
         "    watch: {tokens: [watch-na]}\n"
         "    api: {base_url: \"" +
         na + "\", client_id: client-na, client_secret: secret-na}\n" + poll +
         "  directly-eu:\n"
         "    platform: directly\n"
         "    watch: {tokens: [watch-eu]}\n"
         "    api: {base_url: \"" +
         eu + "\", client_id: client-eu, client_secret: secret-eu}\n" + poll +
         "enrich: {enabled: false}\n";
}

TEST(DirectlyAccounts, EachAccountWatchesPollsAndPublishesUnderItsOwnName) {
  auto started = kafka::EmbeddedBroker::start(
      1, {kEventsTopic, kEnrichedTopic, kDeadletterTopic, kWatchTopic}, 3);
  ASSERT_TRUE(started) << started.error();
  const auto broker = std::move(started).value();
  SimProcess na({"--directly-client-id", "client-na", "--directly-client-secret", "secret-na"});
  SimProcess eu({"--directly-client-id", "client-eu", "--directly-client-secret", "secret-eu"});
  ParleyProcess parley(
      directly_accounts_config(broker->bootstrap_servers(), na.base_url(), eu.base_url()));
  ASSERT_TRUE(parley.wait_for_log("kafka reachable", 20s));

  const std::string na_uuid = "5a1e0000-0000-4000-8000-000000000101";
  const std::string eu_uuid = "5a1e0000-0000-4000-8000-000000000202";
  HttpClient client(parley.port());
  const auto watch = [&](const std::string& source, const std::string& uuid,
                         const std::string& token) {
    return client.post("/v1/" + source + "/watches", R"({"uuid":")" + uuid + R"("})",
                       {{"X-Parley-Token", token}});
  };
  EXPECT_EQ(watch("directly-eu", eu_uuid, "watch-na").status, 401u);  // the other's token
  ASSERT_EQ(watch("directly-eu", eu_uuid, "watch-eu").status, 200u);
  ASSERT_EQ(watch("directly", na_uuid, "watch-na").status, 200u);

  KafkaReader list(broker->bootstrap_servers(), kWatchTopic);
  std::set<std::string> keys;
  for (const auto& record : list.read(2, kReadTimeout))
    keys.insert(record.key);
  EXPECT_EQ(keys, (std::set<std::string>{na_uuid, "directly-eu:" + eu_uuid}));

  // Watching publishes each question as it stands, polled from its own account's API.
  const std::set<std::string> ids = {"directly:message:" + na_uuid,
                                     "directly-eu:message:" + eu_uuid};
  KafkaReader events(broker->bootstrap_servers(), kEventsTopic);
  const auto published = read_ids(events, ids);
  ASSERT_EQ(missing(published, ids), std::set<std::string>{});
  for (const auto& record : published) {
    simdjson::dom::parser parser;
    const simdjson::dom::element event = parse_event(parser, record.value);
    const std::string name = text(event["data"]["source"]);
    SCOPED_TRACE(name);
    EXPECT_EQ(text(event["data"]["platform"]), "directly");
    EXPECT_EQ(text(event["source"]), "/parley/" + name);
    EXPECT_EQ(record.key, name + ":" + (name == "directly" ? na_uuid : eu_uuid));
  }
  simdjson::dom::parser na_parser;
  const simdjson::dom::element na_pollers = na_parser.parse(na.stats())["directly"]["pollers"];
  simdjson::dom::parser eu_parser;
  const simdjson::dom::element eu_pollers = eu_parser.parse(eu.stats())["directly"]["pollers"];
  EXPECT_FALSE(na_pollers[na_uuid].error()) << "the NA account never polled its question";
  EXPECT_TRUE(na_pollers[eu_uuid].error()) << "the NA account polled the EU question";
  EXPECT_FALSE(eu_pollers[eu_uuid].error()) << "the EU account never polled its question";
  EXPECT_TRUE(eu_pollers[na_uuid].error()) << "the EU account polled the NA question";
}

}  // namespace
}  // namespace parley::testing
