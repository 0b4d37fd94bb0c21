// The spool with the real binary and a broker the test takes down: what is answered 2xx
// reaches Kafka after the outage, in order per conversation, across crashes and damage.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "integration/fixture.hpp"
#include "integration/records.hpp"

namespace parley::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

const std::vector<std::pair<std::string, std::string>> kCaoAuth = {
    {"Authorization", "Basic test-cao-key"}};

std::string cao_message(const std::string& visit, const std::string& message_id) {
  return R"({"VisitId":")" + visit + R"(","DateTime":"6/15/2024 4:13 PM","MessageId":")" +
         message_id + R"(","Message":"hello"})";
}

std::string id_for(const std::string& message_id) {
  return "cao:message:" + message_id;
}

class SpoolFixture : public IngestFixture {
 protected:
  SpoolFixture() {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("parley-spool-it-" + std::to_string(random()));
  }
  ~SpoolFixture() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string extra_config() const override {
    return "spool: {dir: \"" + dir_.string() + "\", max_bytes: " + std::to_string(max_bytes()) +
           ", segment_bytes: 65536}\n";
  }
  virtual std::uint64_t max_bytes() const { return 1073741824; }

  void restart_parley() {
    parley_ = std::make_unique<ParleyProcess>(
        test_config(broker_->bootstrap_servers(), extra_config(), kafka_config()));
  }
  double scraped(const std::string& series) const {
    return metric_value(HttpClient(parley_->admin_port()).get("/metrics").body, series);
  }
  /// Until the spool says it is empty (forwarded everything) or `timeout`.
  bool wait_spool_empty(std::chrono::milliseconds timeout) {
    if (parley_->wait_for_log("spool emptied", timeout) || scraped("parley_spool_records") == 0) {
      return true;
    }
    std::cerr << "spool not empty: records " << scraped("parley_spool_records") << ", forwarded "
              << scraped("parley_spool_forwarded_total") << ", appended "
              << scraped("parley_spool_appended_total") << "\n";
    return false;
  }

  /// Takes Kafka away, posts `count` CAO messages (each answered 2xx from the spool), then
  /// SIGKILLs parley; returns the ids answered.
  std::set<std::string> spool_then_kill(const std::string& prefix, int count) {
    broker_->set_broker_up(1, false);
    EXPECT_TRUE(parley_->wait_for_log("kafka unreachable", 20s));
    std::set<std::string> answered;
    HttpClient client(parley_->port());
    for (int i = 0; i < count; ++i) {
      const auto message = prefix + std::to_string(i);
      const auto answer =
          client.post("/v1/webhooks/cao/messages", cao_message("v" + message, message), kCaoAuth);
      EXPECT_EQ(answer.status, 200u) << answer.body;
      if (answer.status == 200u) answered.insert(id_for(message));
    }
    parley_->send_signal(SIGKILL);
    EXPECT_EQ(parley_->wait_exit(10s), 128 + SIGKILL);
    return answered;
  }

  fs::path dir_;
};

TEST_F(SpoolFixture, ThirtySecondOutageUnderLoadLosesNothingAnsweredAndKeepsOrderPerConversation) {
  std::mutex mutex;
  std::set<std::string> answered;     // ids answered 2xx
  std::vector<std::string> sequence;  // one conversation, each sent after the previous answer
  std::atomic<bool> running{true};
  std::atomic<int> refused{0};
  // A connection error counts as a refusal (the platform saw no 2xx).
  const auto post = [&](std::unique_ptr<HttpClient>& client, const std::string& body) {
    try {
      if (!client) client = std::make_unique<HttpClient>(parley_->port());
      return client->post("/v1/webhooks/cao/messages", body, kCaoAuth).status;
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex);
      std::cerr << "connection error: " << e.what() << "\n";
      client.reset();
      return 0u;
    }
  };
  // Each sender paces itself to 20 webhooks/s (the mock broker keeps only a few MB).
  const auto pace = [](boost::asio::steady_timer& timer) {
    timer.expires_after(50ms);
    timer.wait();
  };
  auto sender = [&](int worker) {
    std::unique_ptr<HttpClient> client;
    boost::asio::io_context io;
    boost::asio::steady_timer timer(io);
    for (int i = 0; running.load(); ++i, pace(timer)) {
      const auto message = "w" + std::to_string(worker) + "m" + std::to_string(i);
      const auto status = post(client, cao_message("v" + message, message));
      std::lock_guard lock(mutex);
      if (status == 200u)
        answered.insert(id_for(message));
      else
        ++refused;
    }
  };
  auto ordered = [&] {
    std::unique_ptr<HttpClient> client;
    boost::asio::io_context io;
    boost::asio::steady_timer timer(io);
    for (int i = 0; running.load(); ++i, pace(timer)) {
      const auto message = "seq" + std::to_string(i);
      const auto answer_status = post(client, cao_message("conversation-1", message));
      struct {
        unsigned status;
      } answer{answer_status};
      std::lock_guard lock(mutex);
      if (answer.status == 200u) {
        answered.insert(id_for(message));
        sequence.push_back(id_for(message));
      } else {
        ++refused;
      }
    }
  };
  std::vector<std::thread> threads;
  struct JoinAtExit {  // a failed ASSERT returns early: stop and join the senders first
    std::atomic<bool>& running;
    std::vector<std::thread>& threads;
    ~JoinAtExit() {
      running.store(false);
      for (auto& thread : threads)
        if (thread.joinable()) thread.join();
    }
  } join_at_exit{running, threads};
  for (int w = 0; w < 3; ++w)
    threads.emplace_back(sender, w);
  threads.emplace_back(ordered);

  ASSERT_TRUE(parley_->wait_for_log("kafka reachable", 5s));
  const auto load_for = [](std::chrono::milliseconds span) {
    // The outage's length is the scenario, not a wait for anything: senders run meanwhile.
    std::this_thread::sleep_for(span);
  };
  load_for(2s);
  broker_->set_broker_up(1, false);
  const auto down_at = Clock::now();
  ASSERT_TRUE(parley_->wait_for_log("kafka unreachable", 20s));
  const auto ready_down = HttpClient(parley_->admin_port()).get("/readyz");
  EXPECT_EQ(ready_down.status, 200u) << ready_down.body;
  EXPECT_NE(ready_down.body.find("\"spooling\":true"), std::string::npos) << ready_down.body;
  load_for(std::chrono::duration_cast<std::chrono::milliseconds>(30s - (Clock::now() - down_at)));
  broker_->set_broker_up(1, true);
  const auto up_at = Clock::now();
  const double spooled_records = scraped("parley_spool_records");
  ASSERT_TRUE(parley_->wait_for_log("kafka reachable", 20s, 2));
  load_for(3s);
  running.store(false);
  for (auto& thread : threads)
    thread.join();
  ASSERT_TRUE(wait_spool_empty(60s));
  const std::chrono::duration<double> forwarding = Clock::now() - up_at;

  auto events = reader();
  const auto records = read_ids(events, answered, 60s);
  const auto lost = missing(records, answered);
  std::cout << "[ measured ] 30 s outage: " << answered.size() << " answered 2xx, " << refused
            << " refused, " << lost.size() << " lost; " << spooled_records
            << " spooled at recovery, emptied " << forwarding.count() << " s after the broker"
            << " came back (" << (forwarding.count() > 0 ? spooled_records / forwarding.count() : 0)
            << " records/s at most)\n";
  EXPECT_EQ(lost, std::set<std::string>{});
  EXPECT_EQ(refused, 0);
  EXPECT_GT(scraped(R"(parley_webhooks_received_total{outcome="spooled",source="cao"})"), 0);
  EXPECT_GT(scraped("parley_spool_forwarded_total"), 0);

  // One conversation's events in the order they were answered (first occurrence of each id).
  std::vector<std::string> on_kafka;
  std::set<std::string> seen;
  std::map<int, std::vector<const KafkaMessage*>> by_partition;
  for (const auto& record : records)
    by_partition[record.partition].push_back(&record);
  for (auto& [partition, list] : by_partition) {
    std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->offset < b->offset; });
    for (const auto* record : list) {
      if (record->key == "cao:conversation-1" && seen.insert(id_of(*record)).second)
        on_kafka.push_back(id_of(*record));
    }
  }
  EXPECT_EQ(on_kafka, sequence);
}

TEST_F(SpoolFixture, SigkillWhileSpoolingThenRestartForwardsEverything) {
  const auto answered = spool_then_kill("kill", 40);
  ASSERT_EQ(answered.size(), 40u);
  broker_->set_broker_up(1, true);
  restart_parley();
  ASSERT_TRUE(parley_->wait_for_log("spool open", 5s));
  EXPECT_TRUE(parley_->wait_for_log("\"records_to_forward\":40", 1s));
  ASSERT_TRUE(wait_spool_empty(60s));
  auto events = reader();
  const auto records = read_ids(events, answered, 30s);
  EXPECT_EQ(missing(records, answered), std::set<std::string>{});
  for (const auto& record : records)  // repeats only as the same ids
    EXPECT_TRUE(answered.contains(id_of(record))) << id_of(record);
}

TEST_F(SpoolFixture, ATornTailWrittenByTheTestIsTruncatedAndEverythingBeforeItForwarded) {
  const auto answered = spool_then_kill("torn", 5);
  ASSERT_EQ(answered.size(), 5u);
  fs::path segment;
  for (const auto& entry : fs::directory_iterator(dir_)) {
    if (entry.path().extension() == ".seg") segment = entry.path();
  }
  ASSERT_FALSE(segment.empty());
  // Half a record header and some garbage: what a crash in the middle of a write leaves.
  std::ofstream(segment, std::ios::binary | std::ios::app)
      << "PRC1\x10\x00" << std::string(20, 'x');
  broker_->set_broker_up(1, true);
  restart_parley();
  ASSERT_TRUE(parley_->wait_for_log("torn tail", 5s));
  ASSERT_TRUE(wait_spool_empty(60s));
  auto events = reader();
  EXPECT_EQ(missing(read_ids(events, answered, 30s), answered), std::set<std::string>{});
}

class SmallSpool : public SpoolFixture {
  std::uint64_t max_bytes() const override { return 65536; }
};

TEST_F(SmallSpool, AFullSpoolIs503WithRetryAfterAndEverythingAnswered2xxIsForwarded) {
  broker_->set_broker_up(1, false);
  ASSERT_TRUE(parley_->wait_for_log("kafka unreachable", 20s));
  std::set<std::string> answered;
  HttpClient client(parley_->port());
  HttpAnswer last;
  for (int i = 0; i < 2000; ++i) {
    const auto message = "full" + std::to_string(i);
    last = client.post("/v1/webhooks/cao/messages", cao_message("v" + message, message), kCaoAuth);
    if (last.status != 200u) break;
    answered.insert(id_for(message));
  }
  ASSERT_EQ(last.status, 503u);
  EXPECT_EQ(last.headers[boost::beast::http::field::retry_after], "5");
  EXPECT_NE(last.body.find("spool full: spool.max_bytes (65536)"), std::string::npos) << last.body;
  const auto ready = HttpClient(parley_->admin_port()).get("/readyz");
  EXPECT_EQ(ready.status, 503u);
  EXPECT_NE(ready.body.find("spool full"), std::string::npos) << ready.body;
  EXPECT_GT(answered.size(), 50u);

  broker_->set_broker_up(1, true);
  ASSERT_TRUE(wait_spool_empty(60s));
  auto events = reader();
  EXPECT_EQ(missing(read_ids(events, answered, 30s), answered), std::set<std::string>{});
  EXPECT_EQ(
      client.post("/v1/webhooks/cao/messages", cao_message("after", "after1"), kCaoAuth).status,
      200u);
}

// Kafka refuses some records for good: with a smaller kafka.properties.message.max.bytes
// than the one an event was spooled under (an operator's change between two starts).
class RefusingKafka : public SpoolFixture {
 protected:
  std::string extra_config() const override {
    return "spool: {dir: \"" + dir_.string() + "\", segment_bytes: 4194304}\n";
  }
  std::string kafka_config() const override {
    return smaller_limit_ ? "  properties: {message.max.bytes: \"600000\"}\n" : "";
  }
  /// A CAO message whose event is about 2 x `text_bytes` (text and raw), of random,
  /// incompressible letters.
  static std::string big_cao_message(const std::string& visit, const std::string& id,
                                     std::size_t text_bytes) {
    std::mt19937 random(7);
    std::string text(text_bytes, 'a');
    for (auto& c : text)
      c = static_cast<char>('a' + random() % 26);
    return R"({"VisitId":")" + visit + R"(","DateTime":"6/15/2024 4:13 PM","MessageId":")" + id +
           R"(","Message":")" + text + R"("})";
  }
  bool smaller_limit_ = false;
};

TEST_F(RefusingKafka, ARefusedSpooledEventIsQuarantinedAndTheHundredBehindItArriveInOrder) {
  broker_->set_broker_up(1, false);
  ASSERT_TRUE(parley_->wait_for_log("kafka unreachable", 20s));
  HttpClient client(parley_->port());
  // The refused one first, in the conversation of 20 others: it must hold back none of them.
  const auto big = client.post("/v1/webhooks/cao/messages",
                               big_cao_message("v0", "refused-1", 400000), kCaoAuth);
  ASSERT_EQ(big.status, 200u) << big.body;
  std::vector<std::string> sent;
  for (int i = 0; i < 100; ++i) {
    const auto message = "good" + std::to_string(i);
    const auto answer = client.post("/v1/webhooks/cao/messages",
                                    cao_message("v" + std::to_string(i % 5), message), kCaoAuth);
    ASSERT_EQ(answer.status, 200u) << answer.body;
    sent.push_back(id_for(message));
  }
  parley_->send_signal(SIGKILL);
  EXPECT_EQ(parley_->wait_exit(10s), 128 + SIGKILL);

  smaller_limit_ = true;
  broker_->set_broker_up(1, true);
  restart_parley();
  ASSERT_TRUE(wait_spool_empty(60s));
  auto events = reader();
  const std::set<std::string> good(sent.begin(), sent.end());
  const auto records = read_ids(events, good, 30s);
  ASSERT_EQ(missing(records, good), std::set<std::string>{});
  // Once each (a retry no longer rewrites what Kafka acknowledged), in order per conversation.
  EXPECT_EQ(records.size(), 100u);
  std::map<std::string, std::vector<std::string>> written;
  std::map<std::string, std::vector<std::string>> expected;
  for (const auto& record : records)
    written[record.key].push_back(id_of(record));
  for (int i = 0; i < 100; ++i)
    expected["cao:v" + std::to_string(i % 5)].push_back(sent[i]);
  EXPECT_EQ(written, expected);
  EXPECT_EQ(scraped("parley_spool_errors_total{kind=\"refused\"}"), 1);
  EXPECT_EQ(scraped("parley_spool_forwarded_total"), 100);
  EXPECT_TRUE(parley_->wait_for_log("moved to the spool's quarantine", 1s));

  // Another process holds the spool's lock; inspect and export only read.
  const auto inspected = run_parley("spool inspect --dir " + dir_.string());
  std::cout << "[ measured ] parley spool inspect:\n" << inspected.output;
  EXPECT_EQ(inspected.exit_code, 3) << "something needs a person";
  EXPECT_NE(inspected.output.find("cao:v0"), std::string::npos);
  EXPECT_NE(inspected.output.find("message.max.bytes"), std::string::npos);
  EXPECT_NE(inspected.output.find("1 refused by Kafka"), std::string::npos);
  const auto exported = run_parley("spool export-refused --dir " + dir_.string());
  EXPECT_EQ(exported.exit_code, 0);
  std::size_t lines = 0;
  for (std::size_t at = 0; (at = exported.output.find("\n{\"topic\":", at)) != std::string::npos;
       ++at)
    ++lines;
  EXPECT_EQ(lines + (exported.output.starts_with("{\"topic\":") ? 1 : 0), 1u)
      << "one JSON line per refused record";
  EXPECT_NE(exported.output.find("1 records from"), std::string::npos) << exported.output;
  EXPECT_NE(exported.output.find(R"("key":"cao:v0")"), std::string::npos);
  EXPECT_NE(exported.output.find(R"("ce_id":"cao:message:refused-1")"), std::string::npos);
}

TEST_F(RefusingKafka, AnEventOverKafkasLimitIs413WithKafkaUpAndWithKafkaAway) {
  parley_.reset();  // its successor needs the spool's lock
  smaller_limit_ = true;
  restart_parley();
  ASSERT_TRUE(parley_->wait_for_log("kafka reachable", 20s));
  HttpClient client(parley_->port());
  const auto body = big_cao_message("v-big", "too-big-1", 400000);
  const auto up = client.post("/v1/webhooks/cao/messages", body, kCaoAuth);
  EXPECT_EQ(up.status, 413u) << up.body;
  EXPECT_NE(up.body.find("over Kafka's message limit of 600000 bytes"), std::string::npos)
      << up.body;
  EXPECT_NE(up.body.find("the encoded event is 8"), std::string::npos) << up.body;

  broker_->set_broker_up(1, false);
  ASSERT_TRUE(parley_->wait_for_log("kafka unreachable", 20s));
  const auto away = client.post("/v1/webhooks/cao/messages", body, kCaoAuth);
  EXPECT_EQ(away.status, 413u) << away.body;
  EXPECT_EQ(away.body, up.body);
  const auto small = client.post("/v1/webhooks/cao/messages", cao_message("v", "small"), kCaoAuth);
  EXPECT_EQ(small.status, 200u) << "spooled";
  EXPECT_EQ(scraped("parley_spool_appended_total"), 1);
}

}  // namespace
}  // namespace parley::testing
