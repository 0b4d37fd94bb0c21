// The webhook pipeline with a fake producer: what reaches Kafka, what is answered, what
// is counted.
#include "parley/ingest/webhook_endpoint.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "parley/http/errors.hpp"
#include "parley/http/server.hpp"
#include "parley/kafka/errors.hpp"
#include "parley/platforms/justanswer/webhook.hpp"
#include "support/http_client.hpp"
#include "support/source_request.hpp"

namespace parley::ingest {
namespace {

using namespace std::chrono_literals;

/// Records what it is given and reports a preset result at once (or never, when silent).
class FakeProducer final : public kafka::Producer {
 public:
  void produce(const kafka::Record& record, kafka::DeliveryCallback on_delivery) override {
    records.push_back(record);
    if (!silent)
      on_delivery(result);
    else
      pending.push_back(std::move(on_delivery));
  }
  bool reachable() const override { return is_reachable; }
  std::vector<kafka::Record> records;
  std::optional<Error> result;
  bool is_reachable = true;
  bool silent = false;
  std::vector<kafka::DeliveryCallback> pending;
};

double scraped(metrics::Registry& metrics, const std::string& series) {
  const auto text = metrics.scrape();
  const auto at = text.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::stod(text.substr(at + series.size() + 2));
}

class WebhookEndpointTest : public ::testing::Test {
 protected:
  http::Response post_to(WebhookEndpoint& endpoint, const std::string& body,
                         std::vector<std::pair<std::string, std::string>> headers) {
    testing::SourceRequest built(body);
    for (const auto& [name, value] : headers)
      built.header(name, value);
    const http::Request request = built.request();  // handle() keeps a reference to it
    boost::asio::io_context io;
    auto answer = boost::asio::co_spawn(io, endpoint.handle(request), boost::asio::use_future);
    io.run();
    return answer.get();
  }
  http::Response post(const std::string& body,
                      std::vector<std::pair<std::string, std::string>> headers = {
                          {"X-Parley-Token", "t"}}) {
    return post_to(endpoint_, body, std::move(headers));
  }

  config::JustAnswerSource::Webhook webhook_{.tokens = {"t"}};
  FakeProducer producer_;
  metrics::Registry registry_;
  WebhookStats stats_{registry_, {"justanswer"}};
  kafka::ProduceStats produced_{registry_, {}};
  WebhookEndpoint endpoint_{std::make_shared<sources::JustAnswer>(webhook_, true), producer_,
                            stats_, produced_, Publishing{.topic = "events", .ack_timeout = 200ms}};
  const std::string valid_ = R"({"eventType":"1","questionId":"q1","userToken":"u"})";
};

TEST_F(WebhookEndpointTest, AcknowledgedEventIsAnswered200AndCounted) {
  const auto answer = post(valid_);
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(answer.body, R"({"status":true,"message":""})");
  ASSERT_EQ(producer_.records.size(), 1u);
  EXPECT_EQ(producer_.records[0].topic, "events");
  EXPECT_EQ(producer_.records[0].key, "justanswer:q1");
  EXPECT_EQ(scraped(registry_,
                    R"(parley_webhooks_received_total{outcome="accepted",source="justanswer"})"),
            1);
  EXPECT_EQ(scraped(registry_, R"(parley_kafka_produced_total{topic="events"})"), 1);
  EXPECT_EQ(scraped(registry_, R"(parley_webhook_duration_seconds_count{source="justanswer"})"), 1);
}

TEST_F(WebhookEndpointTest, KafkaFailureIs503WithRetryAfterAndCounted) {
  producer_.result = Error{kafka::Errc::unavailable, "Kafka did not accept the event: boom"};
  const auto answer = post(valid_);
  EXPECT_EQ(answer.status, 503u);
  EXPECT_EQ(answer.retry_after_seconds, 5u);
  EXPECT_EQ(answer.body, R"({"status":false,"message":"Kafka did not accept the event: boom"})");
  EXPECT_EQ(
      scraped(registry_,
              R"(parley_webhooks_received_total{outcome="publish_failed",source="justanswer"})"),
      1);
  EXPECT_EQ(scraped(registry_, R"(parley_kafka_produce_errors_total{topic="events"})"), 1);
}

TEST_F(WebhookEndpointTest, UnreachableKafkaIsRefusedAtOnceWithoutProducing) {
  producer_.is_reachable = false;
  const auto started = std::chrono::steady_clock::now();
  const auto answer = post(valid_);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 100ms);  // not the 200 ms ack timeout
  EXPECT_EQ(answer.status, 503u);
  EXPECT_EQ(answer.retry_after_seconds, 5u);
  EXPECT_NE(answer.body.find("Kafka is unreachable"), std::string::npos);
  EXPECT_TRUE(producer_.records.empty());
  EXPECT_EQ(
      scraped(registry_,
              R"(parley_webhooks_received_total{outcome="publish_failed",source="justanswer"})"),
      1);
}

TEST_F(WebhookEndpointTest, NoDeliveryReportWithinTheAckTimeoutIs503) {
  producer_.silent = true;
  const auto started = std::chrono::steady_clock::now();
  const auto answer = post(valid_);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 200ms);
  EXPECT_EQ(answer.status, 503u);
  EXPECT_NE(answer.body.find("within 200 ms (kafka.ack_timeout_ms)"), std::string::npos);
  // A late report after the answer is harmless.
  ASSERT_EQ(producer_.pending.size(), 1u);
  producer_.pending[0](std::nullopt);
}

TEST_F(WebhookEndpointTest, UnverifiedOrInvalidRequestsNeverReachTheProducer) {
  EXPECT_EQ(post(valid_, {{"X-Parley-Token", "wrong"}}).status, 401u);
  EXPECT_EQ(post(valid_, {}).status, 401u);
  EXPECT_EQ(post(R"({"eventType":"1"})").status, 400u);
  EXPECT_EQ(post("not json").status, 400u);
  EXPECT_TRUE(producer_.records.empty());
  EXPECT_EQ(
      scraped(registry_,
              R"(parley_webhooks_received_total{outcome="unauthorized",source="justanswer"})"),
      2);
  EXPECT_EQ(scraped(registry_,
                    R"(parley_webhooks_received_total{outcome="invalid",source="justanswer"})"),
            2);
}

TEST_F(WebhookEndpointTest, HttpLayerRefusalsAreAnsweredInThePlatformsShapeAndCounted) {
  const auto answer =
      endpoint_.reject(Error{http::Errc::overloaded, "over limits.max_inflight (1)"});
  EXPECT_EQ(answer.status, 429u);
  EXPECT_EQ(answer.retry_after_seconds, 1u);
  EXPECT_EQ(answer.body, R"json({"status":false,"message":"over limits.max_inflight (1)"})json");
  EXPECT_EQ(scraped(registry_,
                    R"(parley_webhooks_received_total{outcome="overloaded",source="justanswer"})"),
            1);
}

/// A source whose event id is the body itself: deterministic, like CAO and TalkJS.
class DeterministicSource final : public sources::Source {
 public:
  std::string_view name() const override { return "justanswer"; }
  std::optional<Error> verify(const http::Request&) const override { return std::nullopt; }
  Result<http::HeadProof, Error> verify_head(const http::Request&) const override {
    return http::HeadProof::verified;
  }
  Result<events::CloudEvent, Error> normalize(
      const http::Request& request, std::chrono::system_clock::time_point) const override {
    events::CloudEvent event;
    event.id = request.body;
    event.source = "/parley/test";
    event.partition_key = "test:1";
    return event;
  }
  bool deterministic_ids() const override { return true; }
  std::string accepted_body() const override { return "ok"; }
  std::string error_body(const Error& error) const override { return error.message; }
};

class DuplicateSuppressionTest : public WebhookEndpointTest {
 protected:
  dedupe::RecentIds recent_{600s, 100};
  WebhookEndpoint deterministic_{
      std::make_shared<DeterministicSource>(), producer_, stats_, produced_,
      Publishing{.topic = "events", .ack_timeout = 200ms, .recent_ids = &recent_}};
  WebhookEndpoint minted_{
      std::make_shared<sources::JustAnswer>(webhook_, true), producer_, stats_, produced_,
      Publishing{.topic = "events", .ack_timeout = 200ms, .recent_ids = &recent_}};
};

TEST_F(DuplicateSuppressionTest, RedeliveryIsAnswered200WithoutASecondEvent) {
  EXPECT_EQ(post_to(deterministic_, "evt-1", {}).status, 200u);
  const auto again = post_to(deterministic_, "evt-1", {});
  EXPECT_EQ(again.status, 200u);
  EXPECT_EQ(again.body, "ok");
  EXPECT_EQ(producer_.records.size(), 1u);
  EXPECT_EQ(post_to(deterministic_, "evt-2", {}).status, 200u);
  EXPECT_EQ(producer_.records.size(), 2u);
  EXPECT_EQ(scraped(registry_,
                    R"(parley_webhooks_received_total{outcome="duplicate",source="justanswer"})"),
            1);
  EXPECT_EQ(scraped(registry_,
                    R"(parley_webhooks_received_total{outcome="accepted",source="justanswer"})"),
            2);
}

TEST_F(DuplicateSuppressionTest, AFailedPublishIsNotRememberedSoTheRetryPublishes) {
  producer_.result = Error{kafka::Errc::unavailable, "down"};
  EXPECT_EQ(post_to(deterministic_, "evt-1", {}).status, 503u);
  producer_.result.reset();
  EXPECT_EQ(post_to(deterministic_, "evt-1", {}).status, 200u);
  EXPECT_EQ(producer_.records.size(), 2u);
}

TEST_F(DuplicateSuppressionTest, MintedIdsAreNeverSuppressed) {
  const std::string body = R"({"eventType":"1","questionId":"q1","userToken":"u"})";
  EXPECT_EQ(post_to(minted_, body, {{"X-Parley-Token", "t"}}).status, 200u);
  EXPECT_EQ(post_to(minted_, body, {{"X-Parley-Token", "t"}}).status, 200u);
  EXPECT_EQ(producer_.records.size(), 2u);
  EXPECT_EQ(recent_.size(), 0u);
}

}  // namespace
}  // namespace parley::ingest

namespace parley::ingest {
namespace {

/// Verifies everything, then throws from normalize() once per `throws` left.
class ThrowingSource final : public sources::Source {
 public:
  std::string_view name() const override { return "justanswer"; }
  std::optional<Error> verify(const http::Request&) const override { return std::nullopt; }
  Result<http::HeadProof, Error> verify_head(const http::Request&) const override {
    return http::HeadProof::verified;
  }
  Result<events::CloudEvent, Error> normalize(
      const http::Request&, std::chrono::system_clock::time_point) const override {
    if (throws.fetch_sub(1) > 0) throw std::runtime_error("simulated library failure");
    events::CloudEvent event;
    event.id = "e1";
    event.partition_key = "justanswer:q";
    return event;
  }
  bool deterministic_ids() const override { return false; }
  std::string accepted_body() const override { return "ok"; }
  std::string error_body(const Error& error) const override { return error.message; }
  mutable std::atomic<int> throws{1};
};

TEST(RequestPathCatchAll, AThrowingSourceIsAnswered500AndTheConnectionServesTheNextRequest) {
  namespace asio = boost::asio;
  FakeProducer producer;
  metrics::Registry metrics;
  WebhookStats stats(metrics, {"justanswer"});
  kafka::ProduceStats produced(metrics, {});
  http::Router router;
  router.add(boost::beast::http::verb::post, "/hook",
             std::make_shared<WebhookEndpoint>(std::make_shared<ThrowingSource>(), producer, stats,
                                               produced, Publishing{.topic = "events"}));
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  http::Admission admission(8);
  http::Server server(io, http::ServerOptions{.name = "test"}, router, &admission);
  auto bound = server.start("127.0.0.1", 0);
  ASSERT_TRUE(bound) << bound.error();
  std::thread runner([&io] { io.run(); });

  testing::HttpClient client(bound.value().port());
  const auto failed = client.post("/hook", "{}");
  EXPECT_EQ(failed.status, 500u);
  EXPECT_NE(failed.body.find("simulated library failure"), std::string::npos) << failed.body;
  EXPECT_EQ(failed.headers.count(boost::beast::http::field::retry_after), 0u);
  const auto served = client.post("/hook", "{}");  // same connection
  EXPECT_EQ(served.status, 200u);
  EXPECT_EQ(producer.records.size(), 1u);
  EXPECT_EQ(
      scraped(metrics, R"(parley_webhooks_received_total{outcome="internal",source="justanswer"})"),
      1);

  server.shutdown();
  server.wait_closed(std::chrono::steady_clock::now() + 10s);
  work.reset();
  io.stop();
  runner.join();
}

}  // namespace
}  // namespace parley::ingest
