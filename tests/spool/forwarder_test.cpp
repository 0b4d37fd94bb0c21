// The forwarder against a scripted producer: order per key, one write per record across
// retries, and the quarantine for records Kafka refuses for good.
#include "parley/spool/forwarder.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>

#include "parley/kafka/errors.hpp"
#include "parley/spool/refused.hpp"
#include "parley/spool/spool.hpp"

namespace parley::spool {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct ScratchDir {
  ScratchDir()
      : path(fs::temp_directory_path() /
             ("parley-forwarder-" + std::to_string(std::random_device{}()))) {
    fs::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

kafka::Record event(int n, int conversations, std::size_t pad = 40) {
  return kafka::Record{
      .topic = "parley.events.v1",
      .key = "cao:" + std::to_string(n % conversations),
      .value = "{\"n\":" + std::to_string(n) + ",\"pad\":\"" + std::string(pad, 'v') + "\"}",
      .headers = {{"ce_id", "id-" + std::to_string(n)}}};
}

void append_all(Spool& spool, const std::vector<kafka::Record>& records) {
  std::mutex mutex;
  std::condition_variable done;
  std::size_t left = records.size();
  for (const auto& record : records) {
    spool.append(record, [&](std::optional<Error> failed) {
      EXPECT_FALSE(failed) << failed->message;
      std::lock_guard lock(mutex);
      if (--left == 0) done.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  ASSERT_TRUE(done.wait_for(lock, 30s, [&] { return left == 0; }));
}

/// Answers each record by a rule; keeps every write Kafka "accepted". Thread-safe.
class RuledProducer final : public kafka::Producer {
 public:
  using Rule = std::function<std::optional<Error>(const kafka::Record&, int attempt)>;
  explicit RuledProducer(Rule rule) : rule_(std::move(rule)) {}
  void produce(const kafka::Record& record, kafka::DeliveryCallback on_delivery) override {
    std::optional<Error> result;
    {
      std::lock_guard lock(mutex);
      result = rule_(record, ++attempts[record.value]);
      if (!result) written.push_back(record);
    }
    on_delivery(std::move(result));
  }
  bool reachable() const override { return true; }

  std::mutex mutex;
  std::map<std::string, int> attempts;
  std::vector<kafka::Record> written;

 private:
  Rule rule_;
};

std::unique_ptr<Spool> open_spool(const fs::path& dir, std::uint64_t segment_bytes = 67108864) {
  auto opened = Spool::open({.dir = dir, .segment_bytes = segment_bytes});
  EXPECT_TRUE(opened) << (opened ? "" : opened.error());
  return opened ? std::move(opened).value() : nullptr;
}

void forward_everything(Spool& spool, kafka::Producer& producer) {
  Forwarder forwarder(spool, producer, ForwarderOptions{.batch = 16, .retry = 1ms});
  forwarder.start();
  EXPECT_EQ(forwarder.drain(Clock::now() + 30s), 0u) << "the spool did not drain";
  forwarder.stop();
}

// Per key, the values written, in write order.
std::map<std::string, std::vector<std::string>> by_key(const std::vector<kafka::Record>& records) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& record : records)
    out[record.key].push_back(record.value);
  return out;
}

TEST(Forwarder, ARecordKafkaRefusesForGoodIsQuarantinedAndTheOthersFollowInOrderOnce) {
  ScratchDir dir;
  auto spool = open_spool(dir.path);
  std::vector<kafka::Record> records;
  for (int i = 0; i < 101; ++i)
    records.push_back(event(i, 7, i == 20 ? 5000 : 40));  // #20 shares its key with 14 others
  append_all(*spool, records);
  RuledProducer producer([](const kafka::Record& record, int) -> std::optional<Error> {
    if (record.value.size() > 4000) return Error{kafka::Errc::too_large, "over 4000 bytes"};
    return std::nullopt;
  });
  forward_everything(*spool, producer);

  std::vector<kafka::Record> expected = records;
  expected.erase(expected.begin() + 20);
  EXPECT_EQ(producer.written.size(), 100u);
  EXPECT_EQ(by_key(producer.written), by_key(expected));
  EXPECT_EQ(producer.attempts[records[20].value], 1) << "a refused record is tried once";
  const auto stats = spool->stats();
  EXPECT_EQ(stats.records, 0u);
  EXPECT_EQ(stats.forwarded_total, 100u);
  EXPECT_EQ(stats.errors.at("refused"), 1u);

  auto refused = read_refused(dir.path);
  ASSERT_TRUE(refused) << refused.error();
  ASSERT_EQ(refused.value().size(), 1u);
  EXPECT_EQ(refused.value()[0].spooled.record.value, records[20].value);
  EXPECT_EQ(refused.value()[0].spooled.record.key, records[20].key);
  EXPECT_EQ(refused.value()[0].spooled.record.headers, records[20].headers);
  EXPECT_EQ(refused.value()[0].reason, "over 4000 bytes");
}

TEST(Forwarder, ARetryDoesNotWriteAgainWhatKafkaAcknowledged) {
  ScratchDir dir;
  auto spool = open_spool(dir.path);
  std::vector<kafka::Record> records;
  for (int i = 0; i < 60; ++i)
    records.push_back(event(i, 30));
  append_all(*spool, records);
  // The first record fails twice (Kafka away), everything else is acknowledged at once.
  RuledProducer producer([&](const kafka::Record& record, int attempt) -> std::optional<Error> {
    if (record.value == records[0].value && attempt <= 2) {
      return Error{kafka::Errc::timeout, "no ack in time"};
    }
    return std::nullopt;
  });
  forward_everything(*spool, producer);

  EXPECT_EQ(producer.written.size(), 60u) << "every record written exactly once";
  EXPECT_EQ(by_key(producer.written), by_key(records));
  EXPECT_EQ(spool->stats().errors.at("forward"), 2u);
  EXPECT_EQ(spool->stats().errors.count("refused"), 0u);
}

TEST(Forwarder, ARefusalOfTheServiceHoldsTheSpoolInsteadOfQuarantining) {
  ScratchDir dir;
  auto spool = open_spool(dir.path);
  std::vector<kafka::Record> records;
  for (int i = 0; i < 10; ++i)
    records.push_back(event(i, 3));
  append_all(*spool, records);
  // An ACL missing for a while: every record is refused alike until an operator fixes it.
  RuledProducer producer([](const kafka::Record&, int attempt) -> std::optional<Error> {
    if (attempt <= 3) return Error{kafka::Errc::refused, "topic authorization failed"};
    return std::nullopt;
  });
  forward_everything(*spool, producer);

  EXPECT_EQ(by_key(producer.written), by_key(records));
  auto refused = read_refused(dir.path);
  ASSERT_TRUE(refused) << refused.error();
  EXPECT_TRUE(refused.value().empty());
}

TEST(RefusedLog, AFullQuarantineRefusesAndKeepsWhatItHad) {
  ScratchDir dir;
  RefusedLog log(dir.path, 600);
  const SpooledRecord small{.record = event(1, 1), .appended_ms = 1};
  ASSERT_FALSE(log.add(small, "too large"));
  const auto size = fs::file_size(dir.path / kRefusedFile);
  const SpooledRecord big{.record = event(2, 1, 1000), .appended_ms = 2};
  const auto problem = log.add(big, "too large");
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("600 bytes"), std::string::npos) << *problem;
  EXPECT_EQ(fs::file_size(dir.path / kRefusedFile), size);
  auto refused = read_refused(dir.path);
  ASSERT_TRUE(refused) << refused.error();
  ASSERT_EQ(refused.value().size(), 1u);
  EXPECT_EQ(refused.value()[0].spooled.record.value, small.record.value);
  EXPECT_EQ(refused.value()[0].spooled.appended_ms, 1);
}

TEST(RefusedLog, ATornLastRecordIsCutBeforeTheNextAppend) {
  ScratchDir dir;
  {
    RefusedLog log(dir.path, 1 << 20);
    ASSERT_FALSE(log.add({.record = event(1, 1), .appended_ms = 1}, "first"));
  }
  std::ofstream(dir.path / kRefusedFile, std::ios::binary | std::ios::app) << "PRC1torn";
  RefusedLog log(dir.path, 1 << 20);
  ASSERT_FALSE(log.add({.record = event(2, 1), .appended_ms = 2}, "second"));
  auto refused = read_refused(dir.path);
  ASSERT_TRUE(refused) << refused.error();
  ASSERT_EQ(refused.value().size(), 2u);
  EXPECT_EQ(refused.value()[0].reason, "first");
  EXPECT_EQ(refused.value()[1].reason, "second");
}

}  // namespace
}  // namespace parley::spool
