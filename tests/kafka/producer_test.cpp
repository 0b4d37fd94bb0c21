// The producer against a real Kafka-protocol broker (librdkafka's mock cluster).
#include "parley/kafka/producer.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <librdkafka/rdkafka.h>

#include "parley/kafka/embedded_broker.hpp"
#include "parley/kafka/errors.hpp"
#include "support/kafka_reader.hpp"

namespace parley::kafka {
namespace {

using namespace std::chrono_literals;

class ProducerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = EmbeddedBroker::start(1, {"t"}, 2);
    ASSERT_TRUE(started) << started.error();
    broker_ = std::move(started).value();
  }
  std::unique_ptr<KafkaProducer> make(std::map<std::string, std::string> properties = {}) {
    auto created = KafkaProducer::create({.bootstrap_servers = broker_->bootstrap_servers(),
                                          .ack_timeout = 1500ms,
                                          .properties = std::move(properties),
                                          .probe_topic = "t"});
    EXPECT_TRUE(created) << created.error();
    return created ? std::move(created).value() : nullptr;
  }
  std::optional<Error> produce(Producer& producer, const Record& record,
                               std::chrono::milliseconds ack_timeout = 1500ms) {
    boost::asio::io_context io;
    auto result = boost::asio::co_spawn(io, produce_acknowledged(producer, record, ack_timeout),
                                        boost::asio::use_future);
    io.run();
    return result.get();
  }
  std::unique_ptr<EmbeddedBroker> broker_;
};

TEST_F(ProducerTest, AcknowledgedRecordIsOnTheTopicWithKeyAndHeaders) {
  auto producer = make();
  const Record record{.topic = "t", .key = "k", .value = "v", .headers = {{"h", "1"}}};
  EXPECT_EQ(produce(*producer, record), std::nullopt);
  testing::KafkaReader reader(broker_->bootstrap_servers(), "t");
  const auto messages = reader.read(1, 10s);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].key, "k");
  EXPECT_EQ(messages[0].value, "v");
  EXPECT_EQ(messages[0].headers.at("h"), "1");
}

TEST_F(ProducerTest, BrokerDownIsATimeoutWithinTheAckDeadline) {
  auto producer = make();
  broker_->set_broker_up(1, false);
  const auto started = std::chrono::steady_clock::now();
  const auto failure = produce(*producer, Record{.topic = "t", .key = "k", .value = "v"}, 500ms);
  ASSERT_TRUE(failure);
  EXPECT_EQ(failure->code, kafka::Errc::timeout);
  EXPECT_NE(failure->message.find("500 ms"), std::string::npos);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(ProducerTest, ReachableFollowsTheBroker) {
  auto producer = make();
  EXPECT_TRUE(producer->wait_reachable(true, 10s));
  broker_->set_broker_up(1, false);
  EXPECT_TRUE(producer->wait_reachable(false, 10s));
  broker_->set_broker_up(1, true);
  EXPECT_TRUE(producer->wait_reachable(true, 10s));
}

TEST_F(ProducerTest, AFatalErrorMakesTheProducerUnreachableForGood) {
  // InitProducerId refused for authorization: the idempotent producer cannot start, as
  // when the Kafka user lacks the IdempotentWrite ACL.
  constexpr int kInitProducerId = 22;
  broker_->fail_next_requests(kInitProducerId,
                              std::vector<int>(10, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED));
  auto producer = make();
  // The record fails once the fatal error is raised; the error is reported before it.
  const auto failure = produce(*producer, Record{.topic = "t", .key = "k", .value = "v"}, 10s);
  ASSERT_TRUE(failure);
  EXPECT_TRUE(producer->failed_fatally()) << failure->message;
  EXPECT_FALSE(producer->reachable());
}

TEST_F(ProducerTest, PropertiesThatWeakenDurabilityAreRefused) {
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"acks", "1"},
                                                        {"request.required.acks", "0"},
                                                        {"enable.idempotence", "false"},
                                                        {"message.timeout.ms", "300000"},
                                                        {"delivery.timeout.ms", "300000"},
                                                        {"delivery.report.only.error", "true"}}) {
    auto created = KafkaProducer::create({.bootstrap_servers = broker_->bootstrap_servers(),
                                          .properties = {{key, value}},
                                          .probe_topic = "t"});
    ASSERT_FALSE(created) << key;
    EXPECT_NE(created.error().find("kafka.properties." + key), std::string::npos)
        << created.error();
  }
}

TEST_F(ProducerTest, UnknownLibrdkafkaPropertyIsRefusedByName) {
  auto created = KafkaProducer::create({.bootstrap_servers = broker_->bootstrap_servers(),
                                        .properties = {{"no.such.property", "1"}},
                                        .probe_topic = "t"});
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().find("kafka.properties.no.such.property"), std::string::npos);
}

}  // namespace
}  // namespace parley::kafka
