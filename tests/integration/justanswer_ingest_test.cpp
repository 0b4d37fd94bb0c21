// The real parley binary, a real HTTP client and a real Kafka consumer: the JustAnswer
// webhook path end to end.
#include <simdjson.h>

#include <set>

#include "integration/fixture.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
constexpr auto kTarget = "/v1/webhooks/justanswer";

class JustAnswerIngest : public IngestFixture {};

TEST_F(JustAnswerIngest, AcceptedWebhookIsOnKafkaWithKeyHeadersAndIdAfterThe200) {
  HttpClient client(parley_->port());
  const std::string body =
      R"({ "eventType": "1", "questionId": "12345", "userToken": "abcde12345" })";
  const auto answer = client.post(kTarget, body, {{"X-Parley-Token", "test-token"}});
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(answer.body, R"({"status":true,"message":""})");

  auto events = reader().read(1, 10s);
  ASSERT_EQ(events.size(), 1u);
  const auto& event = events[0];
  EXPECT_EQ(event.key, "justanswer:12345");
  EXPECT_EQ(event.headers.at("content-type"), "application/cloudevents+json; charset=utf-8");
  EXPECT_EQ(event.headers.at("ce_specversion"), "1.0");
  EXPECT_EQ(event.headers.at("ce_type"), "parley.conversation.updated");
  EXPECT_EQ(event.headers.at("ce_source"), "/parley/justanswer");

  simdjson::dom::parser parser;
  const auto json = parser.parse(event.value).value();
  EXPECT_EQ(std::string_view(json["specversion"]), "1.0");
  EXPECT_EQ(std::string_view(json["id"]), event.headers.at("ce_id"));
  EXPECT_EQ(std::string_view(json["id"]).size(), 36u);
  EXPECT_EQ(std::string_view(json["type"]), "parley.conversation.updated");
  EXPECT_EQ(std::string_view(json["source"]), "/parley/justanswer");
  EXPECT_EQ(std::string_view(json["subject"]), "12345");
  EXPECT_EQ(std::string_view(json["partitionkey"]), "justanswer:12345");
  EXPECT_EQ(std::string_view(json["data"]["platform"]), "justanswer");
  EXPECT_EQ(std::string_view(json["data"]["platformEvent"]), "1");
  EXPECT_EQ(std::string_view(json["data"]["conversation"]["id"]), "12345");
  EXPECT_EQ(std::string_view(json["data"]["conversation"]["customerId"]), "abcde12345");
  EXPECT_EQ(simdjson::minify(json["data"]["raw"]),
            R"({"eventType":"1","questionId":"12345","userToken":"abcde12345"})");
}

TEST_F(JustAnswerIngest, SignatureUnderTheRotatedSecretAndQueryTokenAreAccepted) {
  HttpClient client(parley_->port());
  const auto body = ja_body("q-signed");
  EXPECT_EQ(
      client.post(kTarget, body, {{"X-Parley-Signature", "sha256=" + hmac_hex("new-secret", body)}})
          .status,
      200u);
  EXPECT_EQ(
      client.post(kTarget, body, {{"X-Parley-Signature", "sha256=" + hmac_hex("old-secret", body)}})
          .status,
      200u);
  EXPECT_EQ(client.post(std::string(kTarget) + "?token=test-token", body).status, 200u);
  EXPECT_EQ(reader().read(3, 10s).size(), 3u);
}

TEST_F(JustAnswerIngest, TwoIdenticalNotificationsBecomeTwoEvents) {
  HttpClient client(parley_->port());
  const auto body = ja_body("q-twice");
  ASSERT_EQ(client.post(kTarget, body, {{"X-Parley-Token", "test-token"}}).status, 200u);
  ASSERT_EQ(client.post(kTarget, body, {{"X-Parley-Token", "test-token"}}).status, 200u);
  const auto events = reader().read(2, 10s);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_NE(events[0].headers.at("ce_id"), events[1].headers.at("ce_id"));
  EXPECT_EQ(events[0].key, events[1].key);
  EXPECT_EQ(events[0].partition, events[1].partition);  // one conversation, one partition
}

TEST_F(JustAnswerIngest, AdminListenerServesHealthReadinessAndMetrics) {
  HttpClient client(parley_->port());
  ASSERT_EQ(client.post(kTarget, ja_body("q-metrics"), {{"X-Parley-Token", "test-token"}}).status,
            200u);

  HttpClient admin(parley_->admin_port());
  EXPECT_EQ(admin.get("/healthz").status, 200u);
  const auto ready = admin.get("/readyz");
  EXPECT_EQ(ready.status, 200u) << ready.body;
  const auto metrics = admin.get("/metrics");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_NE(metrics.headers[boost::beast::http::field::content_type].find("text/plain"),
            std::string::npos);
  const auto& scrape = metrics.body;
  EXPECT_EQ(
      metric_value(scrape,
                   R"(parley_webhooks_received_total{outcome="accepted",source="justanswer"})"),
      1);
  EXPECT_EQ(metric_value(scrape, R"(parley_kafka_produced_total{topic="parley.events.v1"})"), 1);
  EXPECT_EQ(metric_value(scrape, R"(parley_webhook_duration_seconds_count{source="justanswer"})"),
            1);
  EXPECT_EQ(metric_value(scrape, "parley_inflight_requests"), 0);
  EXPECT_EQ(metric_value(scrape, "parley_ready"), 1);
  EXPECT_GT(metric_value(scrape, "process_resident_memory_bytes"), 1e6);
  EXPECT_GT(metric_value(scrape, "process_open_fds"), 3);
  EXPECT_EQ(admin.get("/nope").status, 404u);
  EXPECT_EQ(admin.request(boost::beast::http::verb::post, "/healthz").status, 405u);
}

TEST_F(JustAnswerIngest, KafkaDownAnswers503WithRetryAfterAndReadinessFollowsTheBroker) {
  broker_->set_broker_up(1, false);
  HttpClient client(parley_->port());
  const auto started = std::chrono::steady_clock::now();
  const auto answer = client.post(kTarget, ja_body("q-down"), {{"X-Parley-Token", "test-token"}});
  const auto waited = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(answer.status, 503u) << answer.body;
  EXPECT_EQ(answer.headers[boost::beast::http::field::retry_after], "5");
  EXPECT_NE(answer.body.find("did not acknowledge"), std::string::npos) << answer.body;
  EXPECT_LT(waited, 3000ms + 2000ms);  // ack_timeout_ms is 3000 in the test config

  ASSERT_TRUE(parley_->wait_for_log("kafka unreachable", 20s));
  // Known down: refused at once, not after the ack timeout.
  const auto refused_at = std::chrono::steady_clock::now();
  const auto refused =
      client.post(kTarget, ja_body("q-down-2"), {{"X-Parley-Token", "test-token"}});
  EXPECT_LT(std::chrono::steady_clock::now() - refused_at, 1s);
  EXPECT_EQ(refused.status, 503u);
  EXPECT_NE(refused.body.find("Kafka is unreachable"), std::string::npos) << refused.body;
  HttpClient admin(parley_->admin_port());
  const auto not_ready = admin.get("/readyz");
  EXPECT_EQ(not_ready.status, 503u);
  EXPECT_NE(not_ready.body.find("kafka unreachable"), std::string::npos);
  EXPECT_EQ(metric_value(
                admin.get("/metrics").body,
                R"(parley_webhooks_received_total{outcome="publish_failed",source="justanswer"})"),
            2);

  broker_->set_broker_up(1, true);
  ASSERT_TRUE(parley_->wait_for_log("kafka reachable", 20s, 2));
  EXPECT_EQ(client.post(kTarget, ja_body("q-back"), {{"X-Parley-Token", "test-token"}}).status,
            200u);
}

}  // namespace
}  // namespace parley::testing
