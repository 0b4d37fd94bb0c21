#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "parley/platforms/justanswer/api.hpp"

namespace parley::enrich {
namespace {

using ::testing::HasSubstr;

struct BadBody {
  std::string body;
  std::string_view names;
};

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

}  // namespace
}  // namespace parley::enrich
