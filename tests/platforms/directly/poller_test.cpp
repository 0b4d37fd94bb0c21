// The poller with a scripted Directly API and an in-memory producer: what it publishes,
// when it stops polling, and what a handover or a stop does.
#include "parley/platforms/directly/poller.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <deque>
#include <functional>

#include "support/memory_producer.hpp"

namespace parley::directly {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr std::string_view kUuid = "123e4567-e89b-12d3-a456-426655440000";

using testing::MemoryProducer;

std::string question(std::string_view status, bool closed, std::string_view updated) {
  return R"({"meta":{},"data":{"uuid":")" + std::string(kUuid) + R"(","updatedAt":")" +
         std::string(updated) +
         R"(","conversation":{"text":"Help","author":{"uuid":"u1","name":"Asker"},"messages":[],"responses":[]},"state":{"status":")" +
         std::string(status) + R"(","isAnswered":false,"isClosed":)" + (closed ? "true" : "false") +
         "}}}";
}

/// Answers each poll from a script (then 304 forever) and records what was asked.
class ScriptedApi final : public DirectlyApi {
 public:
  explicit ScriptedApi(asio::any_io_executor executor)
      : client_(executor, {.base = upstream::parse_base_url("http://127.0.0.1:1").value()},
                nullptr) {}
  asio::awaitable<Result<std::optional<std::string>, upstream::UpstreamError>> poll(
      const std::string& uuid, const std::string& last_checked) override {
    polls.emplace_back(uuid, last_checked);
    if (answers.empty()) co_return std::optional<std::string>{};
    auto answer = answers.front();
    answers.pop_front();
    co_return answer;
  }
  asio::awaitable<void> logout() override {
    ++logouts;
    co_return;
  }
  const upstream::HttpClient& client() const override { return client_; }

  std::deque<Result<std::optional<std::string>, upstream::UpstreamError>> answers;
  std::vector<std::pair<std::string, std::string>> polls;
  int logouts = 0;

 private:
  upstream::HttpClient client_;
};

class PollerTest : public ::testing::Test {
 protected:
  PollerTest() {
    auto api = std::make_unique<ScriptedApi>(strand_);
    api_ = api.get();
    poller_ = std::make_unique<Poller>(strand_, producer_, stats_, produced_, std::move(api),
                                       PollerOptions{.events_topic = "events",
                                                     .watches_topic = "watches",
                                                     .interval = 5ms,
                                                     .max_interval = 20ms,
                                                     .max_requests_per_second = 1000});
    poller_->start();
  }

  /// Runs the io_context until `done` holds; false after a generous bound.
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.run_one_for(10ms);
    }
    return true;
  }

  void watch(std::int32_t partition = 0) {
    poller_->accept({.partition = partition, .key = std::string(kUuid), .value = "{}"});
  }

  asio::io_context io_;
  asio::strand<asio::any_io_executor> strand_{asio::make_strand(io_.get_executor())};
  MemoryProducer producer_;
  metrics::Registry registry_;
  PollStats stats_{registry_};
  kafka::ProduceStats produced_{registry_, {}};
  ScriptedApi* api_ = nullptr;
  std::unique_ptr<Poller> poller_;
};

TEST_F(PollerTest, PublishesChangesThenPollsWithTheQuestionsUpdatedAt) {
  api_->answers.push_back(std::optional<std::string>(question("UNRESOLVED", false, "T1")));
  watch();
  ASSERT_TRUE(run_until([&] { return api_->polls.size() >= 4; }));
  EXPECT_EQ(api_->polls[0].second, "") << "the first poll asks for everything";
  EXPECT_EQ(api_->polls[1].second, "T1");
  EXPECT_EQ(api_->polls[3].second, "T1") << "a 304 keeps lastChecked";
  const auto events = producer_.on("events");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].key, "directly:" + std::string(kUuid));
  EXPECT_EQ(poller_->watched(), 1u);
}

TEST_F(PollerTest, AClosedQuestionIsUnwatchedAndNoLongerPolled) {
  api_->answers.push_back(std::optional<std::string>(question("CLOSED", true, "T1")));
  watch();
  ASSERT_TRUE(run_until([&] { return !producer_.on("watches").empty(); }));
  const auto tombstone = producer_.on("watches").front();
  EXPECT_TRUE(tombstone.tombstone);
  EXPECT_EQ(tombstone.key, kUuid);
  // The tombstone comes back through the consumer: the question is forgotten.
  poller_->accept({.partition = 0, .key = std::string(kUuid), .tombstone = true});
  ASSERT_TRUE(run_until([&] { return poller_->watched() == 0; }));
  const auto polls = api_->polls.size();
  io_.run_for(50ms);  // ten intervals in which a watched question would be polled
  EXPECT_EQ(api_->polls.size(), polls);
}

TEST_F(PollerTest, ARevokedPartitionsQuestionsStopBeingPolled) {
  watch(2);
  ASSERT_TRUE(run_until([&] { return !api_->polls.empty(); }));
  poller_->revoke({2});
  ASSERT_TRUE(run_until([&] { return poller_->watched() == 0; }));
  const auto polls = api_->polls.size();
  io_.run_for(50ms);
  EXPECT_LE(api_->polls.size(), polls + 1) << "at most the poll already in flight";
}

TEST_F(PollerTest, AnAnswerAboutAnotherQuestionIsAnErrorAndPublishesNothing) {
  auto other = question("UNRESOLVED", false, "T1");
  other.replace(other.find(kUuid), kUuid.size(), "99999999-e89b-12d3-a456-426655440000");
  api_->answers.push_back(std::optional<std::string>(other));
  api_->answers.push_back(std::optional<std::string>(question("UNRESOLVED", false, "T2")));
  watch();
  ASSERT_TRUE(run_until([&] { return api_->polls.size() >= 2; }));
  EXPECT_EQ(api_->polls[1].second, "") << "the wrong answer moved nothing forward";
  ASSERT_TRUE(run_until([&] { return producer_.on("events").size() == 2; }));
  for (const auto& event : producer_.on("events")) {
    EXPECT_EQ(event.key, "directly:" + std::string(kUuid));
    EXPECT_EQ(event.value.find("99999999"), std::string::npos) << event.value;
  }
}

TEST_F(PollerTest, ErrorsBackOffAndARetryAfterPausesPolling) {
  api_->answers.push_back(
      upstream::UpstreamError{.message = "429", .retry_after = 200ms, .status = 429});
  watch();
  ASSERT_TRUE(run_until([&] { return api_->polls.size() == 1; }));
  const auto paused_at = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until([&] { return api_->polls.size() == 2; }));
  EXPECT_GE(std::chrono::steady_clock::now() - paused_at, 190ms);
}

TEST_F(PollerTest, StopLetsPollsFinishThenLogsOut) {
  watch();
  ASSERT_TRUE(run_until([&] { return !api_->polls.empty(); }));
  bool stopped = false;
  asio::co_spawn(poller_->strand(), poller_->stop(), [&](std::exception_ptr) { stopped = true; });
  ASSERT_TRUE(run_until([&] { return stopped; }));
  EXPECT_EQ(api_->logouts, 1);
}

}  // namespace
}  // namespace parley::directly
