#include "parley/platforms/justanswer/send.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "parley/common/time.hpp"

namespace parley::platforms::justanswer {
namespace {

using commands::CallOutcome;
using commands::Command;
using commands::CommandType;
using commands::PlatformIds;
using commands::ReadBack;
using ::testing::HasSubstr;
using Clock = std::chrono::system_clock;

constexpr std::string_view kQuestion = "e5e06b61d720437a8cd09c67b574e5e8";
constexpr std::string_view kCustomer = "abcde12345";
const Credentials kCredentials{.access_token = "tok-1", .api_key = "key-1"};
// The first call of the commands below was recorded at 12:46:30 UTC.
const Clock::time_point kSince = *parse_rfc3339("2024-03-20T12:46:30Z");

Command command(CommandType type) {
  Command c;
  c.id = "cmd-1";
  c.type = type;
  c.data.customer.id = std::string(kCustomer);
  if (type != CommandType::conversation_start) c.subject = std::string(kQuestion);
  switch (type) {
    case CommandType::conversation_start:
    case CommandType::message_send:
      c.data.text = "My \"car\" won't start\nat all";
      break;
    case CommandType::answer_rate:
      c.data.rating = 5;
      c.data.text = "Useful";
      [[fallthrough]];
    default:
      c.data.message_id = "41ec32ee301f479ea77fd39eed839b42_18";
  }
  return c;
}

std::string header(const upstream::HttpRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "(absent)";
}

SendAnswer answered(unsigned status, std::string body, std::string retry_after = {}) {
  return upstream::HttpResponse{
      .status = status, .body = std::move(body), .retry_after = std::move(retry_after)};
}

SendAnswer unanswered() {
  return upstream::SendError{.kind = upstream::SendError::Kind::unanswered,
                             .message = "read: timeout"};
}

// --- what JustAnswer has, and what it needs ---

TEST(JustAnswerSend, SupportsEverythingButUserUpsert) {
  for (const auto type : commands::kAllTypes) {
    EXPECT_EQ(supports(type), type != CommandType::user_upsert);
  }
}

TEST(JustAnswerSend, EveryCallNeedsTheCustomer) {
  for (const auto type : commands::kAllTypes) {
    if (!supports(type)) continue;
    auto c = command(type);
    EXPECT_EQ(check(c), std::nullopt);
    c.data.customer.id.clear();
    const auto problem = check(c);
    ASSERT_TRUE(problem);
    EXPECT_EQ(problem->field, "data.customer.id");
    EXPECT_THAT(problem->message, HasSubstr("UserIdToken"));
  }
}

TEST(JustAnswerSend, CheckNamesTheMissingField) {
  auto start = command(CommandType::conversation_start);
  start.data.text.clear();
  EXPECT_EQ(check(start)->field, "data.text");
  start.data.title = "Car trouble";  // the question's text, when there is no text
  EXPECT_EQ(check(start), std::nullopt);

  auto send = command(CommandType::message_send);
  send.subject.clear();
  EXPECT_EQ(check(send)->field, "subject");
  send = command(CommandType::message_send);
  send.data.text.clear();
  send.data.attachments = {{.url = "https://x.example/a.png", .name = "a.png"}};
  EXPECT_EQ(check(send)->field, "data.text");

  auto rate = command(CommandType::answer_rate);
  rate.data.rating = 6;
  EXPECT_EQ(check(rate)->field, "data.rating");
  for (const auto type :
       {CommandType::answer_accept, CommandType::answer_rate, CommandType::message_read}) {
    auto c = command(type);
    c.data.message_id.clear();
    EXPECT_EQ(check(c)->field, "data.messageId");
  }
}

// --- the requests ---

TEST(JustAnswerSend, EveryWriteCarriesTheThreeHeadersAndIsNeverReplayed) {
  for (const auto type : commands::kAllTypes) {
    if (!supports(type)) continue;
    SCOPED_TRACE(std::string(call_name(type)));
    const auto request = write_request(command(type), kCredentials);
    EXPECT_EQ(request.method, boost::beast::http::verb::post);
    EXPECT_EQ(header(request, "Authorization"), "Bearer tok-1");
    EXPECT_EQ(header(request, "X-Api-Key"), "key-1");
    EXPECT_EQ(header(request, "UserIdToken"), kCustomer);
    EXPECT_FALSE(request.replay_safe);
    EXPECT_EQ(upstream::unsendable(request), std::nullopt);
    EXPECT_EQ(header(request, "Content-Type"),
              request.body.empty() ? "(absent)" : "application/json");
  }
}

TEST(JustAnswerSend, StartPostsTheQuestion) {
  auto c = command(CommandType::conversation_start);
  c.data.category = "Cars";
  const auto request = write_request(c, kCredentials);
  EXPECT_EQ(request.target, "/api/v2/questions/post");
  EXPECT_EQ(request.body, R"({"message":"My \"car\" won't start\nat all","categoryName":"Cars"})");

  c.data.text.clear();
  c.data.title = "Car trouble";
  c.data.category.clear();
  EXPECT_EQ(write_request(c, kCredentials).body, R"({"message":"Car trouble"})");
}

TEST(JustAnswerSend, MessageSendPostsToTheQuestion) {
  auto c = command(CommandType::message_send);
  c.data.attachments = {{.url = "https://x.example/a.png", .name = "a.png"},
                        {.url = "https://x.example/b.png"}};
  const auto request = write_request(c, kCredentials);
  EXPECT_EQ(request.target, "/api/v2/questions/e5e06b61d720437a8cd09c67b574e5e8/messages");
  EXPECT_EQ(
      request.body,
      R"({"text":"My \"car\" won't start\nat all","attachments":[)"
      R"({"url":"https://x.example/a.png","name":"a.png"},{"url":"https://x.example/b.png"}]})");
}

TEST(JustAnswerSend, MessageStateCallsNameTheMessage) {
  const auto accept = write_request(command(CommandType::answer_accept), kCredentials);
  EXPECT_EQ(accept.target,
            "/api/v2/questions/e5e06b61d720437a8cd09c67b574e5e8/messages/"
            "41ec32ee301f479ea77fd39eed839b42_18/accept");
  EXPECT_EQ(accept.body, "");

  auto read = command(CommandType::message_read);
  read.data.message_id = "!41ec32ee301f479ea77fd39eed839b42_18!";  // the GET's form, as the seed
  EXPECT_EQ(write_request(read, kCredentials).target,
            "/api/v2/questions/e5e06b61d720437a8cd09c67b574e5e8/messages/"
            "!41ec32ee301f479ea77fd39eed839b42_18!/view");

  const auto rate = write_request(command(CommandType::answer_rate), kCredentials);
  EXPECT_THAT(rate.target, ::testing::EndsWith("_18/feedback"));
  EXPECT_EQ(rate.body, R"({"feedbackSettings":{"text":"Useful","feedbackLevel":5}})");
  auto silent = command(CommandType::answer_rate);
  silent.data.text.clear();
  EXPECT_EQ(write_request(silent, kCredentials).body,
            R"({"feedbackSettings":{"text":"","feedbackLevel":5}})");
}

TEST(JustAnswerSend, IdsFromCommandsCannotChangeThePath) {
  auto c = command(CommandType::answer_accept);
  c.subject = "../q?x=1#y";
  c.data.message_id = "m/../../connect/token";
  const auto request = write_request(c, kCredentials);
  EXPECT_EQ(request.target,
            "/api/v2/questions/..%2Fq%3Fx%3D1%23y/messages/m%2F..%2F..%2Fconnect%2Ftoken/accept");
  EXPECT_EQ(upstream::unsendable(request), std::nullopt);
}

TEST(JustAnswerSend, ACustomerIdWithALineBreakIsNeverSent) {
  auto c = command(CommandType::message_send);
  c.data.customer.id = "abc\r\nX-Evil: 1";
  EXPECT_NE(upstream::unsendable(write_request(c, kCredentials)), std::nullopt);
}

// --- the answers ---

TEST(JustAnswerSend, StartAnswersTheQuestionToken) {
  const auto outcome =
      judge_write(command(CommandType::conversation_start),
                  answered(200, R"({"status":true,"message":"","data":{"questionToken":"e5e0"}})"));
  EXPECT_EQ(outcome.kind, CallOutcome::Kind::done);
  EXPECT_EQ(outcome.ids, (PlatformIds{{"conversationId", "e5e0"}, {"questionToken", "e5e0"}}));
}

TEST(JustAnswerSend, MessageSendAnswersTheMessageId) {
  const auto outcome = judge_write(
      command(CommandType::message_send),
      answered(
          200,
          R"({"status":true,"message":"","data":{"messageId":"41ec32ee301f479ea77fd39eed839b42_18"}})"));
  EXPECT_EQ(outcome.kind, CallOutcome::Kind::done);
  EXPECT_EQ(outcome.ids, (PlatformIds{{"messageId", "41ec32ee301f479ea77fd39eed839b42_18"}}));
}

TEST(JustAnswerSend, StateCallsNameTheirMessage) {
  for (const auto type :
       {CommandType::answer_accept, CommandType::answer_rate, CommandType::message_read}) {
    const auto outcome =
        judge_write(command(type), answered(200, R"({"status":true,"message":""})"));
    EXPECT_EQ(outcome.kind, CallOutcome::Kind::done);
    EXPECT_EQ(outcome.ids, (PlatformIds{{"messageId", "41ec32ee301f479ea77fd39eed839b42_18"}}));
  }
}

TEST(JustAnswerSend, StatusFalseIsARefusalWhateverTheStatus) {
  for (const unsigned status : {200u, 400u, 404u}) {
    const auto outcome = judge_write(
        command(CommandType::message_send),
        answered(status, R"({"status":false,"message":"Question is closed","data":null})"));
    EXPECT_EQ(outcome.kind, CallOutcome::Kind::rejected) << status;
    EXPECT_EQ(outcome.status, status);
    EXPECT_THAT(outcome.message, HasSubstr("Question is closed"));
    EXPECT_THAT(outcome.message, HasSubstr("/messages"));
    EXPECT_TRUE(outcome.ids.empty());
  }
  const auto silent =
      judge_write(command(CommandType::answer_accept), answered(200, R"({"status":false})"));
  EXPECT_EQ(silent.kind, CallOutcome::Kind::rejected);
  EXPECT_THAT(silent.message, HasSubstr("(no message)"));
}

TEST(JustAnswerSend, StatusFalseKeepsAKindThatCanClear) {
  const auto throttled =
      judge_write(command(CommandType::message_send),
                  answered(429, R"({"status":false,"message":"slow down"})", "3"));
  EXPECT_EQ(throttled.kind, CallOutcome::Kind::retry_later);
  EXPECT_EQ(throttled.retry_after, std::chrono::seconds(3));
  EXPECT_THAT(throttled.message, HasSubstr("slow down"));
}

TEST(JustAnswerSend, TransportAndStatusesAreJudgedAsEveryCall) {
  const auto c = command(CommandType::message_send);
  EXPECT_EQ(judge_write(c, unanswered()).kind, CallOutcome::Kind::doubt);
  EXPECT_EQ(judge_write(c, answered(500, "oops")).kind, CallOutcome::Kind::doubt);
  EXPECT_EQ(judge_write(c, answered(401, R"({"error":"token"})")).kind,
            CallOutcome::Kind::unauthorized);
  EXPECT_EQ(judge_write(c, answered(400, "<html>")).kind, CallOutcome::Kind::rejected);
}

TEST(JustAnswerSend, ADoneCallWithoutItsIdStaysDone) {
  const auto outcome = judge_write(command(CommandType::conversation_start),
                                   answered(200, R"({"status":true,"message":"","data":{}})"));
  EXPECT_EQ(outcome.kind, CallOutcome::Kind::done);
  EXPECT_TRUE(outcome.ids.empty());
  EXPECT_THAT(outcome.message, HasSubstr("data.questionToken"));
  EXPECT_EQ(judge_write(command(CommandType::message_send), answered(200, "OK")).kind,
            CallOutcome::Kind::done);
}

// --- reading back ---

TEST(JustAnswerReadBack, ReadsTheQuestion) {
  const auto request = question_request(command(CommandType::message_send), kCredentials);
  EXPECT_EQ(request.method, boost::beast::http::verb::get);
  EXPECT_EQ(request.target, "/api/v2/questions/e5e06b61d720437a8cd09c67b574e5e8");
  EXPECT_EQ(header(request, "UserIdToken"), kCustomer);
  EXPECT_TRUE(request.replay_safe);
}

std::string question_body(std::string_view messages, std::string_view token = kQuestion) {
  return R"({"status":true,"message":"","data":{"question":{"token":")" + std::string(token) +
         R"(","text":"Q","postedDate":"2024-03-20 12:00:00","lastMessage":null},"messages":[)" +
         std::string(messages) + "]}}";
}

std::string customer_message(std::string_view token, std::string_view text, std::string_view posted,
                             std::string_view extra = "") {
  return R"({"token":")" + std::string(token) + R"(","text":)" + std::string(text) +
         R"(,"posted":")" + std::string(posted) +
         R"(","isExpertMessage":false,"type":"CustomerResponse")" + std::string(extra) + "}";
}

constexpr std::string_view kSentText = R"("My \"car\" won't start\nat all")";

TEST(JustAnswerReadBack, FindsTheCustomersMessageWithTheSameText) {
  const auto read =
      match_in_question(command(CommandType::message_send),
                        question_body(customer_message("!e5e0_3!", kSentText, "2024-03-20 12:46:31",
                                                       R"(,"authorId":"abcde12345")")),
                        kSince);
  EXPECT_EQ(read.kind, ReadBack::Kind::found) << read.checked;
  // As POST answers it, whichever form the GET lists.
  EXPECT_EQ(read.ids, (PlatformIds{{"messageId", "e5e0_3"}}));
  EXPECT_THAT(read.checked, HasSubstr("GET /api/v2/questions/{q}"));
}

TEST(JustAnswerReadBack, TheClockMayBeTwoMinutesBehind) {
  const auto c = command(CommandType::message_send);
  EXPECT_EQ(
      match_in_question(
          c, question_body(customer_message("!a_1!", kSentText, "2024-03-20 12:44:30")), kSince)
          .kind,
      ReadBack::Kind::found);
  const auto older = match_in_question(
      c, question_body(customer_message("!a_1!", kSentText, "2024-03-20 12:44:29")), kSince);
  EXPECT_EQ(older.kind, ReadBack::Kind::not_found);
  EXPECT_THAT(older.checked, HasSubstr("2024-03-20T12:44:30.000Z"));
}

TEST(JustAnswerReadBack, OnlyTheCustomersOwnMessageWithTheSameTextMatches) {
  const auto c = command(CommandType::message_send);
  const std::string others[] = {
      customer_message("!a_1!", R"("My car won't start")", "2024-03-20 12:47:00"),
      customer_message("!a_2!", kSentText, "2024-03-20 12:47:00", R"(,"authorId":"someone")"),
      R"({"token":"!a_3!","text":)" + std::string(kSentText) +
          R"(,"posted":"2024-03-20 12:47:00","isExpertMessage":true})",
      // Undated: when it was posted cannot be told.
      R"({"token":"!a_4!","text":)" + std::string(kSentText) + R"(,"isExpertMessage":false})",
  };
  for (const auto& other : others) {
    EXPECT_EQ(match_in_question(c, question_body(other), kSince).kind, ReadBack::Kind::not_found)
        << other;
  }
  // Blanks around the text aside, and textMessage/postedDate as the entity table names them.
  const auto blanks = match_in_question(
      c,
      question_body(R"({"token":"!a_5!","textMessage":"  My \"car\" won't start\nat all \n",)"
                    R"("postedDate":"2024-03-20T12:47:00","isExpertMessage":false})"),
      kSince);
  EXPECT_EQ(blanks.kind, ReadBack::Kind::found) << blanks.checked;
}

TEST(JustAnswerReadBack, StateCallsReadTheirFlag) {
  const std::string flags =
      R"("isMessageExpertAcceptedAnswer":true,"hasFeedback":false,"isMessageRead":true)";
  const std::string body = question_body(
      R"({"token":"!41ec32ee301f479ea77fd39eed839b42_18!","text":"answer","isExpertMessage":true,)" +
      flags + "}");
  EXPECT_EQ(match_in_question(command(CommandType::answer_accept), body, kSince).kind,
            ReadBack::Kind::found);
  EXPECT_EQ(match_in_question(command(CommandType::message_read), body, kSince).kind,
            ReadBack::Kind::found);
  const auto rate = match_in_question(command(CommandType::answer_rate), body, kSince);
  EXPECT_EQ(rate.kind, ReadBack::Kind::not_found);
  EXPECT_THAT(rate.checked, HasSubstr("hasFeedback is false"));

  auto other = command(CommandType::answer_accept);
  other.data.message_id = "41ec32ee301f479ea77fd39eed839b42_19";
  const auto absent = match_in_question(other, body, kSince);
  EXPECT_EQ(absent.kind, ReadBack::Kind::not_found);
  EXPECT_THAT(absent.checked, HasSubstr("no such message"));
}

TEST(JustAnswerReadBack, SeedQuestionExample) {
  // seeds/000 "Get Question": its message is "!41ec..._1!", answered with feedback, not accepted.
  const std::string body =
      R"({ "status": true, "message": "", "data": { "question": { "token": "e5e06b61d720437a8cd09c67b574e5e8", "isClosed": false, "text": "This is a question", "attachments": [ { "url": "url", "name": "1400x800sr-60.jpg" } ], "postedDate": "2022-02-02 12:12:12", "lastMessage": { "token": "!41ec32ee301f479ea77fd39eed839b42_1!", "posted": "2022-02-02 12:12:25", "questionToken": "e5e06b61d720437a8cd09c67b574e5e8", "text": "answer", "attachments": [], "isExpertMessage": true, "expert": { "token": "8c60", "name": "John Expert", "getSmallestPhotoUri": "url" }, "feedback": { "text": "feedback text", "ratingFeedbackNumber": 5, "dateCreated": "2022-02-02 12:12:25" }, "hasFeedback": true, "type": "ExpertResponse", "isMessageExpertProposedAnswer": false, "isMessageExpertAcceptedAnswer": false, "isMessageCustomerResponse": false } }, "messages": [], "experts": [] } })";
  auto c = command(CommandType::answer_rate);
  c.data.message_id = "41ec32ee301f479ea77fd39eed839b42_1";
  EXPECT_EQ(match_in_question(c, body, kSince).kind, ReadBack::Kind::found);
  c.type = CommandType::answer_accept;
  EXPECT_EQ(match_in_question(c, body, kSince).kind, ReadBack::Kind::not_found);
}

TEST(JustAnswerReadBack, WhatCannotTellIsUndecided) {
  const auto c = command(CommandType::message_send);
  const std::pair<std::string, std::string_view> bodies[] = {
      {question_body("", "another-question"), "about another question"},
      {R"({"status":false,"message":"no access","data":null})", "status false: no access"},
      {"<html>", "unreadable"},
      {question_body(customer_message("!a_1!", kSentText, "yesterday")), "unreadable"},
  };
  for (const auto& [body, why] : bodies) {
    const auto read = match_in_question(c, body, kSince);
    EXPECT_EQ(read.kind, ReadBack::Kind::undecided) << body;
    EXPECT_THAT(read.checked, HasSubstr(why)) << body;
  }
}

TEST(JustAnswerReadBack, AStartReadsTheCustomersQuestions) {
  const auto request = questions_request(command(CommandType::conversation_start), 3, kCredentials);
  EXPECT_EQ(request.target, "/api/v2/questions?page=3&pageSize=100");
  EXPECT_EQ(header(request, "UserIdToken"), kCustomer);
  EXPECT_TRUE(request.replay_safe);
}

std::string questions_body(std::string_view questions, std::string_view pages = "") {
  return R"({"status":true,"message":"","data":{"questions":[)" + std::string(questions) + "]" +
         std::string(pages) + "}}";
}

TEST(JustAnswerReadBack, AStartMatchesItsQuestionPostedSince) {
  const auto c = command(CommandType::conversation_start);
  const std::string old = R"({"token":"q0","text":)" + std::string(kSentText) +
                          R"(,"postedDate":"2024-03-20 12:00:00"})";
  const std::string other = R"({"token":"q1","text":"Other","postedDate":"2024-03-20 12:47:00"})";
  const std::string ours = R"({"token":"q2","text":)" + std::string(kSentText) +
                           R"(,"postedDate":"2024-03-20 12:47:00"})";
  auto page = read_questions_page(
      c, questions_body(old + "," + other + "," + ours, R"(,"pageNumber":1,"totalPages":4)"),
      kSince);
  ASSERT_TRUE(page.ok()) << page.error();
  EXPECT_EQ(page.value().match, "q2");
  EXPECT_EQ(page.value().questions, 3u);
  EXPECT_EQ(page.value().total_pages, 4u);

  page = read_questions_page(c, questions_body(old + "," + other), kSince);
  ASSERT_TRUE(page.ok()) << page.error();
  EXPECT_EQ(page.value().match, std::nullopt);
  EXPECT_EQ(page.value().total_pages, 0u);

  auto titled = c;
  titled.data.text.clear();
  titled.data.title = "Other";
  EXPECT_EQ(read_questions_page(titled, questions_body(other), kSince).value().match, "q1");
}

TEST(JustAnswerReadBack, UnreadableQuestionPagesAreErrors) {
  const auto c = command(CommandType::conversation_start);
  EXPECT_THAT(read_questions_page(c, R"({"status":false,"message":"who?"})", kSince).error(),
              HasSubstr("who?"));
  EXPECT_THAT(read_questions_page(c, questions_body(R"({"text":"x"})"), kSince).error(),
              HasSubstr("data.questions[0].token"));
}

TEST(JustAnswerReadBack, BareTokens) {
  EXPECT_EQ(bare_token("!ab_1!"), "ab_1");
  EXPECT_EQ(bare_token("ab_1"), "ab_1");
  EXPECT_EQ(bare_token("!ab_1"), "!ab_1");
  EXPECT_EQ(bare_token("!"), "!");
  EXPECT_EQ(bare_token("!!"), "");
}

}  // namespace
}  // namespace parley::platforms::justanswer
