// ContactAtOnce! messages and receipts through the real binary to a real Kafka consumer.
#include "integration/fixture.hpp"
#include "support/platform_samples.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
constexpr auto kMessages = "/v1/webhooks/cao/messages";
constexpr auto kReceipts = "/v1/webhooks/cao/receipts";
const std::vector<std::pair<std::string, std::string>> kAuth = {
    {"Authorization", "Basic test-cao-key"}};
constexpr auto kOk = R"({"Status":0,"FailureDescription":""})";

const std::string kSeedMessage(kCaoSeedMessage);

std::string receipt(const std::string& status) {
  return R"({"VisitId":"12617187","SessionId":"abc123456","ConsumerId":"128740954930930",)"
         R"("ExternalMessageId":"29393892","MessageId":"987654322","MessageStatus":")" +
         status + R"("})";
}

class CaoIngest : public IngestFixture {};

TEST_F(CaoIngest, SeedMessageBecomesMessageCreatedAndARedeliveryIsSuppressed) {
  HttpClient client(parley_->port());
  const auto answer = client.post(kMessages, kSeedMessage, kAuth);
  ASSERT_EQ(answer.status, 200u) << answer.body;
  EXPECT_EQ(answer.body, kOk);
  const auto again = client.post(kMessages, kSeedMessage, kAuth);
  EXPECT_EQ(again.status, 200u);
  EXPECT_EQ(again.body, kOk);

  auto kafka = reader();
  const auto events = kafka.read(1, 10s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(kafka.count(), 1);
  EXPECT_EQ(events[0].key, "cao:12617187");
  EXPECT_EQ(events[0].headers.at("ce_type"), "parley.message.created");
  EXPECT_EQ(events[0].headers.at("ce_id"), "cao:message:12345678");
  simdjson::dom::parser parser;
  const auto event = parse_event(parser, events[0].value);
  EXPECT_EQ(std::string_view(event["source"]), "/parley/cao");
  EXPECT_EQ(std::string_view(event["time"]), "2015-01-01T00:00:00.000Z");
  EXPECT_EQ(std::string_view(event["data"]["conversation"]["id"]), "12617187");
  EXPECT_EQ(std::string_view(event["data"]["message"]["text"]), "that was a long message");
  EXPECT_EQ(std::string_view(event["data"]["message"]["author"]["role"]), "agent");
  EXPECT_EQ(std::string_view(event["data"]["message"]["author"]["name"]), "Sally Salesperson");
  EXPECT_EQ(std::string_view(event["data"]["message"]["author"]["avatarUrl"]),
            "https://media.cao.com/images/sally.png");
  EXPECT_EQ(std::string_view(event["data"]["message"]["attachments"].at(0)["url"]),
            "https://media.cao.com/images/sbc.png");
  EXPECT_EQ(std::string_view(event["data"]["raw"]["DateTime"]), "2015-01-01T00:00:00 ");

  HttpClient admin(parley_->admin_port());
  const auto scrape = admin.get("/metrics").body;
  EXPECT_EQ(
      metric_value(scrape, R"(parley_webhooks_received_total{outcome="accepted",source="cao"})"),
      1);
  EXPECT_EQ(
      metric_value(scrape, R"(parley_webhooks_received_total{outcome="duplicate",source="cao"})"),
      1);
}

TEST_F(CaoIngest, ReceiptsMapToDeliveredReadAndUnknown) {
  HttpClient client(parley_->port());
  for (const auto* status : {"1", "2", "0"}) {
    const auto answer = client.post(kReceipts, receipt(status), kAuth);
    EXPECT_EQ(answer.status, 200u) << answer.body;
  }
  const auto events = reader().read(3, 10s);
  ASSERT_EQ(events.size(), 3u);
  std::map<std::string, std::string> type_by_id;
  for (const auto& event : events) {
    EXPECT_EQ(event.key, "cao:12617187");
    type_by_id[event.headers.at("ce_id")] = event.headers.at("ce_type");
  }
  EXPECT_EQ(type_by_id["cao:receipt:987654322:1"], "parley.message.delivered");
  EXPECT_EQ(type_by_id["cao:receipt:987654322:2"], "parley.message.read");
  EXPECT_EQ(type_by_id["cao:receipt:987654322:0"], "parley.message.receipt");
}

TEST_F(CaoIngest, LooseInputIsAcceptedBase64KeyToo) {
  HttpClient client(parley_->port());
  const std::string numeric_ids_us_date =
      R"({"VisitId":12617188,"SessionId":1,"ConsumerId":2,"DateTime":"6/15/2015 4:13 PM",)"
      R"("MessageId":99,"Message":"hi","AgentName":"A","AgentImageUrl":"https://x/a.png"})";
  // base64("test-cao-key:") as a standard Basic credential.
  const auto answer = client.post(kMessages, numeric_ids_us_date,
                                  {{"Authorization", "Basic dGVzdC1jYW8ta2V5Og=="}});
  ASSERT_EQ(answer.status, 200u) << answer.body;
  const auto events = reader().read(1, 10s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].key, "cao:12617188");
  EXPECT_EQ(events[0].headers.at("ce_time"), "2015-06-15T16:13:00.000Z");
}

}  // namespace
}  // namespace parley::testing
