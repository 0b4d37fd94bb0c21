// The executor with a scripted platform and an in-memory Kafka: one result per command,
// intents journaled before calls, read-back after doubt, order per key.
#include "parley/commands/executor.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <deque>
#include <map>
#include <set>

#include "support/memory_producer.hpp"

namespace parley::commands {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

bool scripted_supports(CommandType type) {
  return type != CommandType::user_upsert;
}
std::optional<FieldProblem> scripted_check(const Command& command) {
  if (command.data.text == "bad") return FieldProblem{"data.text", "is bad"};
  return std::nullopt;
}

class ScriptedSender final : public PlatformSender {
 public:
  std::string_view platform() const override { return "cao"; }
  bool supports(CommandType type) const override { return scripted_supports(type); }
  std::optional<FieldProblem> check(const Command& command) const override {
    return scripted_check(command);
  }
  bool idempotent(const Command&) const override { return false; }
  asio::awaitable<CallOutcome> perform(const Command& command) override {
    performed.push_back(command.id);
    if (calls.empty()) co_return CallOutcome{.ids = {{"messageId", "m-" + command.id}}};
    auto next = calls.front();
    calls.pop_front();
    co_return next;
  }
  asio::awaitable<ReadBack> read_back(const Command& command,
                                      std::chrono::system_clock::time_point) override {
    read.push_back(command.id);
    auto next = reads.empty() ? ReadBack{.kind = ReadBack::Kind::not_found} : reads.front();
    if (!reads.empty()) reads.pop_front();
    co_return next;
  }
  std::deque<CallOutcome> calls;
  std::deque<ReadBack> reads;
  std::vector<std::string> performed;
  std::vector<std::string> read;
};

CallOutcome outcome(CallOutcome::Kind kind, unsigned status = 0) {
  return CallOutcome{.kind = kind, .status = status, .message = "scripted"};
}

class ExecutorTest : public ::testing::Test {
 protected:
  ExecutorTest() {
    auto made = std::make_unique<ScriptedSender>();
    sender = made.get();
    Senders senders;
    senders.by_source["cao"] = {"cao", {scripted_supports, scripted_check}, std::move(made)};
    senders.by_source["nokey"] = {"cao", {scripted_supports, scripted_check}, nullptr};
    executor = std::make_unique<Executor>(
        asio::make_strand(io.get_executor()), producer, journal, stats, produced,
        std::move(senders),
        ExecutorOptions{
            .results_topic = "results", .max_attempts = 3, .backoff = {.base = 1ms, .cap = 1ms}},
        [this](std::int32_t, std::int64_t offset) { done.push_back(offset); });
    executor->assign({0});
  }

  void feed(const std::string& value, std::string key = "cao:1") {
    executor->accept(kafka::ConsumedRecord{.topic = "commands",
                                           .partition = 0,
                                           .offset = next_offset++,
                                           .key = std::move(key),
                                           .value = value});
  }
  void run() {
    io.restart();
    io.run();
  }
  static std::string send(std::string id, std::string subject = "1", std::string text = "hi",
                          std::string source = "cao", std::string extra = "") {
    return R"({"specversion":"1.0","id":")" + id +
           R"(","source":"/crm","type":"parley.command.message.send","subject":")" + subject +
           "\"" + extra + R"(,"data":{"source":")" + source + R"(","text":")" + text + R"("}})";
  }
  std::vector<std::string> results() const {
    std::vector<std::string> values;
    for (const auto& record : producer.on("results"))
      values.push_back(record.value);
    return values;
  }
  std::vector<std::string> journal_states() const {
    std::vector<std::string> states;
    for (const auto& record : producer.on("journal"))
      states.push_back(decode(record.value).value().state == JournalEntry::State::done ? "done"
                                                                                       : "calling");
    return states;
  }
  static std::string field(const std::string& json, const char* pointer) {
    simdjson::dom::parser parser;
    auto doc = parser.parse(json);
    auto value = doc.at_pointer(pointer);
    if (value.error()) return "<absent>";
    if (value.is_string()) return std::string(value.get_string().value());
    return simdjson::to_string(value.value());
  }

  asio::io_context io;
  testing::MemoryProducer producer;
  metrics::Registry registry;
  CommandStats stats{registry};
  kafka::ProduceStats produced{registry, {"results", "journal"}};
  Journal journal{producer, "journal", 1000ms, 100};
  ScriptedSender* sender = nullptr;
  std::unique_ptr<Executor> executor;
  std::vector<std::int64_t> done;
  std::int64_t next_offset = 0;
};

TEST_F(ExecutorTest, PerformsOnceJournalsFirstAndPublishesOneResult) {
  feed(send("c1"));
  run();
  EXPECT_EQ(sender->performed, std::vector<std::string>{"c1"});
  EXPECT_EQ(journal_states(), (std::vector<std::string>{"calling", "done"}));
  ASSERT_EQ(results().size(), 1u);
  const auto result = results()[0];
  EXPECT_EQ(field(result, "/id"), "c1:result");
  EXPECT_EQ(field(result, "/type"), "parley.command.succeeded");
  EXPECT_EQ(field(result, "/source"), "/parley/cao");
  EXPECT_EQ(field(result, "/partitionkey"), "cao:1");
  EXPECT_EQ(field(result, "/data/attempts"), "1");
  EXPECT_EQ(field(result, "/data/reconciled"), "false");
  EXPECT_EQ(field(result, "/data/platformIds/messageId"), "m-c1");
  EXPECT_EQ(field(result, "/data/command/source"), "/crm");
  EXPECT_EQ(done, std::vector<std::int64_t>{0});
}

TEST_F(ExecutorTest, ARepeatPerformsNothingAndRepublishesTheSameResult) {
  feed(send("c1"));
  feed(send("c1"));
  run();
  EXPECT_EQ(sender->performed.size(), 1u);
  ASSERT_EQ(results().size(), 2u);
  EXPECT_EQ(results()[0], results()[1]);
  const auto records = producer.on("results");
  EXPECT_EQ(records[0].key, records[1].key);
  EXPECT_EQ(records[0].headers, records[1].headers);
  EXPECT_EQ(done, (std::vector<std::int64_t>{0, 1}));
}

TEST_F(ExecutorTest, TheSameIdFromAnotherCallerIsAnotherCommand) {
  feed(send("c1"));
  feed(
      R"({"specversion":"1.0","id":"c1","source":"/other","type":"parley.command.message.send","subject":"1","data":{"source":"cao","text":"x"}})");
  run();
  EXPECT_EQ(sender->performed.size(), 2u);
}

TEST_F(ExecutorTest, ADoubtIsReadBackAndAFoundCallIsNotRepeated) {
  sender->calls = {outcome(CallOutcome::Kind::doubt, 500)};
  sender->reads = {ReadBack{
      .kind = ReadBack::Kind::found, .ids = {{"messageId", "m9"}}, .checked = "GET transcript"}};
  feed(send("c1"));
  run();
  EXPECT_EQ(sender->performed.size(), 1u);
  EXPECT_EQ(sender->read.size(), 1u);
  ASSERT_EQ(results().size(), 1u);
  EXPECT_EQ(field(results()[0], "/type"), "parley.command.succeeded");
  EXPECT_EQ(field(results()[0], "/data/reconciled"), "true");
  EXPECT_EQ(field(results()[0], "/data/platformIds/messageId"), "m9");
}

TEST_F(ExecutorTest, ADoubtReadBackAsNotPerformedIsCalledAgain) {
  sender->calls = {outcome(CallOutcome::Kind::doubt)};
  feed(send("c1"));
  run();
  EXPECT_EQ(sender->performed.size(), 2u);
  EXPECT_EQ(sender->read.size(), 1u);
  EXPECT_EQ(field(results()[0], "/data/attempts"), "2");
  EXPECT_EQ(journal_states(), (std::vector<std::string>{"calling", "calling", "done"}));
}

TEST_F(ExecutorTest, UndecidedReadBackIsUnknown) {
  sender->calls = {outcome(CallOutcome::Kind::doubt)};
  sender->reads = {ReadBack{.kind = ReadBack::Kind::undecided, .checked = "no list endpoint"}};
  feed(send("c1"));
  run();
  EXPECT_EQ(sender->performed.size(), 1u);
  EXPECT_EQ(field(results()[0], "/type"), "parley.command.unknown");
  EXPECT_EQ(field(results()[0], "/data/checked"), "no list endpoint");
}

TEST_F(ExecutorTest, AnIntentFromAnEarlierLifeIsReadBackBeforeAnyCall) {
  JournalEntry intent{.calls = 1, .since = std::chrono::system_clock::now()};
  asio::co_spawn(io, journal.record(identity_of("/crm", "c1"), intent, [] { return true; }),
                 asio::detached);
  run();
  sender->reads = {ReadBack{.kind = ReadBack::Kind::found, .checked = "read"}};
  feed(send("c1"));
  run();
  EXPECT_TRUE(sender->performed.empty());
  EXPECT_EQ(field(results()[0], "/data/reconciled"), "true");
}

TEST_F(ExecutorTest, RefusalsFailAfterOneCall) {
  sender->calls = {outcome(CallOutcome::Kind::rejected, 400),
                   outcome(CallOutcome::Kind::unauthorized, 401)};
  feed(send("c1", "1"));
  feed(send("c2", "2"), "cao:2");
  run();
  EXPECT_EQ(sender->performed.size(), 2u);
  ASSERT_EQ(results().size(), 2u);
  std::set<std::string> kinds = {field(results()[0], "/data/error/kind"),
                                 field(results()[1], "/data/error/kind")};
  EXPECT_EQ(kinds, (std::set<std::string>{"rejected", "unauthorized"}));
}

TEST_F(ExecutorTest, RetriableFailuresGiveUpAfterMaxAttempts) {
  sender->calls = {outcome(CallOutcome::Kind::retry_later, 503),
                   outcome(CallOutcome::Kind::retry_later, 503),
                   outcome(CallOutcome::Kind::retry_later, 503)};
  feed(send("c1"));
  run();
  EXPECT_EQ(sender->performed.size(), 3u);
  EXPECT_TRUE(sender->read.empty());  // nothing was performed: nothing to read back
  EXPECT_EQ(field(results()[0], "/data/error/kind"), "gave_up");
  EXPECT_EQ(field(results()[0], "/data/error/status"), "503");
}

TEST_F(ExecutorTest, ExpiredUnsupportedAndInvalidCommandsCallNothing) {
  feed(send("c1", "1", "hi", "cao", R"(,"expirytime":"2020-01-01T00:00:00Z")"));
  feed(
      R"({"specversion":"1.0","id":"c2","source":"/crm","type":"parley.command.user.upsert","data":{"source":"cao","user":{"id":"u"}}})",
      "cao:user:u");
  feed(send("c3", "3", "bad"), "cao:3");
  feed(send("c4", "4", "hi", "nokey"), "nokey:4");
  feed(send("c5", "5", "hi", "nowhere"), "nowhere:5");
  feed("not json", "junk");
  run();
  EXPECT_TRUE(sender->performed.empty());
  ASSERT_EQ(results().size(), 6u);
  std::map<std::string, std::string> kinds;
  for (const auto& result : results())
    kinds[field(result, "/data/command/id")] = field(result, "/data/error/kind");
  EXPECT_EQ(kinds["c1"], "expired");
  EXPECT_EQ(kinds["c2"], "unsupported");
  EXPECT_EQ(kinds["c3"], "invalid");
  EXPECT_EQ(kinds["c4"], "invalid");
  EXPECT_EQ(kinds["c5"], "invalid");
  EXPECT_EQ(kinds["invalid:0:5"], "invalid");  // without a readable id: named by its offset
  EXPECT_EQ(done.size(), 6u);
}

TEST_F(ExecutorTest, AnInvalidCommandWithAReadableIdKeepsItsOneResult) {
  feed(
      R"({"specversion":"1.0","id":"c7","source":"/crm","type":"parley.command.message.send","subject":"1","data":{"source":"cao"}})");
  feed(send("c7"));  // corrected, but the same caller and id: the same command
  run();
  EXPECT_TRUE(sender->performed.empty());
  ASSERT_EQ(results().size(), 2u);
  EXPECT_EQ(field(results()[0], "/id"), "c7:result");
  EXPECT_EQ(field(results()[0], "/data/error/kind"), "invalid");
  EXPECT_EQ(field(results()[0], "/data/error/message"),
            "field data.text: is required for parley.command.message.send");
  EXPECT_EQ(results()[0], results()[1]);
}

TEST_F(ExecutorTest, ARecordKeyedAwayFromItsPartitionKeyIsRefusedByItsOffset) {
  feed(send("c8"), "cao:elsewhere");
  run();
  EXPECT_TRUE(sender->performed.empty());
  ASSERT_EQ(results().size(), 1u);
  EXPECT_EQ(field(results()[0], "/id"), "invalid:0:0:result");
  EXPECT_EQ(field(results()[0], "/data/error/kind"), "invalid");
  EXPECT_FALSE(journal.find(identity_of("/crm", "c8")));  // c8 itself may still come, rightly keyed
}

TEST_F(ExecutorTest, OneKeyRunsInOrderOneAtATime) {
  for (int i = 0; i < 20; ++i) {
    feed(send("a" + std::to_string(i), "A"), "cao:A");
    feed(send("b" + std::to_string(i), "B"), "cao:B");
  }
  run();
  std::vector<std::string> a;
  for (const auto& id : sender->performed) {
    if (id[0] == 'a') a.push_back(id);
  }
  ASSERT_EQ(a.size(), 20u);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(a[i], "a" + std::to_string(i));
  EXPECT_EQ(results().size(), 40u);
}

TEST_F(ExecutorTest, RevokedPartitionsAreLeftToTheNextOwner) {
  executor->revoke({0});
  feed(send("c1"));
  run();
  EXPECT_TRUE(sender->performed.empty());
  EXPECT_TRUE(results().empty());
  EXPECT_TRUE(done.empty());
}

}  // namespace
}  // namespace parley::commands
