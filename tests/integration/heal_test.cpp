// A stream that heals itself, end to end: message ids shared by webhooks and fetches,
// discovery of messages no webhook brought, reconciliation of quiet conversations, and
// the operator's `parley replay` / `parley backfill` -- the real parley binary, the real
// parley-sim, a Kafka broker in the test and real consumers.
#include <filesystem>
#include <fstream>

#include "integration/enrich_fixture.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kReconcileAfter = 1500ms;

/// Enrich with reconciliation 1.5 s after a conversation's last event.
class Heal : public Enrich {
 protected:
  std::string enrich_keys() const override {
    return ", reconcile_after_ms: " + std::to_string(kReconcileAfter.count()) +
           ", reconcile_max_per_second: 50";
  }

  /// The config the running parley uses, as a file for the CLI.
  std::string config_file() const {
    const auto path = std::filesystem::temp_directory_path() /
                      ("parley-heal-" + std::to_string(::getpid()) + ".yaml");
    std::ofstream(path) << enrich_test_config(broker_->bootstrap_servers(), sim_->base_url(),
                                              concurrency(), {}, enrich_keys());
    return path.string();
  }

  SimRun parley_cli(std::vector<std::string> args) const {
    args.insert(args.begin() + 1, {"--config", config_file()});
    return run_program(PARLEY_BINARY, args, 60s);
  }

  /// The TalkJS conversation's message ids at the simulator, oldest first.
  std::vector<std::string> talkjs_message_ids(const std::string& conversation) const {
    simdjson::dom::parser parser;
    std::vector<std::string> ids;
    for (const auto message :
         parser.parse(sim_talkjs(conversation, "/messages?limit=100"))["data"].get_array()) {
      ids.insert(ids.begin(), text(message["id"]));
    }
    return ids;
  }

  /// A TalkJS conversation the simulator serves with exactly `count` messages.
  std::string talkjs_conversation_with(std::size_t count) const {
    for (int i = 0; i < 100; ++i) {
      const auto id = "heal_" + std::to_string(i);
      if (talkjs_message_ids(id).size() == count) return id;
    }
    ADD_FAILURE() << "no simulated conversation with " << count << " messages";
    return {};
  }

  double scraped(const std::string& series) const {
    HttpClient admin(parley_->admin_port());
    return metric_value(admin.get("/metrics").body, series);
  }
};

std::string platform_event_of(const KafkaMessage& record) {
  simdjson::dom::parser parser;
  return optional_text(parse_event(parser, record.value)["data"], "platformEvent");
}

std::string talkjs_id(const std::string& message_id) {
  return "talkjs:message:" + message_id;
}

TEST_F(Heal, TalkJsWebhookForTheFirstOfThreeMessagesGivesThreeMessageCreatedOneIdEach) {
  const auto conversation = talkjs_conversation_with(3);
  ASSERT_FALSE(conversation.empty());
  const auto messages = talkjs_message_ids(conversation);
  HttpClient client(parley_->port());
  ASSERT_EQ(post_talkjs(client, talkjs_message_sent("evt_first", conversation, messages[0])).status,
            200u);

  std::set<std::string> expected;
  for (const auto& message : messages)
    expected.insert(talkjs_id(message));
  // Each message enriched once it was published: nothing is still on its way.
  auto enriched = reader(kEnrichedTopic);
  ASSERT_EQ(missing(read_ids(enriched, expected), expected), std::set<std::string>{});

  auto events = reader(kEventsTopic);
  const auto published = events.read(static_cast<std::size_t>(events.count()), kReadTimeout);
  std::map<std::string, std::vector<std::string>> by_id;  // id -> platformEvent of each copy
  for (const auto& record : published) {
    EXPECT_EQ(record.key, "talkjs:" + conversation);
    EXPECT_EQ(type_of(record), "parley.message.created");
    by_id[id_of(record)].push_back(platform_event_of(record));
  }
  std::cout << "[ measured ] TalkJS conversation " << conversation << " on the events topic:";
  for (const auto& [id, how] : by_id)
    std::cout << " " << id << " (" << how.front() << ")";
  std::cout << "\n";
  ASSERT_EQ(by_id.size(), 3u);
  EXPECT_EQ(by_id[talkjs_id(messages[0])], std::vector<std::string>{"message.sent"});
  for (const auto& message : {messages[1], messages[2]})
    EXPECT_EQ(by_id[talkjs_id(message)], std::vector<std::string>{"enrichment.discovered"});
}

TEST_F(Heal, AMessageAddedUpstreamAfterTheLastEventIsPublishedByReconciliation) {
  const auto conversation = talkjs_conversation_with(3);
  ASSERT_FALSE(conversation.empty());
  const auto messages = talkjs_message_ids(conversation);
  HttpClient client(parley_->port());
  ASSERT_EQ(post_talkjs(client, talkjs_message_sent("evt_quiet", conversation, messages[0])).status,
            200u);
  auto enriched = reader(kEnrichedTopic);
  const std::set<std::string> last = {talkjs_id(messages[2])};
  ASSERT_EQ(missing(read_ids(enriched, last), last), std::set<std::string>{});

  // Upstream only: no webhook announces it.
  simdjson::dom::parser parser;
  const auto added = text(parser.parse(
      sim_post("/_sim/talkjs/conversations/" + conversation + "/messages", "{}"))["id"]);
  const auto added_at = Clock::now();
  auto events = reader(kEventsTopic);
  const auto records = read_ids(events, {talkjs_id(added)}, kReconcileAfter + 15s);
  const auto* found = find_id(records, talkjs_id(added));
  ASSERT_NE(found, nullptr) << "the reconcile fetch did not publish " << added;
  const auto waited =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - added_at);
  std::cout << "[ measured ] message added upstream published by reconciliation after "
            << waited.count() << " ms (reconcile_after_ms " << kReconcileAfter.count() << ")\n";
  EXPECT_EQ(platform_event_of(*found), "enrichment.discovered");
  EXPECT_EQ(found->key, "talkjs:" + conversation);
  EXPECT_EQ(
      scraped(R"(parley_enrich_fetches_total{platform="talkjs",reason="reconcile",result="ok"})"),
      1);
  // One fetch for the webhook, one reconcile: the discovered events neither fetch (the
  // cache holds them) nor schedule another reconcile.
  EXPECT_EQ(scraped(R"(parley_enrich_fetches_total{platform="talkjs",reason="event",result="ok"})"),
            1);
}

TEST_F(Heal, ReplayAfterACaoOutageDeliversTheEnrichedEventOk) {
  sim_post("/_sim/faults", R"({"platform":"cao","status":503,"count":-1})");
  HttpClient client(parley_->port());
  const std::string id = "cao:message:600600";
  ASSERT_EQ(post_cao_message(client, cao_message("6006", "600600")).status, 200u);
  auto deadletter = reader(kDeadletterTopic);
  const auto dead = deadletter.read(1, kReadTimeout);
  ASSERT_EQ(dead.size(), 1u);
  ASSERT_EQ(id_of(dead[0]), id);
  std::cout << "[ measured ] before replay: " << id << " enrichment "
            << enrichment_of(dead[0]).status << " (" << enrichment_of(dead[0]).error << ")\n";
  sim_post("/_sim/faults", R"({"platform":"cao","clear":true})");

  const auto listed = parley_cli({"replay", "--platform", "cao", "--dry-run"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(id), std::string::npos) << listed.out;
  EXPECT_NE(listed.err.find("0 replayed (dry run)"), std::string::npos) << listed.err;
  const auto other = parley_cli({"replay", "--platform", "talkjs"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(other.err.find("0 matched"), std::string::npos) << other.err;

  const auto replayed = parley_cli({"replay", "--platform", "cao", "--reason", "503"});
  ASSERT_EQ(replayed.exit_code, 0) << replayed.err;
  EXPECT_NE(replayed.err.find("1 matched, 1 replayed"), std::string::npos) << replayed.err;
  std::cout << "[ measured ] " << replayed.err.substr(replayed.err.rfind("parley replay: done"));

  auto enriched = reader(kEnrichedTopic);
  const auto records = read_until(enriched, kReadTimeout, [&](const Records& read) {
    return std::ranges::any_of(read, [&](const KafkaMessage& r) {
      return id_of(r) == id && enrichment_of(r).status == "ok";
    });
  });
  const auto ok = std::ranges::find_if(records, [&](const KafkaMessage& r) {
    return id_of(r) == id && enrichment_of(r).status == "ok";
  });
  ASSERT_NE(ok, records.end()) << "no enriched " << id << " with status ok after the replay";
  std::cout << "[ measured ] after replay: " << id << " enrichment " << enrichment_of(*ok).status
            << ", attempts " << enrichment_of(*ok).attempts << "\n";
  EXPECT_EQ(ok->key, "cao:6006");
  // The replayed event says where it came from; its dead-letter headers are gone.
  auto events = reader(kEventsTopic);
  const auto again = read_until(events, kReadTimeout, [&](const Records& read) {
    return std::ranges::count_if(read, [&](const KafkaMessage& r) { return id_of(r) == id; }) >= 2;
  });
  const auto copy = std::ranges::find_if(again, [&](const KafkaMessage& r) {
    return id_of(r) == id && r.headers.contains("parley_replay_of");
  });
  ASSERT_NE(copy, again.end());
  EXPECT_EQ(copy->headers.at("parley_replay_of"), kDeadletterTopic + "/" +
                                                      std::to_string(dead[0].partition) + "/" +
                                                      std::to_string(dead[0].offset));
  EXPECT_FALSE(copy->headers.contains("parley_deadletter_reason"));
}

TEST_F(Heal, BackfillPublishesTheMessagesOfAConversationNoWebhookMentioned) {
  const std::string conversation = "heal_backfill";
  const auto messages = talkjs_message_ids(conversation);
  ASSERT_FALSE(messages.empty());
  const auto run = parley_cli({"backfill", "--source", "talkjs", "--conversation", conversation});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto summary = run.err.substr(run.err.rfind("parley backfill: done"));
  std::cout << "[ measured ] " << summary;
  EXPECT_NE(summary.find(std::to_string(messages.size()) + " published as parley.message.created"),
            std::string::npos)
      << summary;

  std::set<std::string> expected;
  for (const auto& message : messages)
    expected.insert(talkjs_id(message));
  auto events = reader(kEventsTopic);
  const auto published = read_ids(events, expected);
  ASSERT_EQ(missing(published, expected), std::set<std::string>{});
  for (const auto& record : published) {
    EXPECT_EQ(record.key, "talkjs:" + conversation);
    EXPECT_EQ(platform_event_of(record), "backfill.discovered");
  }
  // The conversation itself, enriched; and the running stage enriches each message.
  auto enriched = reader(kEnrichedTopic);
  const auto records = read_until(enriched, kReadTimeout, [&](const Records& read) {
    return missing(read, expected).empty() && std::ranges::any_of(read, [](const KafkaMessage& r) {
             return type_of(r) == "parley.conversation.updated";
           });
  });
  const auto updated = std::ranges::find_if(
      records, [](const KafkaMessage& r) { return type_of(r) == "parley.conversation.updated"; });
  ASSERT_NE(updated, records.end());
  EXPECT_EQ(updated->key, "talkjs:" + conversation);
  EXPECT_EQ(platform_event_of(*updated), "parley.backfill");
  EXPECT_EQ(enrichment_of(*updated).status, "ok");
  simdjson::dom::parser parser;
  EXPECT_EQ(
      parse_event(parser, updated->value)["data"]["conversation"]["messages"].get_array().size(),
      messages.size());
}

}  // namespace
}  // namespace parley::testing
