// Kafka's refusals classified once: what can clear is answered 503 + Retry-After, what
// cannot is answered 413/400/500 without it -- with the real binary and broker.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>

#include "integration/fixture.hpp"
#include "integration/records.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;

const std::vector<std::pair<std::string, std::string>> kJaAuth = {{"X-Parley-Token", "test-token"}};

/// A JustAnswer notification of about `bytes` bytes (an unknown field, kept in raw).
std::string ja_body_of(std::size_t bytes) {
  const std::string head = R"({"eventType":"1","questionId":"big","userToken":"u","padding":")";
  return head + std::string(bytes - head.size() - 2, 'p') + "\"}";
}

TEST_F(IngestFixture, ABodyJustUnderTheBodyLimitIsAccepted) {
  // 1,000,067 bytes was answered 503 "Message size too large" on every retry before.
  HttpClient client(parley_->port());
  const auto answer = client.post("/v1/webhooks/justanswer", ja_body_of(1000067), kJaAuth);
  EXPECT_EQ(answer.status, 200u) << answer.body.substr(0, 300);
  auto events = reader();
  const auto records = events.read(1, kReadTimeout);
  ASSERT_EQ(records.size(), 1u);
  std::cout << "[ measured ] 1,000,067-byte body: " << answer.status << ", event of "
            << records[0].value.size() << " bytes on Kafka\n";
}

class SmallKafkaMessageLimit : public IngestFixture {
  std::string kafka_config() const override {
    return "  properties: {message.max.bytes: \"200000\"}\n";
  }
};

TEST_F(SmallKafkaMessageLimit, AnEventOverTheMessageLimitIs413NamingTheLimitAndNothingIsPublished) {
  HttpClient client(parley_->port());
  const auto answer = client.post("/v1/webhooks/justanswer", ja_body_of(300000), kJaAuth);
  EXPECT_EQ(answer.status, 413u);
  EXPECT_NE(answer.body.find("200000"), std::string::npos) << answer.body;
  EXPECT_NE(answer.body.find("message.max.bytes"), std::string::npos) << answer.body;
  EXPECT_EQ(answer.headers.count(boost::beast::http::field::retry_after), 0u);
  // A smaller one still flows, and it is the only record.
  EXPECT_EQ(client.post("/v1/webhooks/justanswer", ja_body("small"), kJaAuth).status, 200u);
  auto events = reader();
  ASSERT_EQ(events.read(1, kReadTimeout).size(), 1u);
  EXPECT_EQ(events.count(), 1);
  const auto scrape = HttpClient(parley_->admin_port()).get("/metrics").body;
  EXPECT_EQ(
      metric_value(scrape,
                   R"(parley_webhooks_received_total{outcome="too_large",source="justanswer"})"),
      1);
  EXPECT_TRUE(parley_->wait_for_log("configuration warning", 1s));
}

TEST_F(IngestFixture, KafkaRefusingAuthorizationIs500WithoutRetryAfterAndHealthzFails) {
  constexpr int kProduce = 0;
  constexpr int kTopicAuthorizationFailed = 29;
  broker_->fail_next_requests(kProduce, {kTopicAuthorizationFailed});
  HttpClient client(parley_->port());
  const auto refused = client.post("/v1/webhooks/justanswer", ja_body("acl"), kJaAuth);
  EXPECT_EQ(refused.status, 500u) << refused.body;
  EXPECT_NE(refused.body.find("authorization"), std::string::npos) << refused.body;
  EXPECT_EQ(refused.headers.count(boost::beast::http::field::retry_after), 0u);
  HttpClient admin(parley_->admin_port());
  const auto health = admin.get("/healthz");
  EXPECT_EQ(health.status, 503u);
  EXPECT_NE(health.body.find("authorization"), std::string::npos) << health.body;
  EXPECT_TRUE(parley_->wait_for_log("kafka refuses this service", 1s));

  // Fixed (the error was one request): once librdkafka refreshed the topic's metadata,
  // a platform's retry is acknowledged and health returns.
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  unsigned status = 0;
  boost::asio::io_context io;
  boost::asio::steady_timer pace(io);  // paces the retries like a platform would
  while (status != 200u && std::chrono::steady_clock::now() < deadline) {
    status = client.post("/v1/webhooks/justanswer", ja_body("acl"), kJaAuth).status;
    pace.expires_after(200ms);
    if (status != 200u) pace.wait();
  }
  EXPECT_EQ(status, 200u);
  EXPECT_EQ(admin.get("/healthz").status, 200u);
}

TEST_F(IngestFixture, CaoAgentImageSpellingsThatDisagreeAreAcceptedWithOneAvatarAndAWarning) {
  const std::string body =
      R"({"VisitId":"77","DateTime":"6/15/2015 4:13 PM","MessageId":"7701","Message":"hi",)"
      R"("AgentImageUrl":"https://x.invalid/table.png","AgentImageURL":"https://x.invalid/sample.png"})";
  HttpClient client(parley_->port());
  const auto answer =
      client.post("/v1/webhooks/cao/messages", body, {{"Authorization", "Basic test-cao-key"}});
  EXPECT_EQ(answer.status, 200u) << answer.body;
  auto events = reader();
  const auto records = events.read(1, kReadTimeout);
  ASSERT_EQ(records.size(), 1u);
  simdjson::dom::parser parser;
  const auto event = parse_event(parser, records[0].value);
  EXPECT_EQ(std::string_view(event["data"]["message"]["author"]["avatarUrl"]),
            "https://x.invalid/table.png");
  const auto scrape = HttpClient(parley_->admin_port()).get("/metrics").body;
  EXPECT_EQ(
      metric_value(scrape,
                   R"(parley_webhook_field_warnings_total{field="AgentImageURL",source="cao"})"),
      1);
}

}  // namespace
}  // namespace parley::testing
