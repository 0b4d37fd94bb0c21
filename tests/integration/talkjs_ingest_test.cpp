// TalkJS webhooks, signed as TalkJS signs them, through the real binary to a real consumer.
#include "integration/fixture.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;
constexpr auto kTarget = "/v1/webhooks/talkjs";

std::string message_sent(const std::string& event_id, const std::string& conversation_id) {
  return R"({"id":")" + event_id +
         R"(","createdAt":1732185600000,"type":"message.sent","data":{)"
         R"("sender":{"id":"8029","name":"Bob","email":["bob@example.com"],"photoUrl":"https://x/bob.png","role":"seller","custom":{}},)"
         R"("conversation":{"id":")" +
         conversation_id +
         R"(","subject":"What a lovely day!","participants":{"8029":{"access":"ReadWrite","notify":true}}},)"
         R"("message":{"id":"msg_1","conversationId":")" +
         conversation_id +
         R"(","senderId":"8029","text":"Hello Alice!",)"
         R"("type":"UserMessage","origin":"rest","readBy":[],"createdAt":1732185600000,"editedAt":null,"attachment":null,"location":null,"custom":{},"referencedMessageId":null}}})";
}

class TalkJsIngest : public IngestFixture {};

TEST_F(TalkJsIngest, SignedMessageSentBecomesMessageCreated) {
  HttpClient client(parley_->port());
  const auto body = message_sent("evt_1", "order_391_fc");
  const auto answer = client.post(kTarget, body, talkjs_headers(body, unix_now()));
  ASSERT_EQ(answer.status, 200u) << answer.body;

  const auto events = reader().read(1, 10s);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].key, "talkjs:order_391_fc");
  EXPECT_EQ(events[0].headers.at("ce_id"), "talkjs:message:msg_1");
  EXPECT_EQ(events[0].headers.at("ce_type"), "parley.message.created");
  EXPECT_EQ(events[0].headers.at("ce_source"), "/parley/talkjs/test-app");
  simdjson::dom::parser parser;
  const auto event = parse_event(parser, events[0].value);
  EXPECT_EQ(std::string_view(event["time"]), "2024-11-21T10:40:00.000Z");
  EXPECT_EQ(std::string_view(event["data"]["message"]["text"]), "Hello Alice!");
  EXPECT_EQ(std::string_view(event["data"]["message"]["author"]["role"]), "agent");  // seller
  EXPECT_EQ(std::string_view(event["data"]["message"]["author"]["id"]), "8029");
  EXPECT_EQ(std::string_view(event["data"]["conversation"]["subject"]), "What a lovely day!");
}

TEST_F(TalkJsIngest, MillisecondTimestampUserEventAndUnknownTypeAreAccepted) {
  HttpClient client(parley_->port());
  const std::string user =
      R"({"id":"evt_u","createdAt":1732185600000,"type":"user.created",)"
      R"("data":{"user":{"id":"12081","name":"Alice","email":["alice@example.com"],"role":"buyer"}}})";
  EXPECT_EQ(client.post(kTarget, user, talkjs_headers(user, unix_now() * 1000)).status, 200u);
  const std::string future = R"({"id":"evt_f","createdAt":1732185600000,"type":"something.new",)"
                             R"("data":{"conversation":{"id":"c9"}}})";
  EXPECT_EQ(client.post(kTarget, future, talkjs_headers(future, unix_now())).status, 200u);

  const auto events = reader().read(2, 10s);
  ASSERT_EQ(events.size(), 2u);
  std::map<std::string, std::pair<std::string, std::string>> by_id;
  for (const auto& e : events)
    by_id[e.headers.at("ce_id")] = {e.headers.at("ce_type"), e.key};
  EXPECT_EQ(by_id["talkjs:event:evt_u"].first, "parley.user.created");
  EXPECT_EQ(by_id["talkjs:event:evt_u"].second, "talkjs:user:12081");
  EXPECT_EQ(by_id["talkjs:event:evt_f"].first, "parley.platform.unmapped");
  EXPECT_EQ(by_id["talkjs:event:evt_f"].second, "talkjs:c9");
}

TEST_F(TalkJsIngest, RedeliveredEventIsPublishedOnce) {
  HttpClient client(parley_->port());
  const auto body = message_sent("evt_3", "c3");
  ASSERT_EQ(client.post(kTarget, body, talkjs_headers(body, unix_now())).status, 200u);
  ASSERT_EQ(client.post(kTarget, body, talkjs_headers(body, unix_now())).status, 200u);
  EXPECT_EQ(reader().read(1, 10s).size(), 1u);
  EXPECT_EQ(reader().count(), 1);
}

}  // namespace
}  // namespace parley::testing
