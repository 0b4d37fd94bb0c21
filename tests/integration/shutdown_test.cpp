// SIGTERM: readiness drops, in-flight requests keep their Kafka-backed answer, nothing
// acknowledged is lost, and the process exits 0.
#include <signal.h>
#include <simdjson.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "integration/fixture.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
constexpr auto kTarget = "/v1/webhooks/justanswer";

class Shutdown : public IngestFixture {};

TEST_F(Shutdown, SigtermUnderConcurrentLoadLosesNoAcknowledgedEvent) {
  constexpr int kClients = 8;
  constexpr int kAckedBeforeSignal = 200;
  std::mutex mutex;
  std::condition_variable progressed;
  std::set<std::string> acknowledged;
  std::atomic<int> refused{0};

  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      try {
        HttpClient client(parley_->port());
        for (int i = 0;; ++i) {
          const auto id = "q-" + std::to_string(c) + "-" + std::to_string(i);
          const auto answer = client.post(kTarget, ja_body(id), {{"X-Parley-Token", "test-token"}});
          if (answer.status == 200) {
            std::lock_guard lock(mutex);
            acknowledged.insert("justanswer:" + id);
            progressed.notify_all();
          } else {
            EXPECT_EQ(answer.status, 503u) << answer.body;  // draining
            ++refused;
          }
          if (!answer.keep_alive) return;  // the server closes after draining began
        }
      } catch (const std::exception&) {
        // connection refused or closed once the listener stopped: the client is done
      }
    });
  }
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(progressed.wait_for(lock, 60s, [&] {
      return acknowledged.size() >= static_cast<std::size_t>(kAckedBeforeSignal);
    }));
  }
  parley_->send_signal(SIGTERM);
  for (auto& client : clients)
    client.join();
  EXPECT_EQ(parley_->wait_exit(30s), 0);
  EXPECT_TRUE(parley_->wait_for_log("\"msg\":\"stopped\"", 1s));

  auto kafka = reader();
  const auto total = kafka.count();
  EXPECT_EQ(total, static_cast<std::int64_t>(acknowledged.size()))
      << "every acknowledged event is on Kafka, and nothing refused is";
  std::set<std::string> on_kafka;
  for (const auto& message : kafka.read(static_cast<std::size_t>(total), 30s)) {
    on_kafka.insert(message.key);
  }
  for (const auto& key : acknowledged)
    EXPECT_TRUE(on_kafka.contains(key)) << key << " lost";
}

TEST_F(Shutdown, InFlightRequestGetsItsAnswerWhileReadinessIsDown) {
  // With the broker down, a request stays in flight until kafka.ack_timeout_ms (3 s).
  broker_->set_broker_up(1, false);
  HttpAnswer in_flight_answer;
  std::atomic<bool> answered{false};
  std::thread in_flight([&] {
    HttpClient client(parley_->port());
    in_flight_answer =
        client.post(kTarget, ja_body("q-in-flight"), {{"X-Parley-Token", "test-token"}});
    answered = true;
  });
  HttpClient admin(parley_->admin_port());
  // Wait until the request is admitted: the server's own gauge says so.
  while (metric_value(admin.get("/metrics").body, "parley_inflight_requests") < 1) {
    ASSERT_FALSE(answered.load()) << "answered before it was seen in flight";
  }
  parley_->send_signal(SIGTERM);
  ASSERT_TRUE(parley_->wait_for_log("\"msg\":\"draining\"", 10s));
  const auto ready = admin.get("/readyz");
  EXPECT_EQ(ready.status, 503u);
  EXPECT_NE(ready.body.find("draining"), std::string::npos) << ready.body;

  in_flight.join();
  EXPECT_EQ(in_flight_answer.status, 503u) << in_flight_answer.body;
  EXPECT_NE(in_flight_answer.body.find("did not acknowledge"), std::string::npos);
  EXPECT_EQ(parley_->wait_exit(20s), 0);
}

}  // namespace
}  // namespace parley::testing
