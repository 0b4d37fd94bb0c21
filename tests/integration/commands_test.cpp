// Commands end to end (DESIGN.md "Commands: the way back"): the real parley binary with its
// executor and HTTP door, the real parley-sim as every platform (with write faults), a
// Kafka broker in the test. One broker, simulators and parley serve every test of the
// suite; each test resets the simulators and uses its own command ids.
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "integration/enrich_fixture.hpp"
#include "parley/kafka/producer.hpp"
#include "support/contracts.hpp"

namespace parley::testing {
namespace {

const std::string kCommandsTopic = "parley.commands.v1";
const std::string kResultsTopic = "parley.command-results.v1";
const Headers kDoor = {{"Authorization", "Bearer test-command-token"}};
constexpr auto kResultTimeout = 30s;

std::string command_json(const std::string& id, const std::string& type, const std::string& subject,
                         const std::string& data, const std::string& extra = {}) {
  std::string json = R"({"specversion":"1.0","id":")" + id +
                     R"(","source":"/tests/desk","type":"parley.command.)" + type + "\"";
  if (!subject.empty()) json += R"(,"subject":")" + subject + "\"";
  return json + extra + R"(,"data":)" + data + "}";
}

/// One write the simulator recorded.
struct Write {
  std::string platform;
  std::string route;
  std::string path;
  std::string authorization;
  std::map<std::string, std::string> headers;
  std::string body;
  bool committed = false;
  unsigned status = 0;
};

class Commands : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto started = kafka::EmbeddedBroker::start(
        1,
        {kEventsTopic, kEnrichedTopic, kDeadletterTopic, "parley.directly.watches.v1",
         kCommandsTopic, kResultsTopic, "parley.command-journal.v1"},
        3);
    ASSERT_TRUE(started) << started.error();
    broker_ = std::move(started).value().release();
    sim_ = new SimProcess({"--talkjs-app", "test-app", "--talkjs-secret", "test-talkjs-secret"});
    eu_sim_ = new SimProcess({"--cao-api-key", "eu-cao-key"});
    start_parley();
  }

  static void TearDownTestSuite() {
    delete parley_;
    delete eu_sim_;
    delete sim_;
    delete broker_;
    parley_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(parley_, nullptr);
    for (auto* sim : {sim_, eu_sim_}) {
      HttpClient client(sim->port());
      ASSERT_EQ(client.post("/_sim/reset", "{}").status, 200u);
    }
  }

  void TearDown() override {
    if (!HasFailure()) return;
    std::cerr << "--- parley log ---\n";
    for (const auto& line : parley_->log_lines())
      std::cerr << line << "\n";
    std::cerr << "--- parley-sim stderr ---\n" << sim_->stderr_text();
  }

  static std::string config() {
    const std::string sim = sim_->base_url();
    return test_config_head(broker_->bootstrap_servers(), kMockGroupTiming) +
           "sources:\n"
           "  justanswer:\n"
           "    webhook: {tokens: [test-token]}\n"
           "    api: {base_url: \"" +
           sim +
           "\", client_id: dev-ja-client, client_secret: dev-ja-secret, "
           "api_key: dev-ja-api-key}\n"
           "  cao:\n"
           "    webhook: {api_keys: [test-cao-key]}\n"
           "    api: {base_url: \"" +
           sim +
           "\", api_key: dev-cao-key}\n"
           "  cao-eu:\n"
           "    platform: cao\n"
           "    webhook: {api_keys: [eu-webhook-key]}\n"
           "    api: {base_url: \"" +
           eu_sim_->base_url() +
           "\", api_key: eu-cao-key}\n"
           "  talkjs:\n"
           "    webhook: {secret_keys: [test-talkjs-secret]}\n"
           "    api: {base_url: \"" +
           sim +
           "\", app_id: test-app, secret_key: test-talkjs-secret}\n"
           "  directly:\n"
           "    watch: {tokens: [test-watch-token]}\n"
           "    api: {base_url: \"" +
           sim +
           "\", client_id: dev-directly-client, "
           "client_secret: dev-directly-secret}\n"
           "enrich: {max_attempts: 4, timeout_ms: 2000}\n"
           "commands: {tokens: [test-command-token], timeout_ms: 1000, max_attempts: 5}\n";
  }

  /// Starts parley (replacing a running one); ready once the executor owns its partitions.
  static void start_parley() {
    delete parley_;
    parley_ = nullptr;
    auto* started = new ParleyProcess(config());
    ASSERT_TRUE(started->wait_for_log("kafka reachable", 20s));
    ASSERT_TRUE(started->wait_for_log("command journal loaded", 30s));
    parley_ = started;
  }

  static HttpAnswer post_command(const std::string& json, const Headers& headers = kDoor) {
    HttpClient client(parley_->port());
    return client.post("/v1/commands", json, headers);
  }

  /// Puts `json` on the commands topic directly, keyed `key`.
  static void produce_command(const std::string& key, const std::string& json) {
    auto producer = kafka::KafkaProducer::create(
        {.bootstrap_servers = broker_->bootstrap_servers(), .probe_topic = kCommandsTopic});
    ASSERT_TRUE(producer) << producer.error();
    std::optional<std::string> failure;
    producer.value()->produce({.topic = kCommandsTopic, .key = key, .value = json},
                              [&failure](std::optional<Error> error) {
                                if (error) failure = error->message;
                              });
    ASSERT_EQ(producer.value()->flush(10s), 0);
    ASSERT_FALSE(failure) << *failure;
  }

  /// Every result on the results topic for command `id` (waiting for `count`).
  static Records results_of(const std::string& id, std::size_t count = 1,
                            std::chrono::milliseconds timeout = kResultTimeout) {
    KafkaReader results(broker_->bootstrap_servers(), kResultsTopic);
    const auto matching = [&id](const Records& read) {
      Records out;
      for (const auto& record : read) {
        if (id_of(record) == id + ":result") out.push_back(record);
      }
      return out;
    };
    return matching(read_until(
        results, timeout, [&](const Records& read) { return matching(read).size() >= count; }));
  }

  /// The one result of `id`, parsed into `parser`.
  static simdjson::dom::element result_of(simdjson::dom::parser& parser, const std::string& id) {
    const auto results = results_of(id);
    EXPECT_EQ(results.size(), 1u) << "results of " << id;
    if (results.empty()) return parser.parse(std::string("{}"));
    return parser.parse(results.front().value);
  }

  static std::vector<Write> writes(SimProcess& sim, const std::string& query = {}) {
    HttpClient client(sim.port());
    const auto answer = client.get("/_sim/writes" + query);
    EXPECT_EQ(answer.status, 200u) << answer.body;
    simdjson::dom::parser parser;
    std::vector<Write> out;
    for (const auto item : parser.parse(answer.body)["writes"].get_array()) {
      Write write{.platform = text(item["platform"]),
                  .route = text(item["route"]),
                  .path = text(item["path"]),
                  .authorization = optional_text(item, "authorization"),
                  .body = text(item["body"]),
                  .committed = bool(item["committed"]),
                  .status = static_cast<unsigned>(std::int64_t(item["status"]))};
      simdjson::dom::object headers;
      if (item["headers"].get(headers) == simdjson::SUCCESS) {
        for (const auto [name, value] : headers)
          write.headers[std::string(name)] = text(value);
      }
      out.push_back(std::move(write));
    }
    return out;
  }
  static std::vector<Write> committed(SimProcess& sim, const std::string& query = {}) {
    auto all = writes(sim, query);
    std::erase_if(all, [](const Write& write) { return !write.committed; });
    return all;
  }

  static void fault(SimProcess& sim, const std::string& rule) {
    HttpClient client(sim.port());
    const auto answer = client.post("/_sim/write-faults", rule);
    ASSERT_EQ(answer.status, 200u) << answer.body;
  }

  static std::string type_of_result(simdjson::dom::element result) { return text(result["type"]); }
  static std::string error_kind(simdjson::dom::element result) {
    return text(result["data"]["error"]["kind"]);
  }

  static inline kafka::EmbeddedBroker* broker_ = nullptr;
  static inline SimProcess* sim_ = nullptr;
  static inline SimProcess* eu_sim_ = nullptr;
  static inline ParleyProcess* parley_ = nullptr;
};

// --- every command of the table on every platform that has it ---

struct TableRow {
  std::string name;
  std::string type;
  std::string subject;
  std::string data;
  std::string platform;  // of the sim's writes record
  std::string route;
  std::string path_part;  // the write's path contains it
  std::string auth_part;  // its Authorization header starts with it
  std::string body_part;  // its body contains it
};

TEST_F(Commands, EveryCommandOfTheTableWritesOnceAndSucceeds) {
  const std::vector<TableRow> rows = {
      {"ja-start", "conversation.start", "",
       R"({"source":"justanswer","text":"My car will not start","customer":{"id":"cust-1"}})",
       "justanswer", "question.post", "/api/v2/questions/post", "Bearer ",
       R"("My car will not start")"},
      {"ja-send", "message.send", "q100",
       R"({"source":"justanswer","text":"Thanks!","customer":{"id":"cust-1"}})", "justanswer",
       "message.post", "/api/v2/questions/q100/messages", "Bearer ", R"("text":"Thanks!")"},
      {"ja-read", "message.read", "q100",
       R"({"source":"justanswer","messageId":"!q100_1!","customer":{"id":"cust-1"}})", "justanswer",
       "message.view", "/messages/", "Bearer ", ""},
      {"ja-rate", "answer.rate", "q100",
       R"({"source":"justanswer","messageId":"!q100_1!","rating":5,"text":"great","customer":{"id":"cust-1"}})",
       "justanswer", "message.feedback", "/feedback", "Bearer ", R"("feedbackLevel":5)"},
      {"cao-start", "conversation.start", "",
       R"({"source":"cao","text":"Hello","advertiserId":"42","customer":{"id":"cons-1","firstName":"Ann"}})",
       "cao", "start", "/AsyncConversation/Start", "Basic ", R"("ExternalMessageId":"cao-start")"},
      {"cao-send", "message.send", "12617187", R"({"source":"cao","text":"See you"})", "cao",
       "send-message", "/AsyncConversation/SendMessage", "Basic ",
       R"("ExternalMessageId":"cao-send")"},
      {"tjs-start", "conversation.start", "order_7",
       R"({"source":"talkjs","participants":["u1","u2"],"title":"Order 7"})", "talkjs",
       "conversation.put", "/v1/test-app/conversations/order_7", "Bearer ",
       R"("subject":"Order 7")"},
      {"tjs-send", "message.send", "order_391_fc",
       R"({"source":"talkjs","text":"On my way","author":{"id":"8029"}})", "talkjs", "message.post",
       "/v1/test-app/conversations/order_391_fc/messages", "Bearer ",
       R"("parleyCommandId":"tjs-send")"},
      {"tjs-user", "user.upsert", "",
       R"({"source":"talkjs","user":{"id":"u9","name":"Nina","email":["n@x.invalid"]}})", "talkjs",
       "user.put", "/v1/test-app/users/u9", "Bearer ", R"("name":"Nina")"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    const auto answer = post_command(command_json(row.name, row.type, row.subject, row.data));
    ASSERT_EQ(answer.status, 202u) << answer.body;
    EXPECT_EQ(answer.body, R"({"id":")" + row.name + R"(","status":"accepted"})");
    simdjson::dom::parser parser;
    const auto result = result_of(parser, row.name);
    EXPECT_EQ(type_of_result(result), "parley.command.succeeded") << simdjson::to_string(result);
    EXPECT_EQ(std::int64_t(result["data"]["attempts"]), 1);
    EXPECT_FALSE(bool(result["data"]["reconciled"]));
    const auto written = committed(*sim_, "?route=" + row.route + "&platform=" + row.platform);
    ASSERT_EQ(written.size(), 1u);
    EXPECT_NE(written[0].path.find(row.path_part), std::string::npos) << written[0].path;
    EXPECT_TRUE(written[0].authorization.starts_with(row.auth_part)) << written[0].authorization;
    EXPECT_NE(written[0].body.find(row.body_part), std::string::npos) << written[0].body;
    std::cout << "[ measured ] " << row.name << ": " << written.size() << " write "
              << written[0].path << ", result " << simdjson::to_string(result) << "\n";
  }
}

/// The token of the first expert message of JustAnswer question `question` in the simulator.
std::string ja_expert_message(SimProcess& sim, const std::string& question) {
  HttpClient client(sim.port());
  const auto token = client.request(bhttp::verb::post, "/connect/token",
                                    "client_id=dev-ja-client&client_secret=dev-ja-secret",
                                    {{"Content-Type", "application/x-www-form-urlencoded"}});
  simdjson::dom::parser parser;
  const auto bearer = text(parser.parse(token.body)["access_token"]);
  const auto answer = client.request(bhttp::verb::get, "/api/v2/questions/" + question, {},
                                     {{"Authorization", "Bearer " + bearer},
                                      {"X-Api-Key", "dev-ja-api-key"},
                                      {"UserIdToken", "cust-1"}});
  for (const auto message : parser.parse(answer.body)["data"]["messages"].get_array()) {
    if (bool(message["isExpertMessage"])) return text(message["token"]);
  }
  return {};
}

TEST_F(Commands, AcceptingAnAnswerAndStartingADirectlyQuestionWriteOnce) {
  const auto expert = ja_expert_message(*sim_, "q200");
  ASSERT_FALSE(expert.empty());
  ASSERT_EQ(post_command(command_json("ja-accept", "answer.accept", "q200",
                                      R"({"source":"justanswer","messageId":")" + expert +
                                          R"(","customer":{"id":"cust-1"}})"))
                .status,
            202u);
  ASSERT_EQ(
      post_command(command_json("directly-start", "conversation.start", "",
                                R"({"source":"directly","text":"How do I reset my router?"})"))
          .status,
      202u);
  simdjson::dom::parser parser;
  EXPECT_EQ(type_of_result(result_of(parser, "ja-accept")), "parley.command.succeeded");
  const auto started = result_of(parser, "directly-start");
  ASSERT_EQ(type_of_result(started), "parley.command.succeeded") << simdjson::to_string(started);
  const auto question = text(started["data"]["platformIds"]["conversationId"]);
  EXPECT_EQ(text(started["subject"]), question);  // a start's result names the new conversation
  const auto accepted = committed(*sim_, "?platform=justanswer&route=message.accept");
  ASSERT_EQ(accepted.size(), 1u);
  EXPECT_NE(accepted[0].path.find("/api/v2/questions/q200/messages/"), std::string::npos);
  EXPECT_EQ(accepted[0].headers.at("useridtoken"), "cust-1");
  const auto posted = committed(*sim_, "?platform=directly&route=question.post");
  ASSERT_EQ(posted.size(), 1u);
  EXPECT_NE(posted[0].body.find("How do I reset my router?"), std::string::npos);

  // An expert responds on Directly; the customer's side accepts the response through parley.
  HttpClient client(sim_->port());
  ASSERT_EQ(client.post("/_sim/directly/questions/" + question + "/respond", "{}").status, 200u);
  const auto body = client.get("/_sim/directly/questions/" + question).body;
  const auto response = text(parser.parse(body)["conversation"]["responses"].at(0)["uuid"]);
  ASSERT_EQ(post_command(command_json("directly-accept", "answer.accept", question,
                                      R"({"source":"directly","messageId":")" + response + "\"}"))
                .status,
            202u);
  EXPECT_EQ(type_of_result(result_of(parser, "directly-accept")), "parley.command.succeeded");
  const auto accepts = committed(*sim_, "?platform=directly&route=response.accept");
  ASSERT_EQ(accepts.size(), 1u);
  EXPECT_EQ(accepts[0].path, "/responses/" + response + "/accept");
}

TEST_F(Commands, ACaoSendCarriesTheCommandIdAndItsReceiptEchoesIt) {
  {
    HttpClient client(sim_->port());
    const auto echo =
        client.post("/_sim/echo", R"({"to":"http://127.0.0.1:)" + std::to_string(parley_->port()) +
                                      R"(","cao_key":"test-cao-key","delay_ms":0})");
    ASSERT_EQ(echo.status, 200u) << echo.body;
  }
  ASSERT_EQ(post_command(command_json("cao-echo-1", "message.send", "12617187",
                                      R"({"source":"cao","text":"echo me"})"))
                .status,
            202u);
  simdjson::dom::parser parser;
  const auto result = result_of(parser, "cao-echo-1");
  EXPECT_EQ(type_of_result(result), "parley.command.succeeded");
  EXPECT_EQ(text(result["data"]["platformIds"]["visitId"]), "12617187");
  const auto written = committed(*sim_, "?route=send-message");
  ASSERT_EQ(written.size(), 1u);
  const auto body = parser.parse(written[0].body);
  EXPECT_EQ(text(body["ExternalMessageId"]), "cao-echo-1");
  EXPECT_EQ(text(body["Message"]), "echo me");
  EXPECT_EQ(written[0].authorization, "Basic dev-cao-key");
  // The platform's receipt for that message comes back as a webhook naming the command.
  auto events = KafkaReader(broker_->bootstrap_servers(), kEventsTopic);
  const auto receipts = read_until(events, kReadTimeout, [](const Records& read) {
    return std::ranges::any_of(read, [](const KafkaMessage& record) {
      return record.value.find(R"("externalMessageId":"cao-echo-1")") != std::string::npos;
    });
  });
  EXPECT_TRUE(std::ranges::any_of(receipts, [](const KafkaMessage& record) {
    return record.key == "cao:12617187" &&
           record.value.find(R"("externalMessageId":"cao-echo-1")") != std::string::npos;
  })) << "no receipt event carries the command id";
  HttpClient client(sim_->port());
  EXPECT_EQ(client.request(bhttp::verb::delete_, "/_sim/echo", {}, {}).status, 200u);
}

TEST_F(Commands, EachCaoAccountSendsWithItsOwnKeyToItsOwnHost) {
  ASSERT_EQ(post_command(
                command_json("acct-us", "message.send", "111", R"({"source":"cao","text":"us"})"))
                .status,
            202u);
  ASSERT_EQ(post_command(command_json("acct-eu", "message.send", "222",
                                      R"({"source":"cao-eu","text":"eu"})"))
                .status,
            202u);
  simdjson::dom::parser parser;
  EXPECT_EQ(type_of_result(result_of(parser, "acct-us")), "parley.command.succeeded");
  EXPECT_EQ(type_of_result(result_of(parser, "acct-eu")), "parley.command.succeeded");
  const auto us = committed(*sim_, "?route=send-message");
  const auto eu = committed(*eu_sim_, "?route=send-message");
  ASSERT_EQ(us.size(), 1u);
  ASSERT_EQ(eu.size(), 1u);
  EXPECT_EQ(us[0].authorization, "Basic dev-cao-key");
  EXPECT_EQ(eu[0].authorization, "Basic eu-cao-key");
  EXPECT_NE(eu[0].body.find("acct-eu"), std::string::npos);
}

// --- at most once under doubt ---

struct FaultCase {
  std::string mode;
  std::string platform;
  std::string route;
  std::string type;
  std::string subject;
  std::string data;
};

TEST_F(Commands, ACallThatMayHaveHappenedIsReadBackNeverRepeated) {
  const std::vector<FaultCase> cases = {
      {"commit_then_500", "cao", "send-message", "message.send", "3001",
       R"({"source":"cao","text":"after 500"})"},
      {"commit_then_drop", "cao", "send-message", "message.send", "3002",
       R"({"source":"cao","text":"after drop"})"},
      {"commit_then_late", "cao", "send-message", "message.send", "3003",
       R"({"source":"cao","text":"after late"})"},
      {"commit_then_500", "justanswer", "message.post", "message.send", "q301",
       R"({"source":"justanswer","text":"ja after 500","customer":{"id":"cust-3"}})"},
      {"commit_then_drop", "justanswer", "message.post", "message.send", "q302",
       R"({"source":"justanswer","text":"ja after drop","customer":{"id":"cust-3"}})"},
      {"commit_then_late", "talkjs", "message.post", "message.send", "conv_303",
       R"({"source":"talkjs","text":"tjs after late","author":{"id":"u1"}})"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.mode + " " + c.platform);
    HttpClient reset(sim_->port());
    ASSERT_EQ(reset.post("/_sim/reset", "{}").status, 200u);
    fault(*sim_, R"({"platform":")" + c.platform + R"(","route":")" + c.route + R"(","mode":")" +
                     c.mode + R"(","delay_ms":2500})");
    const std::string id = "doubt-" + c.mode + "-" + c.platform;
    ASSERT_EQ(post_command(command_json(id, c.type, c.subject, c.data)).status, 202u);
    simdjson::dom::parser parser;
    const auto result = result_of(parser, id);
    EXPECT_EQ(type_of_result(result), "parley.command.succeeded") << simdjson::to_string(result);
    EXPECT_TRUE(bool(result["data"]["reconciled"]));
    const auto writes_made = committed(*sim_, "?route=" + c.route + "&platform=" + c.platform);
    EXPECT_EQ(writes_made.size(), 1u);
    std::cout << "[ measured ] " << c.mode << " on " << c.platform << " " << c.route << ": "
              << writes_made.size() << " write(s) at the platform, " << results_of(id).size()
              << " result(s), " << type_of_result(result) << ", reconciled "
              << bool(result["data"]["reconciled"]) << ", attempts "
              << std::int64_t(result["data"]["attempts"]) << "\n";
  }
}

TEST_F(Commands, AKilledParleyRestartsWithoutWritingTwice) {
  fault(*sim_,
        R"({"platform":"cao","route":"send-message","mode":"commit_then_late","delay_ms":5000})");
  ASSERT_EQ(post_command(command_json("kill-1", "message.send", "4001",
                                      R"({"source":"cao","text":"in flight"})"))
                .status,
            202u);
  // The simulator has committed the write and holds the answer: parley is mid-call.
  ASSERT_TRUE(eventually([] { return !committed(*sim_, "?route=send-message").empty(); }, 20s));
  ::kill(parley_->pid(), SIGKILL);
  start_parley();
  simdjson::dom::parser parser;
  const auto result = result_of(parser, "kill-1");
  EXPECT_EQ(type_of_result(result), "parley.command.succeeded") << simdjson::to_string(result);
  EXPECT_TRUE(bool(result["data"]["reconciled"]));
  const auto writes_made = committed(*sim_, "?route=send-message").size();
  const auto results = results_of("kill-1", 2, 2s).size();
  EXPECT_EQ(writes_made, 1u);
  EXPECT_EQ(results, 1u) << "a second result appeared";
  std::cout << "[ measured ] SIGKILL mid-call, restart: " << writes_made
            << " write(s) at the platform, " << results << " result(s), " << type_of_result(result)
            << ", reconciled " << bool(result["data"]["reconciled"]) << "\n";
}

// --- one result per command id, order per conversation ---

TEST_F(Commands, TheSameCommandTwiceWritesOnceAndAnswersTheSameResult) {
  const auto json =
      command_json("twice-1", "message.send", "5001", R"({"source":"cao","text":"once"})");
  ASSERT_EQ(post_command(json).status, 202u);
  ASSERT_EQ(results_of("twice-1").size(), 1u);
  produce_command("cao:5001", json);
  ASSERT_EQ(post_command(json, {{"Authorization", "Bearer test-command-token"},
                                {"Idempotency-Key", "twice-1"}})
                .status,
            202u);
  const auto results = results_of("twice-1", 3);
  KafkaReader commands(broker_->bootstrap_servers(), kCommandsTopic);
  ASSERT_EQ(results.size(), 3u) << "commands on the topic: " << commands.count();
  EXPECT_EQ(results[0].value, results[1].value);
  EXPECT_EQ(results[0].value, results[2].value);
  EXPECT_EQ(committed(*sim_, "?route=send-message").size(), 1u);
}

TEST_F(Commands, OneConversationsCommandsRunInOrderInterleavedWithOthers) {
  for (int i = 0; i < 20; ++i) {
    const auto n = std::to_string(i);
    ASSERT_EQ(post_command(command_json("order-a-" + n, "message.send", "6001",
                                        R"({"source":"cao","text":"a)" + n + "\"}"))
                  .status,
              202u);
    ASSERT_EQ(
        post_command(command_json("order-b-" + n, "message.send", "600" + std::to_string(2 + i % 3),
                                  R"({"source":"cao","text":"b)" + n + "\"}"))
            .status,
        202u);
  }
  ASSERT_EQ(results_of("order-a-19").size(), 1u);
  std::vector<std::string> texts;
  simdjson::dom::parser parser;
  for (const auto& write : committed(*sim_, "?route=send-message")) {
    const auto body = parser.parse(write.body);
    std::string visit = simdjson::to_string(body["VisitId"]);
    std::erase(visit, '"');  // a number or a string of digits
    if (visit == "6001") texts.push_back(text(body["Message"]));
  }
  ASSERT_EQ(texts.size(), 20u);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(texts[static_cast<std::size_t>(i)], "a" + std::to_string(i));
  for (int i = 0; i < 20; ++i)
    ASSERT_EQ(results_of("order-b-" + std::to_string(i)).size(), 1u);
  EXPECT_EQ(committed(*sim_, "?route=send-message").size(), 40u);
}

// --- refusals, retries, tokens ---

TEST_F(Commands, RefusalsFailAfterOneAttempt) {
  fault(*sim_, R"({"platform":"cao","route":"send-message","mode":"refuse","status":400})");
  fault(*sim_, R"({"platform":"justanswer","route":"message.post","mode":"failure_body"})");
  fault(*sim_, R"({"platform":"cao","route":"start","mode":"failure_body"})");
  ASSERT_EQ(post_command(command_json("refused-400", "message.send", "7001",
                                      R"({"source":"cao","text":"x"})"))
                .status,
            202u);
  ASSERT_EQ(
      post_command(command_json("refused-ja", "message.send", "q701",
                                R"({"source":"justanswer","text":"x","customer":{"id":"c"}})"))
          .status,
      202u);
  ASSERT_EQ(
      post_command(
          command_json("refused-cao-status1", "conversation.start", "",
                       R"({"source":"cao","text":"x","advertiserId":"1","customer":{"id":"c"}})"))
          .status,
      202u);
  for (const auto* id : {"refused-400", "refused-ja", "refused-cao-status1"}) {
    SCOPED_TRACE(id);
    simdjson::dom::parser parser;
    const auto result = result_of(parser, id);
    EXPECT_EQ(type_of_result(result), "parley.command.failed");
    EXPECT_EQ(error_kind(result), "rejected");
    EXPECT_EQ(std::int64_t(result["data"]["attempts"]), 1);
  }
  EXPECT_EQ(writes(*sim_, "?route=send-message&platform=cao").size(), 1u);
  EXPECT_EQ(writes(*sim_, "?route=message.post&platform=justanswer").size(), 1u);
  EXPECT_EQ(writes(*sim_, "?route=start&platform=cao").size(), 1u);
}

TEST_F(Commands, ThrottledCallsWaitRetryAfterThenSucceed) {
  fault(*sim_, R"({"platform":"cao","route":"send-message","mode":"throttle","retry_after_s":2})");
  const auto sent = std::chrono::steady_clock::now();
  ASSERT_EQ(post_command(command_json("throttled-1", "message.send", "8001",
                                      R"({"source":"cao","text":"later"})"))
                .status,
            202u);
  simdjson::dom::parser parser;
  const auto result = result_of(parser, "throttled-1");
  EXPECT_EQ(type_of_result(result), "parley.command.succeeded");
  EXPECT_GE(std::chrono::steady_clock::now() - sent, 2s);
  EXPECT_EQ(writes(*sim_, "?route=send-message").size(), 2u);
  EXPECT_EQ(committed(*sim_, "?route=send-message").size(), 1u);
}

TEST_F(Commands, AnUnauthorizedCallRefreshesTheTokenOnce) {
  fault(*sim_, R"({"platform":"justanswer","route":"message.post","mode":"unauthorized"})");
  ASSERT_EQ(
      post_command(command_json("token-1", "message.send", "q801",
                                R"({"source":"justanswer","text":"hi","customer":{"id":"c"}})"))
          .status,
      202u);
  simdjson::dom::parser parser;
  EXPECT_EQ(type_of_result(result_of(parser, "token-1")), "parley.command.succeeded");
  const auto all = writes(*sim_, "?route=message.post&platform=justanswer");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].status, 401u);
  EXPECT_NE(all[0].authorization, all[1].authorization) << "the second call has a new token";
  fault(*sim_,
        R"({"platform":"justanswer","route":"message.post","mode":"unauthorized","remaining":2})");
  ASSERT_EQ(
      post_command(command_json("token-2", "message.send", "q802",
                                R"({"source":"justanswer","text":"hi","customer":{"id":"c"}})"))
          .status,
      202u);
  EXPECT_EQ(error_kind(result_of(parser, "token-2")), "unauthorized");
  EXPECT_EQ(writes(*sim_, "?route=message.post&platform=justanswer").size(), 4u);
}

TEST_F(Commands, ExpiredUnsupportedAndInvalidCommandsCallNothing) {
  ASSERT_EQ(post_command(command_json("expired-1", "message.send", "9001",
                                      R"({"source":"cao","text":"x"})",
                                      R"(,"expirytime":"2020-01-01T00:00:00Z")"))
                .status,
            202u);
  // The door refuses what cannot be done; on the topic, the same gets a failed result.
  produce_command("cao:9002", command_json("unsupported-1", "answer.accept", "9002",
                                           R"({"source":"cao","messageId":"m"})"));
  produce_command("junk", "this is not a command");
  produce_command("cao:9003",
                  command_json("invalid-1", "message.send", "9003", R"({"source":"cao"})"));
  simdjson::dom::parser parser;
  EXPECT_EQ(error_kind(result_of(parser, "expired-1")), "expired");
  EXPECT_EQ(error_kind(result_of(parser, "unsupported-1")), "unsupported");
  EXPECT_EQ(error_kind(result_of(parser, "invalid-1")), "invalid");
  EXPECT_TRUE(writes(*sim_).empty());
}

TEST_F(Commands, TheDoorNamesWhatIsWrong) {
  const auto refused = [](const std::string& json, const Headers& headers = kDoor) {
    return post_command(json, headers);
  };
  const auto ok = command_json("door-1", "message.send", "1", R"({"source":"cao","text":"x"})");
  EXPECT_EQ(refused(ok, {}).status, 401u);
  EXPECT_EQ(refused(ok, {{"Authorization", "Bearer wrong"}}).status, 401u);
  auto answer = refused(command_json("door-2", "message.send", "1", R"({"source":"cao"})"));
  EXPECT_EQ(answer.status, 400u);
  EXPECT_NE(answer.body.find("data.text"), std::string::npos) << answer.body;
  answer =
      refused(command_json("door-3", "answer.accept", "1", R"({"source":"cao","messageId":"m"})"));
  EXPECT_EQ(answer.status, 400u);
  EXPECT_NE(answer.body.find("cao has no answer.accept command"), std::string::npos) << answer.body;
  answer =
      refused(command_json("door-4", "message.send", "1", R"({"source":"nowhere","text":"x"})"));
  EXPECT_EQ(answer.status, 400u);
  EXPECT_NE(answer.body.find("data.source"), std::string::npos) << answer.body;
  answer = refused(command_json("door-5", "message.delete", "1", R"({"source":"cao"})"));
  EXPECT_EQ(answer.status, 400u);
  EXPECT_NE(answer.body.find("field type"), std::string::npos) << answer.body;
  answer =
      refused(ok, {{"Authorization", "Bearer test-command-token"}, {"Idempotency-Key", "other"}});
  EXPECT_EQ(answer.status, 400u);
  EXPECT_NE(answer.body.find("Idempotency-Key"), std::string::npos) << answer.body;
  answer =
      refused(command_json("door-6", "message.send", "1", R"({"source":"justanswer","text":"x"})"));
  EXPECT_EQ(answer.status, 400u);
  EXPECT_NE(answer.body.find("data.customer.id"), std::string::npos) << answer.body;
  answer = refused(command_json("door-7", "message.send", "1", R"({"source":"cao","text":"x"})",
                                R"(,"partitionkey":"elsewhere")"));
  EXPECT_EQ(answer.status, 400u);
  EXPECT_NE(answer.body.find(R"(field partitionkey: must be \"cao:1\")"), std::string::npos)
      << answer.body;
}

TEST_F(Commands, TheCliPrintsTheResult) {
  const auto dir = std::filesystem::temp_directory_path() / "parley-command-cli";
  std::filesystem::create_directories(dir);
  const auto config_file = dir / "parley.yaml";
  std::ofstream(config_file) << config();
  const auto command_file = dir / "cmd.json";
  std::ofstream(command_file) << command_json("cli-1", "message.send", "9101",
                                              R"({"source":"cao","text":"from the cli"})");
  const auto run = run_program(PARLEY_BINARY, {"command", "--config", config_file.string(),
                                               "--file", command_file.string(), "--wait", "30"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  simdjson::dom::parser parser;
  const auto printed = parser.parse(run.out);
  EXPECT_EQ(text(printed["id"]), "cli-1:result");
  EXPECT_EQ(text(printed["type"]), "parley.command.succeeded");
  EXPECT_NE(run.err.find("accepted on parley.commands.v1"), std::string::npos) << run.err;
  std::ofstream(command_file) << command_json("cli-2", "message.send", "9101",
                                              R"({"source":"cao"})");
  const auto invalid = run_program(PARLEY_BINARY, {"command", "--config", config_file.string(),
                                                   "--file", command_file.string()});
  EXPECT_EQ(invalid.exit_code, 2);
  EXPECT_NE(invalid.err.find("field data.text"), std::string::npos) << invalid.err;
}

}  // namespace
}  // namespace parley::testing

namespace parley::testing {
namespace {

// docs/asyncapi.yaml and schemas/: the records parley writes on every command topic (the
// door's command records, results of each outcome, the journal) follow their schemas. Reading
// them is the check (support/contracts.cpp); this test makes sure each kind is read.
TEST_F(Commands, EveryCommandTopicsRecordsFollowTheirPublishedSchemas) {
  fault(*sim_, R"({"platform":"directly","route":"question.post","mode":"commit_then_drop"})");
  fault(*sim_, R"({"platform":"justanswer","route":"message.post","mode":"failure_body"})");
  const std::map<std::string, std::string> posted = {
      {"contract-unknown", command_json("contract-unknown", "conversation.start", "",
                                        R"({"source":"directly","text":"Is this on?"})")},
      {"contract-failed",
       command_json("contract-failed", "message.send", "q7001",
                    R"({"source":"justanswer","text":"refused","customer":{"id":"cust-7"}})")},
      {"contract-succeeded", command_json("contract-succeeded", "message.send", "7002",
                                          R"({"source":"cao","text":"hello"})")},
  };
  // The other command types, whatever their outcome: their records on the commands topic.
  const std::map<std::string, std::string> others = {
      {"contract-accept",
       command_json("contract-accept", "answer.accept", "q7003",
                    R"({"source":"justanswer","messageId":"!q7003_1!","customer":{"id":"c7"}})")},
      {"contract-rate", command_json("contract-rate", "answer.rate", "q7003",
                                     R"({"source":"justanswer","messageId":"!q7003_1!",)"
                                     R"("rating":4,"customer":{"id":"c7"}})")},
      {"contract-read",
       command_json("contract-read", "message.read", "q7003",
                    R"({"source":"justanswer","messageId":"!q7003_1!","customer":{"id":"c7"}})")},
      {"contract-user", command_json("contract-user", "user.upsert", "",
                                     R"({"source":"talkjs","user":{"id":"u7","name":"Kim"}})")},
  };
  for (const auto& group : {posted, others}) {
    for (const auto& [id, json] : group)
      ASSERT_EQ(post_command(json).status, 202u) << id;
  }

  simdjson::dom::parser parser;
  std::set<std::string> outcomes;
  for (const auto& [id, json] : posted)
    outcomes.insert(type_of_result(result_of(parser, id)));
  EXPECT_EQ(outcomes, (std::set<std::string>{"parley.command.succeeded", "parley.command.failed",
                                             "parley.command.unknown"}));
  // The others end too (whatever their outcome) before the next test resets the simulator.
  for (const auto& [id, json] : others)
    EXPECT_EQ(results_of(id).size(), 1u) << id;

  // The commands topic may hold what other tests produced on purpose (not a command at all):
  // only the records the door wrote for this test are parley's.
  auto ours = posted;
  ours.insert(others.begin(), others.end());
  KafkaReader commands(broker_->bootstrap_servers(), kCommandsTopic);
  commands.skip_contract_checks();
  std::set<std::string> types;
  for (const auto& record : read_until(commands, kReadTimeout, [&](const Records& records) {
         return std::ranges::count_if(records, [&](const KafkaMessage& r) {
                  return ours.contains(id_of(r));
                }) == static_cast<long>(ours.size());
       })) {
    if (!ours.contains(id_of(record))) continue;
    contracts::expect_record_conforms(kCommandsTopic, record);
    types.insert(type_of(record));
  }
  EXPECT_EQ(types.size(), 6u) << "every command type read back from the commands topic";

  // The journal: this test's commands that called the platform have an intent ("calling")
  // and an outcome ("done") entry, each read (and so checked) above its schema.
  KafkaReader journal(broker_->bootstrap_servers(), "parley.command-journal.v1");
  std::set<std::string> states;
  for (const auto& entry : journal.read(static_cast<std::size_t>(journal.count()), kReadTimeout)) {
    if (entry.key.find("\"contract-succeeded\"") == std::string::npos) continue;
    states.insert(text(parser.parse(entry.value)["state"]));
  }
  EXPECT_EQ(states, (std::set<std::string>{"calling", "done"}));
}

}  // namespace
}  // namespace parley::testing
