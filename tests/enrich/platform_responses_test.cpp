#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "parley/enrich/conversation.hpp"

namespace parley::enrich {
namespace {

using ::testing::HasSubstr;

struct BadBody {
  std::string body;
  std::string_view names;
};

// --- JustAnswer ---

// seeds/000 "Get Question" example response, as printed.
constexpr std::string_view kJustAnswerSeed =
    R"({ "status": true, "message": "", "data": { "question": { "token": "e5e06b61d720437a8cd09c67b574e5e8", "isClosed": false, "text": "This is a question", "attachments": [ { "url": "url", "name": "1400x800sr-60.jpg" } ], "postedDate": "2022-02-02 12:12:12", "lastMessage": { "token": "!41ec32ee301f479ea77fd39eed839b42_1!", "posted": "2022-02-02 12:12:25", "questionToken": "e5e06b61d720437a8cd09c67b574e5e8", "text": "answer", "attachments": [ { "url": "url", "name": "1400x800sr-60.jpg", "contentLength": null } ], "isExpertMessage": true, "expert": { "token": "8c60d3c3fd5d47cd89194b9d0d23e725", "name": "John Expert", "getSmallestPhotoUri": "url" }, "feedback": { "text": "feedback text", "ratingFeedbackNumber": 5, "dateCreated": "2022-02-02 12:12:25" }, "hasFeedback": true, "type": "ExpertResponse", "isMessageExpertProposedAnswer": false, "isMessageExpertAcceptedAnswer": false, "isMessageCustomerResponse": false } }, "messages": [ { "token": "!41ec32ee301f479ea77fd39eed839b42_1!", "posted": "2022-02-02 12:12:25", "questionToken": "e5e06b61d720437a8cd09c67b574e5e8", "text": "answer", "attachments": [ { "url": "url", "name": "1400x800sr-60.jpg", "contentLength": null } ], "isExpertMessage": true, "expert": { "token": "8c60d3c3fd5d47cd89194b9d0d23e725", "name": "John Expert", "getSmallestPhotoUri": "url" }, "feedback": { "text": "feedback text", "ratingFeedbackNumber": 5, "dateCreated": "2022-02-02 12:12:25" }, "hasFeedback": true, "type": "ExpertResponse", "isMessageExpertProposedAnswer": false, "isMessageExpertAcceptedAnswer": false, "isMessageCustomerResponse": false } ], "experts": [ { "token": "8c60d3c3fd5d47cd89194b9d0d23e725", "name": "Expert", "jobDescription": "JustAnswer expert", "rating": 5, "totalNumberOfRatings": 3082, "avatarUrlBig": "url", "avatarUrlSmall": "url" } ] } })";

// The user token of the seed's webhook example.
constexpr std::string_view kCustomer = "abcde12345";

std::string justanswer_body(std::string_view question, std::string_view rest = "") {
  return R"({"status":true,"message":"","data":{"question":)" + std::string(question) +
         std::string(rest) + "}}";
}

constexpr std::string_view kQuestion = R"({"token":"q1","text":"Help","isClosed":true})";

TEST(JustAnswerQuestion, SeedExampleNormalizes) {
  auto conversation = parse_justanswer_question(kJustAnswerSeed, kCustomer);
  ASSERT_TRUE(conversation.ok()) << conversation.error();
  EXPECT_EQ(to_json(conversation.value()),
            R"({"id":"e5e06b61d720437a8cd09c67b574e5e8","customerId":"abcde12345","status":"open",)"
            R"("closed":false,"accepted":false,)"
            R"("participants":[{"id":"abcde12345","role":"customer"},)"
            R"({"id":"8c60d3c3fd5d47cd89194b9d0d23e725","name":"Expert","role":"expert",)"
            R"("avatarUrl":"url"}],)"
            R"("messages":[{"id":"e5e06b61d720437a8cd09c67b574e5e8","text":"This is a question",)"
            R"("author":{"role":"customer","id":"abcde12345"},"sentAt":"2022-02-02T12:12:12.000Z",)"
            R"("attachments":[{"url":"url","name":"1400x800sr-60.jpg"}]},)"
            R"({"id":"!41ec32ee301f479ea77fd39eed839b42_1!","text":"answer",)"
            R"("author":{"role":"expert","id":"8c60d3c3fd5d47cd89194b9d0d23e725",)"
            R"("name":"John Expert","avatarUrl":"url"},"sentAt":"2022-02-02T12:12:25.000Z",)"
            R"("attachments":[{"url":"url","name":"1400x800sr-60.jpg"}]}]})");
}

TEST(JustAnswerQuestion, CustomerMessagesAndAcceptedAnswer) {
  const std::string body = justanswer_body(
      kQuestion,
      R"(,"messages":[)"
      R"({"token":"m1","postedDate":"2022-02-03T08:00:00","textMessage":"Hi","isExpertMessage":false},)"
      R"({"token":"m2","text":"Done","isExpertMessage":true,"authorId":"x9",)"
      R"("isMessageExpertAcceptedAnswer":true},)"
      R"({"token":"m3","text":"Thanks","isMessageExpertAcceptedAnswer":false}])");
  auto conversation = parse_justanswer_question(body, kCustomer);
  ASSERT_TRUE(conversation.ok()) << conversation.error();
  const auto& c = conversation.value();
  EXPECT_EQ(c.status, "closed");
  EXPECT_EQ(c.closed, true);
  EXPECT_EQ(c.accepted, true);
  ASSERT_EQ(c.messages.size(), 4u);
  EXPECT_EQ(c.messages[1].id, "m1");
  EXPECT_EQ(c.messages[1].text, "Hi");
  EXPECT_EQ(c.messages[1].sent_at, "2022-02-03T08:00:00.000Z");
  EXPECT_EQ(c.messages[1].author.role, "customer");
  EXPECT_EQ(c.messages[1].author.id, "abcde12345");
  EXPECT_EQ(c.messages[2].author.role, "expert");
  EXPECT_EQ(c.messages[2].author.id, "x9");  // no expert object: authorId
  EXPECT_EQ(c.messages[3].author.role, "customer");
  ASSERT_EQ(c.participants.size(), 1u);  // no experts array
}

TEST(JustAnswerQuestion, LooseFieldsAreAccepted) {
  // Integer tokens, nulls for optional members, no arrays at all, no customer.
  const std::string body = justanswer_body(
      R"({"token":123,"text":null,"postedDate":null,"attachments":null,"isClosed":null})",
      R"(,"messages":null)");
  auto conversation = parse_justanswer_question(body, "");
  ASSERT_TRUE(conversation.ok()) << conversation.error();
  EXPECT_EQ(to_json(conversation.value()),
            R"({"id":"123","participants":[],)"
            R"("messages":[{"id":"123","author":{"role":"customer"},"attachments":[]}]})");
}

TEST(JustAnswerQuestion, StatusFalseCarriesTheMessage) {
  auto conversation =
      parse_justanswer_question(R"({"status":false,"message":"Question not found"})", kCustomer);
  ASSERT_FALSE(conversation.ok());
  EXPECT_THAT(conversation.error(), HasSubstr("Question not found"));
}

TEST(JustAnswerQuestion, ErrorsNameTheField) {
  const BadBody cases[] = {
      {"<html>", "JustAnswer question: body is not valid JSON"},
      {R"({"status":true})", "field data: is required"},
      {R"({"data":{}})", "field data.question: is required"},
      {justanswer_body(R"({"text":"x"})"), "field data.question.token: is required"},
      {justanswer_body(R"({"token":""})"), "field data.question.token"},
      {justanswer_body(R"({"token":"q","isClosed":"no"})"),
       "field data.question.isClosed: must be a boolean, got string"},
      {justanswer_body(R"({"token":"q","postedDate":"02/30/2022"})"),
       "field data.question.postedDate: not a JustAnswer date '02/30/2022'"},
      {justanswer_body(R"({"token":"q","postedDate":"2022-02-30 12:12:12"})"),
       "field data.question.postedDate"},
      {justanswer_body(R"({"token":"q","attachments":[{"name":"n"}]})"),
       "field data.question.attachments[0].url: is required"},
      {justanswer_body(kQuestion, R"(,"messages":{})"),
       "field data.messages: must be an array, got object"},
      {justanswer_body(kQuestion, R"(,"messages":[{"token":"m"},7])"),
       "field data.messages[1]: must be an object, got number"},
      {justanswer_body(kQuestion, R"(,"messages":[{"token":"m"},{"text":"x"}])"),
       "field data.messages[1].token: is required"},
      {justanswer_body(kQuestion, R"(,"messages":[{"token":"m","isExpertMessage":1}])"),
       "field data.messages[0].isExpertMessage: must be a boolean"},
      {justanswer_body(kQuestion, R"(,"experts":[{"name":"E"}])"),
       "field data.experts[0].token: is required"},
  };
  for (const auto& c : cases) {
    auto conversation = parse_justanswer_question(c.body, kCustomer);
    ASSERT_FALSE(conversation.ok()) << c.body;
    EXPECT_THAT(conversation.error(), HasSubstr(c.names)) << c.body;
  }
}

TEST(JustAnswerQuestion, RefusesMoreThanTenThousandMessages) {
  std::string messages = R"(,"messages":[)";
  for (int i = 0; i < 10001; ++i)
    messages += (i > 0 ? R"(,{"token":"m"})" : R"({"token":"m"})");
  messages += "]";
  auto conversation = parse_justanswer_question(justanswer_body(kQuestion, messages), kCustomer);
  ASSERT_FALSE(conversation.ok());
  EXPECT_THAT(conversation.error(), HasSubstr("field data.messages: has 10001 items, over the "
                                              "limit of 10000"));
}

// --- CAO ---

// seeds/002 GetTranscript sample response, as printed.
constexpr std::string_view kCaoTranscriptSeed = R"({
    "Messages": [
        {
            "TimeStamp": "6/12/2015 10:58 PM",
            "SpeakerName": "Joe Lewis",
            "SpeakerRole": "Agent",
            "Message": "Do you like ice cream?",
            "MediaURL": ""
        },
        {
            "TimeStamp": "6/12/2015 10:59 PM",
            "SpeakerName": "Customer",
            "SpeakerRole": "Customer",
            "Message": "Yes",
            "MediaURL": ""
        },
        {
            "TimeStamp": "6/15/2015 4:13 PM",
            "SpeakerName": "Joe Lewis",
            "SpeakerRole": "Agent",
            "Message": "What is your favorite flavor?",
            "MediaURL": ""
        }
    ],
    "VisitId": 12272283,
    "ConsumerId": "1234",
    "SessionId": "abc123",
    "Status": 0,
    "FailureDescription": null
})";

std::string cao_body(std::string_view messages) {
  return R"({"VisitId":"77","ConsumerId":"c1","Status":0,"Messages":[)" + std::string(messages) +
         "]}";
}

TEST(CaoTranscript, SeedExampleNormalizes) {
  auto conversation = parse_cao_transcript(kCaoTranscriptSeed);
  ASSERT_TRUE(conversation.ok()) << conversation.error();
  EXPECT_EQ(to_json(conversation.value()),
            R"({"id":"12272283","customerId":"1234","sessionId":"abc123",)"
            R"("participants":[{"name":"Joe Lewis","role":"agent"},)"
            R"({"id":"1234","name":"Customer","role":"customer"}],)"
            R"("messages":[{"id":"12272283:0","text":"Do you like ice cream?",)"
            R"("author":{"role":"agent","name":"Joe Lewis"},"sentAt":"2015-06-12T22:58:00.000Z",)"
            R"("attachments":[]},)"
            R"({"id":"12272283:1","text":"Yes","author":{"role":"customer","id":"1234",)"
            R"("name":"Customer"},"sentAt":"2015-06-12T22:59:00.000Z","attachments":[]},)"
            R"({"id":"12272283:2","text":"What is your favorite flavor?",)"
            R"("author":{"role":"agent","name":"Joe Lewis"},"sentAt":"2015-06-15T16:13:00.000Z",)"
            R"("attachments":[]}]})");
}

TEST(CaoTranscript, MapsRolesIdsAndMedia) {
  const std::string body = cao_body(
      R"({"TimeStamp":"2015-01-01T00:00:00 ","SpeakerRole":"Consumer","Message":"",)"
      R"("MediaURL":"https://media.cao.com/p.png","MessageId":4711,"ExternalMessageId":"e1",)"
      R"("Status":"2"},)"
      R"({"TimeStamp":"6/15/2015 4:13:05 PM","SpeakerName":"Bot","SpeakerRole":"Router",)"
      R"("Message":"Transferring","MediaURL":null,"MessageId":"m-2"},)"
      R"({"TimeStamp":"6/15/2015 4:14 PM","SpeakerName":"Ann","SpeakerRole":"agent",)"
      R"("Message":"Hi"})");
  auto conversation = parse_cao_transcript(body);
  ASSERT_TRUE(conversation.ok()) << conversation.error();
  const auto& messages = conversation.value().messages;
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0].id, "4711");
  EXPECT_EQ(messages[0].author.role, "customer");
  EXPECT_EQ(messages[0].author.id, "c1");
  EXPECT_EQ(messages[0].sent_at, "2015-01-01T00:00:00.000Z");
  ASSERT_EQ(messages[0].attachments.size(), 1u);
  EXPECT_EQ(messages[0].attachments[0].url, "https://media.cao.com/p.png");
  EXPECT_EQ(messages[1].id, "m-2");
  EXPECT_EQ(messages[1].author.role, "system");  // a role CAO does not document
  EXPECT_EQ(messages[1].sent_at, "2015-06-15T16:13:05.000Z");
  EXPECT_TRUE(messages[1].attachments.empty());
  EXPECT_EQ(messages[2].id, "77:2");
  EXPECT_EQ(messages[2].author.role, "agent");
  EXPECT_EQ(conversation.value().participants.size(), 3u);
  // Only the id parley had to invent is marked: it can never match a webhook's.
  EXPECT_EQ(conversation.value().made_up_ids, std::set<std::string>{"77:2"});
}

TEST(CaoTranscript, NoMessagesIsAnEmptyTranscript) {
  auto conversation = parse_cao_transcript(R"({"VisitId":5,"SessionId":null,"Messages":null})");
  ASSERT_TRUE(conversation.ok()) << conversation.error();
  EXPECT_EQ(to_json(conversation.value()), R"({"id":"5","participants":[],"messages":[]})");
}

TEST(CaoTranscript, StatusOneCarriesTheFailureDescription) {
  auto conversation =
      parse_cao_transcript(R"({"Status":1,"FailureDescription":"Invalid VisitId"})");
  ASSERT_FALSE(conversation.ok());
  EXPECT_THAT(conversation.error(), HasSubstr("Status 1: Invalid VisitId"));
}

TEST(CaoTranscript, ErrorsNameTheField) {
  constexpr std::string_view kOk =
      R"({"TimeStamp":"6/12/2015 10:58 PM","SpeakerRole":"Agent","Message":"a"})";
  const BadBody cases[] = {
      {"", "CAO transcript: body is not valid JSON"},
      {R"({"Messages":[]})", "field VisitId: is required"},
      {R"({"VisitId":-3})", "field VisitId: must not be negative"},
      {R"({"VisitId":1,"Messages":"none"})", "field Messages: must be an array, got string"},
      {cao_body(std::string(kOk) + R"(,{"SpeakerRole":"Agent","Message":"a"})"),
       "field Messages[1].TimeStamp: is required"},
      {cao_body(std::string(kOk) + "," + std::string(kOk) +
                R"(,{"TimeStamp":"yesterday","SpeakerRole":"Agent","Message":"a"})"),
       "field Messages[2].TimeStamp: unrecognized date 'yesterday'"},
      {cao_body(R"({"TimeStamp":"13/1/2015 1:00 PM","SpeakerRole":"Agent","Message":"a"})"),
       "field Messages[0].TimeStamp: invalid date"},
      {cao_body(R"({"TimeStamp":"6/12/2015 10:58 PM","Message":"a"})"),
       "field Messages[0].SpeakerRole: is required"},
      {cao_body(R"({"TimeStamp":"6/12/2015 10:58 PM","SpeakerRole":"Agent"})"),
       "field Messages[0].Message: is required"},
      {cao_body(R"({"TimeStamp":"6/12/2015 10:58 PM","SpeakerRole":"Agent","Message":5})"),
       "field Messages[0].Message: must be a string, got number"},
  };
  for (const auto& c : cases) {
    auto conversation = parse_cao_transcript(c.body);
    ASSERT_FALSE(conversation.ok()) << c.body;
    EXPECT_THAT(conversation.error(), HasSubstr(c.names)) << c.body;
  }
}

// --- TalkJS ---

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
