#pragma once

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cctype>
#include <chrono>
#include <functional>
#include <thread>
#include <vector>

#include <memory>
#include <string>

#include "parley/kafka/embedded_broker.hpp"
#include "parley/sources/crypto.hpp"
#include "support/http_client.hpp"
#include "support/kafka_reader.hpp"
#include "support/parley_process.hpp"

namespace parley::testing {

inline const std::string kEventsTopic = "parley.events.v1";

/// A Kafka-protocol broker in the test process and the real parley binary pointed at it.
class IngestFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    auto started = kafka::EmbeddedBroker::start(
        1,
        {kEventsTopic, "parley.enriched.v1", "parley.deadletter.v1", "parley.directly.watches.v1"},
        3);
    ASSERT_TRUE(started) << started.error();
    broker_ = std::move(started).value();
    parley_ = std::make_unique<ParleyProcess>(
        test_config(broker_->bootstrap_servers(), extra_config(), kafka_config()));
    ASSERT_TRUE(parley_->wait_for_log("kafka reachable", std::chrono::seconds(20)));
  }

  void TearDown() override {
    if (!HasFailure() || !parley_) return;
    std::cerr << "--- parley log ---\n";
    for (const auto& line : parley_->log_lines())
      std::cerr << line << "\n";
  }

  virtual std::string extra_config() const { return {}; }
  /// Lines added to the kafka section.
  virtual std::string kafka_config() const { return {}; }

  KafkaReader reader() const { return KafkaReader(broker_->bootstrap_servers(), kEventsTopic); }

  std::unique_ptr<kafka::EmbeddedBroker> broker_;
  std::unique_ptr<ParleyProcess> parley_;
};

inline std::string ja_body(const std::string& question_id, const std::string& event_type = "1") {
  return R"({"eventType":")" + event_type + R"(","questionId":")" + question_id +
         R"(","userToken":"abcde12345"})";
}

inline std::string hmac_hex(const std::string& secret, const std::string& body) {
  return sources::to_hex(sources::hmac_sha256(secret, body));
}

inline std::string upper(std::string text) {
  for (auto& c : text)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

/// The TalkJS signature headers for `body` at `timestamp` (seconds).
inline std::vector<std::pair<std::string, std::string>> talkjs_headers(
    const std::string& body, long long timestamp,
    const std::string& secret = "test-talkjs-secret") {
  const auto ts = std::to_string(timestamp);
  return {
      {"X-TalkJS-Timestamp", ts},
      {"X-TalkJS-Signature", sources::to_hex(sources::hmac_sha256(secret, ts + "." + body), true)}};
}

/// Re-checks `done` every 20 ms (the pace of re-checking, not a synchronization) until it
/// holds or `timeout` passed; whether it holds.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

inline long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// The head of a TalkJS webhook declaring `content_length` body bytes, signed (now) over "{}":
/// for tests of what parley does before a body only the signature can verify arrives.
inline std::string talkjs_head_signed_over_empty_object(std::size_t content_length) {
  std::string head =
      "POST /v1/webhooks/talkjs HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(content_length) + "\r\n";
  for (const auto& [name, value] : talkjs_headers("{}", unix_now()))
    head += name + ": " + value + "\r\n";
  return head + "\r\n";
}

/// Parses a Kafka record value as JSON; the parser must outlive the element.
inline simdjson::dom::element parse_event(simdjson::dom::parser& parser, const std::string& value) {
  return parser.parse(value).value();
}

/// The value of one sample line of a Prometheus scrape ("name{labels}"), or -1.
inline double metric_value(const std::string& scrape, const std::string& series) {
  const auto at = scrape.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(scrape.substr(at + series.size() + 2));
}

}  // namespace parley::testing
