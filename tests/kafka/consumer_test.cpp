// The consumer against a real Kafka-protocol broker (librdkafka's mock cluster).
#include "parley/kafka/consumer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <condition_variable>

#include "parley/kafka/embedded_broker.hpp"
#include "parley/kafka/producer.hpp"

namespace parley::kafka {
namespace {

using namespace std::chrono_literals;

TEST(OffsetTracker, CommitsOnlyPastRecordsThatAreAllDone) {
  OffsetTracker tracker;
  tracker.assign(0);
  for (std::int64_t offset = 10; offset < 15; ++offset)
    tracker.started(0, offset);
  tracker.done(0, 11);
  tracker.done(0, 12);
  EXPECT_EQ(tracker.take_commits(), (std::map<std::int32_t, std::int64_t>{{0, 10}}));
  EXPECT_TRUE(tracker.take_commits().empty()) << "nothing moved";
  tracker.done(0, 10);
  EXPECT_EQ(tracker.take_commits(), (std::map<std::int32_t, std::int64_t>{{0, 13}}));
  tracker.done(0, 14);
  tracker.done(0, 13);
  EXPECT_EQ(tracker.take_commits(), (std::map<std::int32_t, std::int64_t>{{0, 15}}));
  EXPECT_EQ(tracker.outstanding(), 0u);
  EXPECT_EQ(tracker.resume_offset(0), 15);
}

TEST(OffsetTracker, RevokedPartitionsAreForgotten) {
  OffsetTracker tracker;
  tracker.assign(1);
  tracker.started(1, 0);
  tracker.revoke(1);
  tracker.done(1, 0);
  tracker.started(1, 1);  // a late record of a revoked partition is not tracked
  EXPECT_TRUE(tracker.take_commits().empty());
  EXPECT_EQ(tracker.outstanding(), 0u);
  EXPECT_EQ(tracker.resume_offset(1), std::nullopt);
}

/// Records a consumer received, for the test thread to wait on.
struct Received {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<ConsumedRecord> records;

  void add(ConsumedRecord record) {
    std::lock_guard lock(mutex);
    records.push_back(std::move(record));
    changed.notify_all();
  }
  bool wait_for(std::size_t count, std::chrono::seconds timeout) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, [&] { return records.size() >= count; });
  }
};

class ConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = EmbeddedBroker::start(1, {"events"}, 1);
    ASSERT_TRUE(started) << started.error();
    broker_ = std::move(started).value();
    auto created = KafkaProducer::create(
        {.bootstrap_servers = broker_->bootstrap_servers(), .probe_topic = "events"});
    ASSERT_TRUE(created) << created.error();
    producer_ = std::move(created).value();
  }
  void produce(const std::string& key) {
    boost::asio::io_context io;
    const Record record{.topic = "events", .key = key, .value = "v-" + key};
    auto result = boost::asio::co_spawn(io, produce_acknowledged(*producer_, record, 5s),
                                        boost::asio::use_future);
    io.run();
    ASSERT_EQ(result.get(), std::nullopt);
  }
  std::unique_ptr<KafkaConsumer> consume(Received& into) {
    auto created = KafkaConsumer::create(
        {.bootstrap_servers = broker_->bootstrap_servers(),
         .group_id = "enrich",
         .topic = "events",
         .properties = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}},
         .commit_interval = 50ms},
        [&into](ConsumedRecord record) { into.add(record); });
    EXPECT_TRUE(created) << created.error();
    auto consumer = std::move(created).value();
    consumer->start();
    return consumer;
  }
  std::unique_ptr<EmbeddedBroker> broker_;
  std::unique_ptr<KafkaProducer> producer_;
};

TEST_F(ConsumerTest, ARestartedGroupResumesAtTheFirstUnfinishedRecord) {
  for (int i = 0; i < 10; ++i)
    produce("k" + std::to_string(i));
  Received first;
  auto consumer = consume(first);
  ASSERT_TRUE(first.wait_for(10, 30s));
  for (const auto& record : first.records) {
    if (record.key != "k5") consumer->done(record.partition, record.offset);
  }
  EXPECT_EQ(first.records[3].value, "v-k3");
  EXPECT_GT(first.records[3].timestamp_ms, 0);
  consumer->stop(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  consumer.reset();

  Received second;
  auto restarted = consume(second);
  produce("sentinel");  // after it, nothing older can still arrive
  ASSERT_TRUE(second.wait_for(6, 30s))
      << second.records.size()
      << (second.records.empty() ? std::string() : " first " + second.records[0].key);
  std::vector<std::string> keys;
  for (const auto& record : second.records)
    keys.push_back(record.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"k5", "k6", "k7", "k8", "k9", "sentinel"}));
}

TEST_F(ConsumerTest, ReportsLagOfUnfinishedRecords) {
  for (int i = 0; i < 4; ++i)
    produce("k" + std::to_string(i));
  Received received;
  auto consumer = consume(received);
  ASSERT_TRUE(received.wait_for(4, 30s));
  consumer->done(0, received.records[0].offset);
  // The lag is refreshed every commit interval; wait for the value, not for time.
  std::map<std::int32_t, std::int64_t> lag;
  for (int i = 0; i < 200 && lag != std::map<std::int32_t, std::int64_t>{{0, 3}}; ++i) {
    std::unique_lock lock(received.mutex);
    received.changed.wait_for(lock, 50ms);
    lag = consumer->lag();
  }
  EXPECT_EQ(lag, (std::map<std::int32_t, std::int64_t>{{0, 3}}));
}

}  // namespace
}  // namespace parley::kafka
