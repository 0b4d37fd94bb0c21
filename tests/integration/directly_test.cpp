// Directly polling end to end: the real parley binary (one or two replicas), the real
// parley-sim serving Directly's API, a Kafka broker in the test process, and real
// consumers of the events and watch topics.
#include <signal.h>
#include <simdjson.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <set>

#include "integration/fixture.hpp"
#include "integration/records.hpp"
#include "support/sim_process.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;
using Headers = std::vector<std::pair<std::string, std::string>>;

const std::string kWatchTopic = "parley.directly.watches.v1";
const Headers kWatchAuth = {{"X-Parley-Token", "test-watch-token"}};
constexpr auto kWaitLimit = 60s;  // an upper bound: every wait ends at its condition

std::string uuid_of(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "5a1e0000-0000-4000-8000-%012d", n);
  return text;
}

std::string directly_config(const std::string& bootstrap, const std::string& sim_url) {
  // The mock broker notices a killed group member only after the session timeout.
  return test_config_head(bootstrap,
                          "  properties: {session.timeout.ms: \"6000\", heartbeat.interval.ms: "
                          "\"500\"}\n") +
         "sources:\n"
         "  directly:\n"
         "    watch: {tokens: [test-watch-token]}\n"
         "    api: {base_url: \"" +
         sim_url +
         "\", client_id: dev-directly-client, client_secret: dev-directly-secret}\n"
         "    poll: {interval_ms: 200, max_interval_ms: 1000, max_requests_per_second: 1000,"
         " concurrency: 16, timeout_ms: 2000}\n"
         "enrich: {enabled: false}\n";
}

/// The Directly part of the simulator's stats.
struct DirectlyStats {
  std::map<std::string, std::int64_t> polls;             ///< by status: "200", "304", ...
  std::map<std::string, std::set<std::string>> pollers;  ///< question -> tokens
  std::int64_t logouts = 0;
  std::int64_t tokens = 0;
};

DirectlyStats directly_stats(const SimProcess& sim) {
  const auto body = sim.stats();
  simdjson::dom::parser parser;
  const simdjson::dom::element stats = parser.parse(body);
  DirectlyStats out;
  for (const auto [status, count] : stats["directly"]["polls"].get_object()) {
    out.polls[std::string(status)] = std::int64_t(count);
  }
  for (const auto [question, tokens] : stats["directly"]["pollers"].get_object()) {
    for (const auto token : tokens.get_array())
      out.pollers[std::string(question)].insert(std::string(std::string_view(token)));
  }
  out.logouts = std::int64_t(stats["directly"]["logouts"]);
  out.tokens = std::int64_t(stats["calls"]["directly.token"]);
  return out;
}

std::int64_t total_polls(const DirectlyStats& stats) {
  std::int64_t total = 0;
  for (const auto& [status, count] : stats.polls)
    total += count;
  return total;
}

HttpAnswer sim_post(const SimProcess& sim, const std::string& target, const std::string& body) {
  HttpClient client(sim.port());
  return client.post(target, body);
}

/// The uuids of the question's response messages in the simulator, in order.
std::vector<std::string> response_message_ids(const SimProcess& sim, const std::string& uuid) {
  HttpClient client(sim.port());
  const auto answer = client.get("/_sim/directly/questions/" + uuid);
  simdjson::dom::parser parser;
  std::vector<std::string> ids;
  for (const auto response : parser.parse(answer.body)["conversation"]["responses"].get_array()) {
    for (const auto message : response["messages"].get_array())
      ids.emplace_back(std::string_view(message["uuid"]));
  }
  return ids;
}

class DirectlyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = kafka::EmbeddedBroker::start(
        1, {kEventsTopic, "parley.enriched.v1", "parley.deadletter.v1", kWatchTopic}, 3);
    ASSERT_TRUE(started) << started.error();
    broker_ = std::move(started).value();
    sim_ = std::make_unique<SimProcess>(sim_args());
    parley_ = start_parley();
  }

  virtual std::vector<std::string> sim_args() const { return {}; }

  std::unique_ptr<ParleyProcess> start_parley() const {
    auto parley = std::make_unique<ParleyProcess>(
        directly_config(broker_->bootstrap_servers(), sim_->base_url()));
    EXPECT_TRUE(parley->wait_for_log("kafka partitions assigned", 30s));
    return parley;
  }

  HttpAnswer watch(const std::string& uuid, const Headers& auth = kWatchAuth) const {
    HttpClient client(parley_->port());
    return client.post("/v1/directly/watches", R"({"uuid":")" + uuid + R"("})", auth);
  }

  double watched(const ParleyProcess& parley) const {
    HttpClient admin(parley.admin_port());
    return metric_value(admin.get("/metrics").body, "parley_directly_watched_questions");
  }

  KafkaReader events() const { return KafkaReader(broker_->bootstrap_servers(), kEventsTopic); }

  std::unique_ptr<kafka::EmbeddedBroker> broker_;
  std::unique_ptr<SimProcess> sim_;
  std::unique_ptr<ParleyProcess> parley_;
};

TEST_F(DirectlyTest, WatchRequestsAreAuthenticatedValidatedAndDurable) {
  HttpClient client(parley_->port());
  const auto body = R"({"uuid":")" + uuid_of(1) + R"("})";
  const auto anonymous = client.post("/v1/directly/watches", body);
  EXPECT_EQ(anonymous.status, 401u);
  EXPECT_NE(anonymous.body.find("X-Parley-Token"), std::string::npos) << anonymous.body;
  const auto wrong = client.post("/v1/directly/watches", body, {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(wrong.status, 401u);
  const auto bad = client.post("/v1/directly/watches", R"({"uuid":"12345"})", kWatchAuth);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("field uuid: must be a UUID"), std::string::npos) << bad.body;
  const auto missing_field = client.post("/v1/directly/watches", R"({"id":"x"})", kWatchAuth);
  EXPECT_EQ(missing_field.status, 400u);
  EXPECT_NE(missing_field.body.find("uuid"), std::string::npos) << missing_field.body;
  const auto bad_delete =
      client.request(bhttp::verb::delete_, "/v1/directly/watches/not-a-uuid", {}, kWatchAuth);
  EXPECT_EQ(bad_delete.status, 400u);
  EXPECT_NE(bad_delete.body.find("path segment {uuid}"), std::string::npos) << bad_delete.body;

  const auto shouted = upper(uuid_of(1));
  const auto watched_answer =
      client.post("/v1/directly/watches", R"({"uuid":")" + shouted + R"("})",
                  {{"Authorization", "Bearer test-watch-token"}});
  EXPECT_EQ(watched_answer.status, 200u) << watched_answer.body;
  EXPECT_EQ(watched_answer.body, R"({"uuid":")" + uuid_of(1) + R"(","watching":true})");
  const auto unwatched =
      client.request(bhttp::verb::delete_, "/v1/directly/watches/" + uuid_of(1), {}, kWatchAuth);
  EXPECT_EQ(unwatched.status, 200u) << unwatched.body;

  // Acknowledged means on the watch topic: the watch, then its tombstone.
  KafkaReader list(broker_->bootstrap_servers(), kWatchTopic);
  const auto records = list.read(2, kWaitLimit);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].key, uuid_of(1));
  EXPECT_NE(records[0].value.find(R"("uuid":")" + uuid_of(1)), std::string::npos);
  EXPECT_EQ(records[1].key, uuid_of(1));
  EXPECT_TRUE(records[1].value.empty());
}

TEST_F(DirectlyTest, AnAnsweredQuestionYieldsItsMessageThenTheStateChangeInOrder) {
  const auto uuid = uuid_of(7);
  ASSERT_EQ(watch(uuid).status, 200u);
  auto reader = events();
  // Watching publishes the question as it stands: its text and its state.
  const auto initial =
      read_until(reader, kWaitLimit, [](const Records& r) { return r.size() >= 2; });
  ASSERT_EQ(initial.size(), 2u);
  EXPECT_EQ(id_of(initial[0]), "directly:message:" + uuid);
  EXPECT_EQ(type_of(initial[1]), "parley.conversation.updated");

  ASSERT_EQ(sim_post(*sim_, "/_sim/directly/questions/" + uuid + "/respond",
                     R"({"expert":"Ada Expert","body":"Check the toner."})")
                .status,
            200u);
  const auto answered =
      read_until(reader, kWaitLimit, [](const Records& r) { return r.size() >= 2; });
  ASSERT_EQ(answered.size(), 2u);
  EXPECT_EQ(type_of(answered[0]), "parley.message.created");
  EXPECT_EQ(id_of(answered[0]), "directly:message:" + response_message_ids(*sim_, uuid).at(0));
  EXPECT_NE(answered[0].value.find(R"("text":"Check the toner.")"), std::string::npos);
  EXPECT_NE(answered[0].value.find(R"("role":"expert")"), std::string::npos);
  EXPECT_EQ(type_of(answered[1]), "parley.conversation.updated");
  EXPECT_NE(answered[1].value.find(R"({"field":"answered","from":false,"to":true})"),
            std::string::npos)
      << answered[1].value;
  // One key, one partition: the offsets are the order consumers see.
  EXPECT_EQ(answered[0].key, "directly:" + uuid);
  EXPECT_EQ(answered[0].partition, answered[1].partition);
  EXPECT_LT(answered[0].offset, answered[1].offset);

  ASSERT_EQ(sim_post(*sim_, "/_sim/directly/questions/" + uuid + "/accept", "{}").status, 200u);
  ASSERT_EQ(sim_post(*sim_, "/_sim/directly/questions/" + uuid + "/close", "{}").status, 200u);
  const auto closed = read_until(reader, kWaitLimit, [](const Records& r) {
    return !r.empty() && r.back().value.find(R"("closed":true)") != std::string::npos;
  });
  ASSERT_FALSE(closed.empty());
  EXPECT_NE(closed.back().value.find(R"("status":"CLOSED")"), std::string::npos);
  // A closed question unwatches itself: a tombstone, and this replica lets it go.
  KafkaReader list(broker_->bootstrap_servers(), kWatchTopic);
  const auto records = list.read(2, kWaitLimit);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_TRUE(records[1].value.empty());
  EXPECT_TRUE(eventually([&] { return watched(*parley_) == 0; }, kWaitLimit));
}

class DirectlyTokenTest : public DirectlyTest {
  // Tokens live 3 s, so the test sees parley refresh them before they expire.
  std::vector<std::string> sim_args() const override { return {"--token-ttl-s", "3"}; }
};

TEST_F(DirectlyTokenTest, UnchangedQuestionsCostNotModifiedPollsOnly) {
  constexpr int kQuestions = 20;
  for (int i = 0; i < kQuestions; ++i)
    ASSERT_EQ(watch(uuid_of(100 + i)).status, 200u);
  auto reader = events();
  const auto initial =
      read_until(reader, kWaitLimit, [](const Records& r) { return r.size() >= 2 * kQuestions; });
  ASSERT_EQ(initial.size(), 2u * kQuestions);
  const auto before = directly_stats(*sim_);
  // Every question polled about ten more times, across at least one token refresh.
  ASSERT_TRUE(eventually(
      [&] {
        const auto now = directly_stats(*sim_);
        return total_polls(now) >= total_polls(before) + 10 * kQuestions && now.tokens >= 2;
      },
      kWaitLimit));
  const auto after = directly_stats(*sim_);
  EXPECT_EQ(after.polls.at("200"), before.polls.at("200")) << "an unchanged question got a 200";
  EXPECT_GE(after.polls.at("304"), before.polls.at("304") + 10 * kQuestions - kQuestions);
  EXPECT_EQ(after.polls.size(), 2u) << "only 200 and 304 expected";
  EXPECT_EQ(reader.count(), 2 * kQuestions) << "no events without changes";
  HttpClient admin(parley_->admin_port());
  EXPECT_EQ(
      metric_value(admin.get("/metrics").body, R"(parley_directly_polls_total{result="error"})"),
      0);
  std::cout << "[ measured ] " << kQuestions
            << " idle questions: " << total_polls(after) - total_polls(before) << " polls, "
            << after.polls.at("304") - before.polls.at("304") << " of them 304, " << after.tokens
            << " tokens\n";
}

TEST_F(DirectlyTest, TwoReplicasSplitTheQuestionsWithoutPollingOneTwice) {
  auto second = start_parley();
  constexpr int kQuestions = 30;
  for (int i = 0; i < kQuestions; ++i)
    ASSERT_EQ(watch(uuid_of(200 + i)).status, 200u);
  // Both members own partitions once the group settled, and together every question.
  ASSERT_TRUE(eventually(
      [&] {
        const auto a = watched(*parley_);
        const auto b = watched(*second);
        return a > 0 && b > 0 && a + b == kQuestions;
      },
      kWaitLimit))
      << watched(*parley_) << " + " << watched(*second);
  ASSERT_EQ(sim_post(*sim_, "/_sim/reset", "{}").status, 200u);
  ASSERT_TRUE(eventually(
      [&] {
        const auto stats = directly_stats(*sim_);
        return stats.pollers.size() == kQuestions && total_polls(stats) >= 3 * kQuestions;
      },
      kWaitLimit));
  const auto stats = directly_stats(*sim_);
  std::set<std::string> tokens;
  for (const auto& [question, used] : stats.pollers) {
    EXPECT_EQ(used.size(), 1u) << question << " was polled by " << used.size() << " replicas";
    tokens.insert(used.begin(), used.end());
  }
  EXPECT_EQ(tokens.size(), 2u) << "each replica polls with its own token";
}

TEST_F(DirectlyTest, ARestartNeitherLosesNorRepeatsBeyondDeterministicIds) {
  const auto uuid = uuid_of(300);
  ASSERT_EQ(watch(uuid).status, 200u);
  auto reader = events();
  auto records = read_until(reader, kWaitLimit, [](const Records& r) { return r.size() >= 2; });
  ASSERT_EQ(records.size(), 2u);

  // A graceful stop revokes the access token (oauth/logout).
  parley_->send_signal(SIGTERM);
  ASSERT_EQ(parley_->wait_exit(30s), 0);
  EXPECT_EQ(directly_stats(*sim_).logouts, 1);

  // Changes while no parley runs must still arrive.
  ASSERT_EQ(sim_post(*sim_, "/_sim/directly/questions/" + uuid + "/respond", "{}").status, 200u);
  ASSERT_EQ(sim_post(*sim_, "/_sim/directly/questions/" + uuid + "/message",
                     R"({"from":"user","body":"Thanks, trying it now."})")
                .status,
            200u);
  parley_ = start_parley();
  std::set<std::string> expected = {"directly:message:" + uuid};
  for (const auto& id : response_message_ids(*sim_, uuid))
    expected.insert("directly:message:" + id);
  const auto more = read_until(reader, kWaitLimit, [&](const Records& r) {
    auto all = records;
    all.insert(all.end(), r.begin(), r.end());
    return missing(all, expected).empty() && std::ranges::count_if(r, [](const KafkaMessage& m) {
                                               return type_of(m) == "parley.conversation.updated";
                                             }) >= 1;
  });
  records.insert(records.end(), more.begin(), more.end());
  EXPECT_TRUE(missing(records, expected).empty());
  std::set<std::string> message_ids;
  std::set<std::string> state_ids;
  for (const auto& record : records) {
    (type_of(record) == "parley.message.created" ? message_ids : state_ids).insert(id_of(record));
  }
  // Repeats are the same ids again: the question's text; states are the one seen at the
  // watch and the one after the answer.
  EXPECT_EQ(message_ids, expected);
  EXPECT_EQ(state_ids.size(), 2u);
}

}  // namespace
}  // namespace parley::testing
