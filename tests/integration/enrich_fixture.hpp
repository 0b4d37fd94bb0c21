// The enrichment tests' fixture: a Kafka broker in the test process, the real parley-sim
// serving the platform APIs, the real parley binary with every API pointed at it, and
// helpers to post webhooks and read the topics.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "integration/fixture.hpp"
#include "integration/records.hpp"
#include "support/sim_process.hpp"

namespace parley::testing {

using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;
using Headers = std::vector<std::pair<std::string, std::string>>;
/// (message id, text) in conversation order.
using IdTexts = std::vector<std::pair<std::string, std::string>>;

inline const std::string kEnrichedTopic = "parley.enriched.v1";
inline const std::string kDeadletterTopic = "parley.deadletter.v1";

inline const Headers kJaAuth = {{"X-Parley-Token", "test-token"}};
inline const Headers kCaoAuth = {{"Authorization", "Basic test-cao-key"}};
inline const Headers kSimCaoAuth = {{"Authorization", "Basic dev-cao-key"},
                                    {"Accept", "version=2"}};
inline const Headers kSimTalkJsAuth = {{"Authorization", "Bearer test-talkjs-secret"}};

/// librdkafka 2.0's mock cluster ignores group.instance.id (no KIP-345): a restarted member
/// is a new member, and the old one's partitions wait for its session to expire; every
/// rebalance there waits session.timeout.ms - 1 s for members to join. Tests run dynamic
/// membership (a stopped member leaves at once) and a 3.5 s session: shorter than parley's
/// 6 s default, and above the 3 s the mock holds a new group open plus its 1 s session
/// check, below which it expires the first member before electing it -- docs/operations.md,
/// "Consumer groups".
inline const std::string kMockGroupTiming =
    "  instance_id: \"\"\n"
    "  properties: {session.timeout.ms: \"3500\", heartbeat.interval.ms: \"500\"}\n";

/// test_config() with every platform's API at the simulator (`sim_url`).
/// `enrich_keys` are added to the enrich section (", reconcile_after_ms: 500").
inline std::string enrich_test_config(const std::string& bootstrap, const std::string& sim_url,
                                      unsigned concurrency = 64, const std::string& extra = {},
                                      const std::string& enrich_keys = {}) {
  return test_config_head(bootstrap, kMockGroupTiming) +
         "sources:\n"
         "  justanswer:\n"
         "    webhook: {tokens: [test-token]}\n"
         "    api: {base_url: \"" +
         sim_url +
         "\", client_id: dev-ja-client, client_secret: dev-ja-secret, "
         "api_key: dev-ja-api-key}\n"
         "  cao:\n"
         "    webhook: {api_keys: [test-cao-key]}\n"
         "    api: {base_url: \"" +
         sim_url +
         "\", api_key: dev-cao-key}\n"
         "  talkjs:\n"
         "    webhook: {secret_keys: [test-talkjs-secret]}\n"
         "    api: {base_url: \"" +
         sim_url +
         "\", app_id: test-app, secret_key: test-talkjs-secret}\n"
         "enrich: {max_attempts: 4, timeout_ms: 2000, concurrency: " +
         std::to_string(concurrency) + enrich_keys + "}\n" +
         // The executor is tested by commands_test.cpp; here it would only add a consumer
         // group to every rebalance these tests time.
         "commands: {enabled: false}\n" + extra;
}

// --- webhook bodies ---

inline std::string cao_message(const std::string& visit, const std::string& message_id,
                               const std::string& text = "See you on Friday.") {
  return R"({"VisitId":")" + visit +
         R"(","SessionId":"abc123456","ConsumerId":"128740954930930",)"
         R"("DateTime":"6/15/2024 4:13 PM","MessageId":")" +
         message_id + R"(","Message":")" + text +
         R"(","AgentName":"Sally Salesperson","AgentImageURL":"https://media.cao.invalid/s.png"})";
}

inline std::string cao_receipt(const std::string& visit, const std::string& message_id,
                               const std::string& status) {
  return R"({"VisitId":")" + visit +
         R"(","SessionId":"abc123456","ConsumerId":"128740954930930",)"
         R"("ExternalMessageId":"29393892","MessageId":")" +
         message_id + R"(","MessageStatus":")" + status + R"("})";
}

inline std::string talkjs_message_sent(const std::string& event_id, const std::string& conversation,
                                       const std::string& message_id) {
  return R"({"id":")" + event_id +
         R"(","createdAt":1732185600000,"type":"message.sent","data":{)"
         R"("sender":{"id":"8029","name":"Bob","email":["bob@example.com"],"role":"seller","custom":{}},)"
         R"("conversation":{"id":")" +
         conversation +
         R"(","subject":"Order","participants":{}},)"
         R"("message":{"id":")" +
         message_id + R"(","conversationId":")" + conversation +
         R"(","senderId":"8029","text":"Hello!","type":"UserMessage","origin":"rest","readBy":[],)"
         R"("createdAt":1732185600000,"editedAt":null,"attachment":null,"location":null,)"
         R"("custom":{},"referencedMessageId":null}}})";
}

// --- reading Kafka ---

/// Reads until `count` records of type `type` arrived.
inline Records read_type(KafkaReader& reader, const std::string& type, std::size_t count,
                         std::chrono::milliseconds timeout = kReadTimeout) {
  return read_until(reader, timeout, [&](const Records& records) {
    return static_cast<std::size_t>(std::ranges::count_if(
               records, [&](const KafkaMessage& r) { return type_of(r) == type; })) >= count;
  });
}

inline const KafkaMessage* find_id(const Records& records, const std::string& id) {
  const auto found = std::ranges::find_if(records, [&](const auto& r) { return id_of(r) == id; });
  return found == records.end() ? nullptr : &*found;
}

inline std::set<std::string> ids_of_type(const Records& records, const std::string& type) {
  std::set<std::string> ids;
  for (const auto& record : records) {
    if (type_of(record) == type) ids.insert(id_of(record));
  }
  return ids;
}

// --- JSON ---

inline std::string text(simdjson::dom::element element) {
  return std::string(std::string_view(element));
}

/// A string member, or "" when absent.
inline std::string optional_text(simdjson::dom::element object, std::string_view key) {
  std::string_view value;
  return object[key].get(value) == simdjson::SUCCESS ? std::string(value) : std::string();
}

inline IdTexts id_texts(simdjson::dom::array messages, std::string_view id_key,
                        std::string_view text_key) {
  IdTexts out;
  for (const auto message : messages)
    out.emplace_back(text(message[id_key]), text(message[text_key]));
  return out;
}

/// `data.enrichment` of an enriched record.
struct Enrichment {
  std::string status;
  std::int64_t attempts = -1;
  std::string fetched_at;
  std::string error;
};

inline Enrichment enrichment_of(const KafkaMessage& record) {
  simdjson::dom::parser parser;
  const simdjson::dom::element enrichment = parse_event(parser, record.value)["data"]["enrichment"];
  return Enrichment{.status = text(enrichment["status"]),
                    .attempts = std::int64_t(enrichment["attempts"]),
                    .fetched_at = optional_text(enrichment, "fetchedAt"),
                    .error = optional_text(enrichment, "error")};
}

/// Broker with 3 partitions per topic, parley-sim, and parley with its APIs at the sim.
class Enrich : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = kafka::EmbeddedBroker::start(
        1, {kEventsTopic, kEnrichedTopic, kDeadletterTopic, "parley.directly.watches.v1"}, 3);
    ASSERT_TRUE(started) << started.error();
    broker_ = std::move(started).value();
    sim_ = std::make_unique<SimProcess>(sim_args());
    ASSERT_TRUE(start_parley());
  }

  void TearDown() override {
    if (!HasFailure()) return;
    for (const auto* process : {previous_.get(), parley_.get()}) {
      if (process == nullptr) continue;
      std::cerr << "--- parley log ---\n";
      for (const auto& line : process->log_lines())
        std::cerr << line << "\n";
    }
    if (sim_) std::cerr << "--- parley-sim stderr ---\n" << sim_->stderr_text();
  }

  virtual std::vector<std::string> sim_args() const {
    return {"--talkjs-app", "test-app", "--talkjs-secret", "test-talkjs-secret"};
  }
  virtual unsigned concurrency() const { return 64; }
  /// Added to the enrich section of parley's config.
  virtual std::string enrich_keys() const { return {}; }

  /// Starts a parley (keeping the one before for its log); true once Kafka is reachable.
  bool start_parley() {
    previous_ = std::move(parley_);
    parley_ = std::make_unique<ParleyProcess>(enrich_test_config(
        broker_->bootstrap_servers(), sim_->base_url(), concurrency(), {}, enrich_keys()));
    return parley_->wait_for_log("kafka reachable", 20s);
  }

  KafkaReader reader(const std::string& topic) const {
    return KafkaReader(broker_->bootstrap_servers(), topic);
  }

  HttpAnswer post_justanswer(HttpClient& client, const std::string& question) const {
    return client.post("/v1/webhooks/justanswer", ja_body(question), kJaAuth);
  }
  HttpAnswer post_cao_message(HttpClient& client, const std::string& body) const {
    return client.post("/v1/webhooks/cao/messages", body, kCaoAuth);
  }
  HttpAnswer post_talkjs(HttpClient& client, const std::string& body) const {
    return client.post("/v1/webhooks/talkjs", body, talkjs_headers(body, unix_now()));
  }

  /// GET on the simulator's API, as a client of the platform would send it.
  std::string sim_get(const std::string& target, const Headers& headers) const {
    HttpClient client(sim_->port());
    const auto answer = client.request(bhttp::verb::get, target, {}, headers);
    EXPECT_EQ(answer.status, 200u) << target << ": " << answer.body;
    return answer.body;
  }
  std::string sim_post(const std::string& target, const std::string& body) const {
    HttpClient client(sim_->port());
    const auto answer = client.post(target, body);
    EXPECT_EQ(answer.status, 200u) << target << ": " << answer.body;
    return answer.body;
  }
  std::string sim_question(const std::string& question) const {
    HttpClient client(sim_->port());
    const auto token = client.request(bhttp::verb::post, "/connect/token",
                                      "client_id=dev-ja-client&client_secret=dev-ja-secret",
                                      {{"Content-Type", "application/x-www-form-urlencoded"}});
    simdjson::dom::parser parser;
    const auto bearer = text(parser.parse(token.body)["access_token"]);
    return sim_get("/api/v2/questions/" + question, {{"Authorization", "Bearer " + bearer},
                                                     {"X-Api-Key", "dev-ja-api-key"},
                                                     {"UserIdToken", "abcde12345"}});
  }
  std::string sim_transcript(const std::string& visit) const {
    return sim_get("/api/v1.0/AsyncConversation/GetTranscript/" + visit, kSimCaoAuth);
  }
  std::string sim_talkjs(const std::string& conversation, const std::string& suffix = {}) const {
    return sim_get("/v1/test-app/conversations/" + conversation + suffix, kSimTalkJsAuth);
  }

  /// The id of the first JustAnswer notification for `question` on the events topic.
  std::string justanswer_event_id(const std::string& question) const {
    auto events = reader(kEventsTopic);
    const auto records = read_until(events, kReadTimeout, [&](const Records& read) {
      return std::ranges::any_of(read, [&](const KafkaMessage& r) {
        return r.key == "justanswer:" + question && type_of(r) == "parley.conversation.updated";
      });
    });
    for (const auto& record : records) {
      if (record.key == "justanswer:" + question) return id_of(record);
    }
    return {};
  }

  std::unique_ptr<kafka::EmbeddedBroker> broker_;
  std::unique_ptr<SimProcess> sim_;
  std::unique_ptr<ParleyProcess> parley_;
  std::unique_ptr<ParleyProcess> previous_;
};

/// `record` is the enriched version of event `id`, status ok, fetched just now.
inline void expect_enriched_ok(const KafkaMessage* record, const std::string& id,
                               const std::string& key) {
  ASSERT_NE(record, nullptr) << id << " is not on the enriched topic";
  EXPECT_EQ(record->key, key);
  const auto enrichment = enrichment_of(*record);
  EXPECT_EQ(enrichment.status, "ok") << record->value;
  EXPECT_GE(enrichment.attempts, 1);
  EXPECT_FALSE(enrichment.fetched_at.empty());
  EXPECT_TRUE(enrichment.error.empty()) << enrichment.error;
  simdjson::dom::parser parser;
  EXPECT_EQ(text(parse_event(parser, record->value)["id"]), id);
}

}  // namespace parley::testing
