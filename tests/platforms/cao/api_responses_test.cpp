#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "parley/platforms/cao/api.hpp"

namespace parley::enrich {
namespace {

using ::testing::HasSubstr;

struct BadBody {
  std::string body;
  std::string_view names;
};

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

}  // namespace
}  // namespace parley::enrich
