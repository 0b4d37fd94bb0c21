// The enrichment stage with a scripted platform API and an in-memory producer: what it
// fetches, what it publishes, and when it reports records done.
#include "parley/enrich/stage.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <deque>
#include <set>

#include "parley/kafka/errors.hpp"
#include "support/memory_producer.hpp"

namespace parley::enrich {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

using testing::MemoryProducer;

/// A platform whose answers the test scripts: queued errors first, then the conversation.
class ScriptedApi final : public PlatformApi {
 public:
  explicit ScriptedApi(asio::any_io_executor executor)
      : client_(executor, {.base = upstream::parse_base_url("http://127.0.0.1:1").value()},
                nullptr) {}
  std::string_view platform() const override { return "cao"; }
  const upstream::HttpClient& client() const override { return client_; }
  asio::awaitable<Result<FetchedConversation, upstream::UpstreamError>> fetch(
      const EventRef& event) override {
    ++fetches;
    fetched.push_back(event.conversation_id);
    if (!errors.empty()) {
      auto error = errors.front();
      errors.pop_front();
      co_return error;
    }
    FetchedConversation conversation{.id = event.conversation_id, .made_up_ids = made_up_ids};
    for (const auto& id : message_ids)
      conversation.messages.push_back(events::Message{.id = id, .text = "hello " + id});
    co_return conversation;
  }
  int fetches = 0;
  std::vector<std::string> fetched;  ///< conversation ids, in order
  std::deque<upstream::UpstreamError> errors;
  std::vector<std::string> message_ids = {"m1"};  ///< what the conversation holds
  std::set<std::string> made_up_ids;

 private:
  upstream::HttpClient client_;
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class StageTest : public ::testing::Test {
 protected:
  StageTest() { make_stage({}); }

  /// A stage with the test's defaults plus reconciliation as given.
  void make_stage(std::chrono::milliseconds reconcile_after, std::size_t reconcile_max = 100) {
    stage_.reset();
    auto api = std::make_unique<ScriptedApi>(strand_);
    api_ = api.get();
    Stage::Apis apis;
    apis.emplace("cao", std::move(api));
    stage_ = std::make_unique<Stage>(
        strand_, producer_, stats_, produced_, std::move(apis),
        StageOptions{.events_topic = "events",
                     .enriched_topic = "enriched",
                     .deadletter_topic = "deadletter",
                     .max_attempts = 2,
                     .backoff = {.base = 1ms, .cap = 2ms},
                     .reconcile_after = reconcile_after,
                     .reconcile_max_conversations = reconcile_max,
                     .reconcile_per_second = 1000},
        [this](std::int32_t, std::int64_t offset) { done_.push_back(offset); });
  }

  /// A cao event record at `offset`, published at `published_ms`, of conversation `visit`.
  kafka::ConsumedRecord record(std::int64_t offset, std::int64_t published_ms,
                               std::string type = "parley.message.created",
                               std::string message_id = "m0", const std::string& visit = "v1") {
    events::CloudEvent event{.id = "cao:e" + std::to_string(offset),
                             .source = "/parley/cao",
                             .type = std::move(type),
                             .subject = visit,
                             .time = "2026-01-01T00:00:00.000Z",
                             .partition_key = "cao:" + visit,
                             .data = {.platform = "cao",
                                      .platform_event = "ReceiveMessage",
                                      .conversation = {.id = visit},
                                      .message = events::Message{.id = std::move(message_id)}}};
    return kafka::ConsumedRecord{.topic = "events",
                                 .partition = 0,
                                 .offset = offset,
                                 .timestamp_ms = published_ms,
                                 .key = "cao:" + visit,
                                 .value = events::to_json(event)};
  }

  /// The ids of the events published to the events topic (discovered messages), in order.
  std::vector<std::string> discovered_ids() const {
    std::vector<std::string> ids;
    for (const auto& produced : producer_.on("events")) {
      for (const auto& [name, value] : produced.headers) {
        if (name == "ce_id") ids.push_back(value);
      }
    }
    return ids;
  }

  /// Runs the loop until `count` events were published to the events topic.
  void run_until_discovered(std::size_t count) {
    io_.restart();
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (discovered_ids().size() < count && std::chrono::steady_clock::now() < deadline) {
      io_.run_one_for(100ms);
    }
    ASSERT_EQ(discovered_ids().size(), count);
  }

  /// Runs the loop until `count` records were reported done.
  void run_until_done(std::size_t count) {
    io_.restart();  // the loop stops whenever it runs out of work
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (done_.size() < count && std::chrono::steady_clock::now() < deadline) {
      io_.run_one_for(100ms);
    }
    ASSERT_EQ(done_.size(), count);
  }

  asio::io_context io_;
  asio::strand<asio::any_io_executor> strand_ = asio::make_strand(io_.get_executor());
  MemoryProducer producer_;
  metrics::Registry registry_;
  EnrichStats stats_{registry_};
  kafka::ProduceStats produced_{registry_, {}};
  ScriptedApi* api_ = nullptr;
  std::unique_ptr<Stage> stage_;
  std::vector<std::int64_t> done_;
};

TEST_F(StageTest, EventsPublishedBeforeAFetchShareItAndStayInOrder) {
  const auto before = now_ms() - 1000;
  for (int i = 0; i < 5; ++i)
    stage_->accept(record(i, before));
  run_until_done(5);
  EXPECT_EQ(api_->fetches, 1);
  EXPECT_EQ(done_, (std::vector<std::int64_t>{0, 1, 2, 3, 4}));
  const auto enriched = producer_.on("enriched");
  ASSERT_EQ(enriched.size(), 5u);
  EXPECT_NE(enriched[0].value.find(R"("enrichment":{"status":"ok")"), std::string::npos);
  EXPECT_NE(enriched[0].value.find(R"("attempts":1)"), std::string::npos);
  EXPECT_NE(enriched[4].value.find(R"("attempts":0)"), std::string::npos) << "served by the fetch";
  EXPECT_NE(enriched[4].value.find(R"("id":"cao:e4")"), std::string::npos);
  EXPECT_NE(enriched[0].value.find(R"("messages":[{"id":"m1")"), std::string::npos);
}

TEST_F(StageTest, AnEventPublishedAfterTheFetchBeganNeedsANewOne) {
  stage_->accept(record(0, now_ms() - 1000));
  run_until_done(1);
  stage_->accept(record(1, now_ms() + 60000));
  run_until_done(2);
  EXPECT_EQ(api_->fetches, 2);
}

TEST_F(StageTest, AnEventWhoseMessageTheCachedConversationHoldsIsServedFromIt) {
  stage_->accept(record(0, now_ms() - 1000));
  run_until_done(1);
  stage_->accept(record(1, now_ms() + 60000, "parley.message.read", "m1"));
  run_until_done(2);
  EXPECT_EQ(api_->fetches, 1);
}

TEST_F(StageTest, ConversationDeletedNeedsNoFetch) {
  stage_->accept(record(0, now_ms(), "parley.conversation.deleted"));
  run_until_done(1);
  EXPECT_EQ(api_->fetches, 0);
  ASSERT_EQ(producer_.on("enriched").size(), 1u);
  EXPECT_NE(producer_.on("enriched")[0].value.find(R"("status":"not_applicable")"),
            std::string::npos);
}

TEST_F(StageTest, RetryableErrorsAreRetriedWithinTheBudget) {
  api_->errors.push_back({.message = "CAO answered 500", .status = 500});
  stage_->accept(record(0, now_ms()));
  run_until_done(1);
  EXPECT_EQ(api_->fetches, 2);
  EXPECT_NE(producer_.on("enriched")[0].value.find(R"("status":"ok","fetchedAt")"),
            std::string::npos);
  EXPECT_TRUE(producer_.on("deadletter").empty());
}

TEST_F(StageTest, OutOfBudgetTheEventIsFailedAndDeadLettered) {
  for (int i = 0; i < 3; ++i)
    api_->errors.push_back({.message = "CAO answered 503", .status = 503});
  stage_->accept(record(0, now_ms()));
  run_until_done(1);
  EXPECT_EQ(api_->fetches, 2);
  const auto enriched = producer_.on("enriched");
  ASSERT_EQ(enriched.size(), 1u);
  EXPECT_NE(enriched[0].value.find(
                R"("enrichment":{"status":"failed","attempts":2,"error":"CAO answered 503"})"),
            std::string::npos)
      << enriched[0].value;
  const auto deadletter = producer_.on("deadletter");
  ASSERT_EQ(deadletter.size(), 1u);
  EXPECT_EQ(deadletter[0].value, enriched[0].value);
  const auto& headers = deadletter[0].headers;
  EXPECT_NE(std::find(headers.begin(), headers.end(),
                      std::pair<std::string, std::string>{"parley_deadletter_reason",
                                                          "CAO answered 503"}),
            headers.end());
}

TEST_F(StageTest, AnEnrichedEventKafkaRefusesForGoodGoesOnWithoutItsConversation) {
  // The enriched topic's limit is below the producer's: every record carrying the fetched
  // conversation is refused as too large; the bare event is not.
  producer_.refuse = [](const kafka::Record& record) -> std::optional<Error> {
    if (record.topic == "enriched" && record.value.find(R"("status":"ok")") != std::string::npos) {
      return Error{kafka::Errc::too_large, "Broker: Message size too large"};
    }
    return std::nullopt;
  };
  stage_->accept(record(0, now_ms()));
  run_until_done(1);
  const auto enriched = producer_.on("enriched");
  ASSERT_EQ(enriched.size(), 1u) << "the enriched stream stays complete";
  EXPECT_NE(enriched[0].value.find(R"("status":"failed")"), std::string::npos) << enriched[0].value;
  EXPECT_NE(enriched[0].value.find("Kafka refused the enriched event of "), std::string::npos)
      << enriched[0].value;
  const auto deadletter = producer_.on("deadletter");
  ASSERT_EQ(deadletter.size(), 1u);
  EXPECT_EQ(deadletter[0].value, enriched[0].value);
}

TEST_F(StageTest, ANonRetryableErrorFailsAtOnce) {
  api_->errors.push_back({.message = "CAO answered 404", .retryable = false, .status = 404});
  stage_->accept(record(0, now_ms()));
  run_until_done(1);
  EXPECT_EQ(api_->fetches, 1);
  EXPECT_EQ(producer_.on("deadletter").size(), 1u);
}

TEST_F(StageTest, AFetchPublishesEveryMessageNoEventAnnouncedOnce) {
  api_->message_ids = {"m1", "m2", "m3"};
  stage_->accept(record(0, now_ms() - 1000, "parley.message.created", "m1"));
  run_until_done(1);
  // m1 came by webhook: only the other two are published, under their message ids.
  EXPECT_EQ(discovered_ids(), (std::vector<std::string>{"cao:message:m2", "cao:message:m3"}));
  const auto discovered = producer_.on("events");
  ASSERT_EQ(discovered.size(), 2u);
  EXPECT_EQ(discovered[0].key, "cao:v1");
  EXPECT_NE(discovered[0].value.find(R"("platformEvent":"enrichment.discovered")"),
            std::string::npos);
  EXPECT_NE(discovered[0].value.find(R"("source":"/parley/cao")"), std::string::npos);

  stage_->accept(record(1, now_ms() + 60000, "parley.message.read", "m3"));
  run_until_done(2);
  EXPECT_EQ(discovered_ids().size(), 2u) << "a second fetch repeats nothing";
}

TEST_F(StageTest, MessagesWithMadeUpIdsAreNeverPublishedOnTheirOwn) {
  api_->message_ids = {"m1", "v1:1"};
  api_->made_up_ids = {"v1:1"};
  stage_->accept(record(0, now_ms() - 1000, "parley.message.created", "m0"));
  run_until_done(1);
  EXPECT_EQ(discovered_ids(), std::vector<std::string>{"cao:message:m1"});
  // The enriched conversation still carries it.
  EXPECT_NE(producer_.on("enriched")[0].value.find(R"("id":"v1:1")"), std::string::npos);
}

TEST_F(StageTest, AQuietConversationIsFetchedOnceMoreAndItsNewMessagePublished) {
  make_stage(20ms);
  stage_->accept(record(0, now_ms() - 1000, "parley.message.created", "m1"));
  run_until_done(1);
  EXPECT_TRUE(discovered_ids().empty());
  api_->message_ids = {"m1", "m2"};  // m2 appears upstream; no webhook says so
  run_until_discovered(1);
  EXPECT_EQ(discovered_ids(), std::vector<std::string>{"cao:message:m2"});
  EXPECT_EQ(api_->fetches, 2);
  // The discovered event, read back from the events topic, does not schedule another.
  auto discovered = producer_.on("events")[0];
  stage_->accept(kafka::ConsumedRecord{.topic = "events",
                                       .partition = 0,
                                       .offset = 1,
                                       .timestamp_ms = now_ms(),
                                       .key = discovered.key,
                                       .value = discovered.value});
  run_until_done(2);
  EXPECT_EQ(api_->fetches, 2) << "served by the reconcile fetch's cache entry";
}

TEST_F(StageTest, ReconcileScheduleIsBoundedOldestDroppedFirst) {
  make_stage(20ms, /*reconcile_max=*/1);
  stage_->accept(record(0, now_ms() - 1000, "parley.message.created", "m1", "v1"));
  stage_->accept(record(1, now_ms() - 1000, "parley.message.created", "m1", "v2"));
  run_until_done(2);
  api_->message_ids = {"m1", "m2"};
  run_until_discovered(1);
  // v1 was dropped when v2 was scheduled: only v2 is fetched again.
  EXPECT_EQ(api_->fetched, (std::vector<std::string>{"v1", "v2", "v2"}));
  EXPECT_EQ(discovered_ids(), std::vector<std::string>{"cao:message:m2"});
}

}  // namespace
}  // namespace parley::enrich
