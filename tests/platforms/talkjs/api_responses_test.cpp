#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "parley/platforms/talkjs/api.hpp"

namespace parley::enrich {
namespace {

using ::testing::HasSubstr;

// PLATFORMS.md's conversation shape with seeds/003's conversation (order_391_fc, its
// subject, custom field and participants) ...
constexpr std::string_view kTalkJsConversation =
    R"({"id":"order_391_fc","subject":"What a lovely day!","topicId":null,"photoUrl":null,)"
    R"("custom":{"category":"order_inquiry"},"lastMessage":null,)"
    R"("participants":{"12081":{"access":"ReadWrite","notify":true},)"
    R"("8029":{"access":"ReadWrite","notify":true}},"createdAt":1732185600000})";
// ... and its messages: seeds/003's "Hello Alice!" from 8029, Alice's answer listed before
// it, and a system message with an attachment.
constexpr std::string_view kTalkJsMessages =
    R"({"data":[)"
    R"({"id":"msg_2","conversationId":"order_391_fc","senderId":"12081","text":"Hi Bob!",)"
    R"("type":"UserMessage","createdAt":1732185660000,"attachment":null},)"
    R"({"id":"msg_1","conversationId":"order_391_fc","senderId":"8029","text":"Hello Alice!",)"
    R"("type":"UserMessage","createdAt":1732185600000},)"
    R"({"id":"msg_3","conversationId":"order_391_fc","senderId":null,"text":"Order shipped",)"
    R"("type":"SystemMessage","createdAt":1732185720123,)"
    R"("attachment":{"url":"https://talkjs.com/f/label.pdf","filename":"label.pdf"}}]})";

TEST(TalkJsConversation, SeedExampleNormalizes) {
  auto conversation = parse_talkjs_conversation(kTalkJsConversation, kTalkJsMessages);
  ASSERT_TRUE(conversation.ok()) << conversation.error();
  EXPECT_EQ(to_json(conversation.value()),
            R"({"id":"order_391_fc","subject":"What a lovely day!",)"
            R"("participants":[{"id":"12081","role":"customer"},{"id":"8029","role":"customer"}],)"
            R"("messages":[{"id":"msg_1","text":"Hello Alice!",)"
            R"("author":{"role":"customer","id":"8029"},"sentAt":"2024-11-21T10:40:00.000Z",)"
            R"("attachments":[]},)"
            R"({"id":"msg_2","text":"Hi Bob!","author":{"role":"customer","id":"12081"},)"
            R"("sentAt":"2024-11-21T10:41:00.000Z","attachments":[]},)"
            R"({"id":"msg_3","text":"Order shipped","author":{"role":"system"},)"
            R"("sentAt":"2024-11-21T10:42:00.123Z",)"
            R"("attachments":[{"url":"https://talkjs.com/f/label.pdf","name":"label.pdf"}]}]})");
}

TEST(TalkJsConversation, NoMessagesAndNoParticipants) {
  auto conversation = parse_talkjs_conversation(R"({"id":"c","participants":null})", "{}");
  ASSERT_TRUE(conversation.ok()) << conversation.error();
  EXPECT_EQ(to_json(conversation.value()), R"({"id":"c","participants":[],"messages":[]})");
}

TEST(TalkJsConversation, MessagesOfOneMillisecondKeepTheirOrder) {
  auto conversation = parse_talkjs_conversation(
      R"({"id":"c"})", R"({"data":[{"id":"b","createdAt":5},{"id":"a","createdAt":5},)"
                       R"({"id":"z","createdAt":1}]})");
  ASSERT_TRUE(conversation.ok()) << conversation.error();
  const auto& messages = conversation.value().messages;
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].id, "z");
  EXPECT_EQ(messages[1].id, "b");
  EXPECT_EQ(messages[2].id, "a");
}

TEST(TalkJsConversation, ErrorsNameTheBodyAndField) {
  struct Case {
    std::string conversation;
    std::string messages;
    std::string_view names;
  };
  const Case cases[] = {
      {"nope", "{}", "TalkJS conversation: body is not valid JSON"},
      {R"({"id":"c"})", "[]", "TalkJS messages: body must be a JSON object"},
      {R"({"subject":"s"})", "{}", "field id: is required"},
      {R"({"id":"c","subject":1})", "{}", "field subject: must be a string, got number"},
      {R"({"id":"c","participants":["a"]})", "{}",
       "field participants: must be an object, got array"},
      {R"({"id":"c"})", R"({"data":{}})", "field data: must be an array, got object"},
      {R"({"id":"c"})", R"({"data":[{"createdAt":1}]})", "field data[0].id: is required"},
      {R"({"id":"c"})", R"({"data":[{"id":"m"}]})", "field data[0].createdAt: is required"},
      {R"({"id":"c"})", R"({"data":[{"id":"m","createdAt":"today"}]})",
       "field data[0].createdAt: must be an integer, got string"},
      {R"({"id":"c"})", R"({"data":[{"id":"m","createdAt":-1}]})",
       "field data[0].createdAt: must be unix milliseconds"},
      {R"({"id":"c"})", R"({"data":[{"id":"m","createdAt":1,"attachment":{"filename":"f"}}]})",
       "field data[0].attachment.url: is required"},
  };
  for (const auto& c : cases) {
    auto conversation = parse_talkjs_conversation(c.conversation, c.messages);
    ASSERT_FALSE(conversation.ok()) << c.conversation << " " << c.messages;
    EXPECT_THAT(conversation.error(), HasSubstr(c.names)) << c.conversation << " " << c.messages;
  }
}

TEST(TalkJsConversation, RefusesMoreThanTenThousandParticipants) {
  std::string body = R"({"id":"c","participants":{)";
  for (int i = 0; i < 10001; ++i)
    body += (i > 0 ? "," : "") + ("\"u" + std::to_string(i) + "\":{}");
  body += "}}";
  auto conversation = parse_talkjs_conversation(body, "{}");
  ASSERT_FALSE(conversation.ok());
  EXPECT_THAT(conversation.error(), HasSubstr("field participants: has 10001 participants, over "
                                              "the limit of 10000"));
}

}  // namespace
}  // namespace parley::enrich
