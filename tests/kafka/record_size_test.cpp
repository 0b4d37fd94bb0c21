// What the door checks before it accepts an event: the producer's limit on the record's own
// bytes, and -- where the cluster stated the topic's max.message.bytes -- the lz4-compressed
// size against it (the broker applies it to the compressed batch).
#include "parley/kafka/record_size.hpp"

#include <gtest/gtest.h>

#include <random>

#include "parley/kafka/errors.hpp"
#include "parley/kafka/event_record.hpp"

namespace parley::kafka {
namespace {

/// A producer with the limits under test; nothing is ever produced.
class LimitedProducer final : public Producer {
 public:
  LimitedProducer(std::size_t producer_limit, std::optional<std::size_t> topic_limit)
      : producer_limit_(producer_limit), topic_limit_(topic_limit) {}
  void produce(const Record&, DeliveryCallback on_delivery) override {
    on_delivery(Error{Errc::refused, "not in this test"});
  }
  bool reachable() const override { return true; }
  std::size_t max_message_bytes() const override { return producer_limit_; }
  std::optional<std::size_t> topic_max_message_bytes() const override { return topic_limit_; }

 private:
  std::size_t producer_limit_;
  std::optional<std::size_t> topic_limit_;
};

Record event_of(std::string value) {
  return Record{.topic = "parley.events.v1",
                .key = "justanswer:q1",
                .value = std::move(value),
                .headers = {{"ce_type", "parley.message.created"}}};
}

std::string json_like(std::size_t bytes) {  // compresses well, as events do
  std::string out;
  while (out.size() < bytes)
    out += R"({"id":"m1","text":"The same words again and again","author":{"role":"expert"}},)";
  out.resize(bytes);
  return out;
}

std::string incompressible(std::size_t bytes) {
  std::mt19937_64 random(42);
  std::string out(bytes, '\0');
  for (auto& c : out)
    c = static_cast<char>(random());
  return out;
}

TEST(RecordSize, CompressibleEventsOverTheTopicLimitFitWhenTheirLz4SizeDoes) {
  const LimitedProducer producer(2'162'688, 1'048'588);
  const auto record = event_of(json_like(1'500'000));
  EXPECT_LT(lz4_record_bytes(record), 200'000u);
  EXPECT_FALSE(check_fits(record, producer)) << check_fits(record, producer)->message;
}

TEST(RecordSize, AnIncompressibleEventOverTheTopicLimitIsTooLargeNamingBothNumbers) {
  const LimitedProducer producer(2'162'688, 1'048'588);
  const auto record = event_of(incompressible(1'100'000));
  EXPECT_GT(lz4_record_bytes(record), 1'100'000u) << "lz4 cannot shrink random bytes";
  const auto refused = check_fits(record, producer);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, make_error_code(Errc::too_large));
  EXPECT_NE(refused->message.find("over the broker's limit of 1048588 bytes (max.message.bytes "
                                  "of topic parley.events.v1)"),
            std::string::npos)
      << refused->message;
  EXPECT_NE(refused->message.find("compressed with lz4"), std::string::npos) << refused->message;
}

TEST(RecordSize, WithoutAStatedTopicLimitOnlyTheProducersLimitApplies) {
  const LimitedProducer unknown_topic(2'162'688, std::nullopt);
  EXPECT_FALSE(check_fits(event_of(incompressible(1'100'000)), unknown_topic));
  const auto refused = check_fits(event_of(incompressible(2'200'000)), unknown_topic);
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->message.find("over Kafka's message limit of 2162688 bytes "
                                  "(kafka.properties.message.max.bytes)"),
            std::string::npos)
      << refused->message;
}

TEST(RecordSize, KeyAndHeadersCountUncompressed) {
  auto record = event_of("");
  EXPECT_EQ(lz4_record_bytes(record), record_bytes(record)) << "nothing to compress";
  record.value = json_like(10'000);
  EXPECT_LT(lz4_record_bytes(record), record_bytes(record));
  EXPECT_GT(lz4_record_bytes(record), record_bytes(record) - record.value.size())
      << "only the value is compressed";
}

}  // namespace
}  // namespace parley::kafka
