// The one "publish until acknowledged" loop of enrichment and Directly polling: retries
// what can clear, gives up what cannot, and stops when told to.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <deque>

#include "parley/kafka/errors.hpp"
#include "parley/kafka/produce_stats.hpp"
#include "parley/kafka/producer.hpp"

namespace parley::kafka {
namespace {

using namespace std::chrono_literals;

/// Answers each produce with the next scripted result (acknowledged once they run out).
class ScriptedProducer final : public Producer {
 public:
  explicit ScriptedProducer(std::deque<std::optional<Error>> results)
      : results_(std::move(results)) {}
  void produce(const Record& /*record*/, DeliveryCallback on_delivery) override {
    ++attempts;
    auto result = results_.empty() ? std::nullopt : results_.front();
    if (!results_.empty()) results_.pop_front();
    on_delivery(std::move(result));
  }
  bool reachable() const override { return true; }
  int attempts = 0;

 private:
  std::deque<std::optional<Error>> results_;
};

Publication run(ScriptedProducer& producer, const RetryPolicy& policy) {
  boost::asio::io_context io;
  const Record record{.topic = "t", .key = "k"};  // outlives the coroutine, as required
  auto done = boost::asio::co_spawn(io, publish_until_acknowledged(producer, record, policy),
                                    boost::asio::use_future);
  io.run();
  return done.get();
}

TEST(PublishUntilAcknowledged, RetriesWhatCanClearUntilAcknowledgedCountingEachAttempt) {
  ScriptedProducer producer(
      {Error{kafka::Errc::unavailable, "broker down"}, Error{kafka::Errc::timeout, "no report"}});
  metrics::Registry registry;
  ProduceStats counted(registry, {"t"});
  const RetryPolicy policy{.ack_timeout = 1s, .retry_every = 1ms, .counted = &counted};
  EXPECT_EQ(run(producer, policy), Publication::acknowledged);
  EXPECT_EQ(producer.attempts, 3);
  const auto scraped = registry.scrape();
  EXPECT_NE(scraped.find("parley_kafka_produce_errors_total{topic=\"t\"} 2"), std::string::npos)
      << scraped;
  EXPECT_NE(scraped.find("parley_kafka_produced_total{topic=\"t\"} 1"), std::string::npos)
      << scraped;
}

TEST(PublishUntilAcknowledged, GivesUpARecordKafkaRefusesForGood) {
  for (const auto code : {kafka::Errc::too_large, kafka::Errc::invalid_record}) {
    ScriptedProducer producer({Error{code, "Message size too large"}});
    EXPECT_EQ(run(producer, {.ack_timeout = 1s, .retry_every = 1ms}), Publication::refused);
    EXPECT_EQ(producer.attempts, 1);
  }
}

TEST(PublishUntilAcknowledged, StopsRetryingOnceKeepTryingTurnsFalse) {
  ScriptedProducer producer({Error{kafka::Errc::unavailable, "down"},
                             Error{kafka::Errc::unavailable, "down"},
                             Error{kafka::Errc::unavailable, "down"}});
  int asked = 0;
  const RetryPolicy policy{
      .ack_timeout = 1s, .retry_every = 1ms, .keep_trying = [&] { return ++asked <= 2; }};
  EXPECT_EQ(run(producer, policy), Publication::stopped);
  EXPECT_EQ(producer.attempts, 2);
}

}  // namespace
}  // namespace parley::kafka
