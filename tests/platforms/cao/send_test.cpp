#include "parley/platforms/cao/send.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "parley/common/time.hpp"

namespace parley::platforms::cao {
namespace {

using commands::CallOutcome;
using commands::Command;
using commands::CommandType;
using commands::PlatformIds;
using commands::ReadBack;
using ::testing::HasSubstr;
using Clock = std::chrono::system_clock;

// The first call of the commands below was recorded at 10:59:30 UTC.
const Clock::time_point kSince = *parse_rfc3339("2015-06-12T22:59:30Z");

Command command(CommandType type) {
  Command c;
  c.id = "cmd-7";
  c.type = type;
  c.data.text = "Do you \"offer\" financing?";
  if (type == CommandType::conversation_start) {
    c.data.customer = {
        .id = "12345", .first_name = "Bob", .last_name = "Johnson", .phone = "14045551212"};
    c.data.advertiser_id = "adv-1";
  } else {
    c.subject = "5125890558";
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

// --- what CAO has, and what it needs ---

TEST(CaoSend, SupportsStartAndSendOnly) {
  for (const auto type : commands::kAllTypes) {
    EXPECT_EQ(supports(type),
              type == CommandType::conversation_start || type == CommandType::message_send);
  }
}

TEST(CaoSend, CheckNamesTheMissingField) {
  EXPECT_EQ(check(command(CommandType::conversation_start)), std::nullopt);
  EXPECT_EQ(check(command(CommandType::message_send)), std::nullopt);

  auto start = command(CommandType::conversation_start);
  start.data.customer.id.clear();
  EXPECT_EQ(check(start)->field, "data.customer.id");
  start = command(CommandType::conversation_start);
  start.data.advertiser_id.clear();
  EXPECT_EQ(check(start)->field, "data.advertiserId");
  start.data.text.clear();
  EXPECT_EQ(check(start)->field, "data.text");

  auto send = command(CommandType::message_send);
  send.data.attachments = {{.url = "https://x.example/a.png"}};
  EXPECT_EQ(check(send)->field, "data.attachments");
  for (const std::string_view visit : {"", "abc", "0123", "12a", "1234567890123456789"}) {
    send = command(CommandType::message_send);
    send.subject = visit;
    const auto problem = check(send);
    ASSERT_TRUE(problem) << visit;
    EXPECT_EQ(problem->field, "subject");
  }
  send.subject = "123456789012345678";
  EXPECT_EQ(check(send), std::nullopt);
}

// --- the requests ---

TEST(CaoSend, StartCarriesTheCommandIdAsSessionAndMessageMarker) {
  const auto request = write_request(command(CommandType::conversation_start), "dev-cao-key");
  EXPECT_EQ(request.method, boost::beast::http::verb::post);
  EXPECT_EQ(request.target, "/api/v1.0/AsyncConversation/Start");
  EXPECT_EQ(header(request, "Authorization"), "Basic dev-cao-key");
  EXPECT_EQ(header(request, "Accept"), "version=2");
  EXPECT_EQ(header(request, "Content-Type"), "application/json");
  EXPECT_FALSE(request.replay_safe);
  EXPECT_EQ(upstream::unsendable(request), std::nullopt);
  EXPECT_EQ(request.body, R"({"AdvertiserId":"adv-1","ConsumerId":"12345","SessionId":"cmd-7",)"
                          R"("ExternalMessageId":"cmd-7","Message":"Do you \"offer\" financing?",)"
                          R"("ConsumerFirstName":"Bob","ConsumerLastName":"Johnson",)"
                          R"("ConsumerPhoneNumber":"14045551212"})");
}

TEST(CaoSend, SendMessageCarriesTheCommandIdAsMessageIds) {
  const auto request = write_request(command(CommandType::message_send), "dev-cao-key");
  EXPECT_EQ(request.target, "/api/v1.0/AsyncConversation/SendMessage");
  EXPECT_FALSE(request.replay_safe);
  EXPECT_EQ(request.body,
            R"({"VisitId":5125890558,"MessageId":"cmd-7","ExternalMessageId":"cmd-7",)"
            R"("Message":"Do you \"offer\" financing?"})");
}

// --- the answers ---

TEST(CaoSend, StartAnswersTheVisit) {
  const auto outcome = judge_write(
      command(CommandType::conversation_start),
      answered(200, R"({"VisitId":5125890558,"ConsumerId":"12345","SessionId":"cmd-7","Status":0,)"
                    R"("FailureDescription":""})"));
  EXPECT_EQ(outcome.kind, CallOutcome::Kind::done);
  EXPECT_EQ(outcome.ids, (PlatformIds{{"conversationId", "5125890558"},
                                      {"visitId", "5125890558"},
                                      {"consumerId", "12345"},
                                      {"sessionId", "cmd-7"}}));
}

TEST(CaoSend, SendMessageAnswersTheVisit) {
  // seeds/002's sample answer: SessionId null.
  const auto outcome = judge_write(
      command(CommandType::message_send),
      answered(200, R"({"VisitId":54150558,"ConsumerId":"12345","SessionId":null,"Status":0,)"
                    R"("FailureDescription":""})"));
  EXPECT_EQ(outcome.kind, CallOutcome::Kind::done);
  EXPECT_EQ(outcome.ids, (PlatformIds{{"visitId", "54150558"}, {"consumerId", "12345"}}));
}

TEST(CaoSend, StatusOneRejectsA2xxOrA4xx) {
  for (const unsigned status : {200u, 400u, 404u}) {
    const auto outcome = judge_write(
        command(CommandType::message_send),
        answered(status, R"({"VisitId":null,"ConsumerId":null,"SessionId":null,"Status":1,)"
                         R"("FailureDescription":"Visit is closed"})"));
    EXPECT_EQ(outcome.kind, CallOutcome::Kind::rejected) << status;
    EXPECT_EQ(outcome.status, status);
    EXPECT_THAT(outcome.message, HasSubstr("Visit is closed"));
    EXPECT_THAT(outcome.message, HasSubstr("SendMessage"));
    EXPECT_TRUE(outcome.ids.empty());
  }
  const auto as_text =
      judge_write(command(CommandType::conversation_start), answered(200, R"({"Status":"1"})"));
  EXPECT_EQ(as_text.kind, CallOutcome::Kind::rejected);
  EXPECT_THAT(as_text.message, HasSubstr("(no FailureDescription)"));
}

// A server that failed after the write may still answer Status 1 (parley-sim's
// commit_then_500 does): a 5xx is read back, never taken as a refusal.
TEST(CaoSend, StatusOneWithA5xxStaysADoubt) {
  const auto outcome =
      judge_write(command(CommandType::message_send),
                  answered(500, R"({"Status":1,"FailureDescription":"internal error"})"));
  EXPECT_EQ(outcome.kind, CallOutcome::Kind::doubt);
  EXPECT_THAT(outcome.message, HasSubstr("internal error"));
}

TEST(CaoSend, StatusOneKeepsAKindThatCanClear) {
  const auto throttled =
      judge_write(command(CommandType::message_send),
                  answered(429, R"({"Status":1,"FailureDescription":"rate limited"})", "2"));
  EXPECT_EQ(throttled.kind, CallOutcome::Kind::retry_later);
  EXPECT_EQ(throttled.retry_after, std::chrono::seconds(2));
  const auto refused_key =
      judge_write(command(CommandType::message_send),
                  answered(401, R"({"Status":1,"FailureDescription":"bad key"})"));
  EXPECT_EQ(refused_key.kind, CallOutcome::Kind::unauthorized);
  EXPECT_THAT(refused_key.message, HasSubstr("bad key"));
}

TEST(CaoSend, NoAnswerOrA5xxIsADoubt) {
  const auto c = command(CommandType::message_send);
  EXPECT_EQ(judge_write(c, upstream::SendError{.kind = upstream::SendError::Kind::unanswered,
                                               .message = "read: timeout"})
                .kind,
            CallOutcome::Kind::doubt);
  EXPECT_EQ(judge_write(c, answered(502, "<html>")).kind, CallOutcome::Kind::doubt);
  const auto no_visit =
      judge_write(command(CommandType::conversation_start), answered(200, R"({"Status":0})"));
  EXPECT_EQ(no_visit.kind, CallOutcome::Kind::done);
  EXPECT_THAT(no_visit.message, HasSubstr("VisitId"));
}

// --- reading back ---

TEST(CaoReadBack, Requests) {
  const auto transcript = transcript_request(command(CommandType::message_send), "k");
  EXPECT_EQ(transcript.target, "/api/v1.0/AsyncConversation/GetTranscript/5125890558");
  EXPECT_EQ(header(transcript, "Authorization"), "Basic k");
  EXPECT_EQ(header(transcript, "Accept"), "version=2");
  EXPECT_TRUE(transcript.replay_safe);
  auto start = command(CommandType::conversation_start);
  start.data.customer.id = "a/b";
  EXPECT_EQ(conversations_request(start, "k").target,
            "/api/v1.0/AsyncConversation/GetConversations/a%2Fb");
}

std::string transcript(std::string_view messages) {
  return R"({"Messages":[)" + std::string(messages) +
         R"(],"VisitId":5125890558,"ConsumerId":"12345","SessionId":"abc","Status":0,"FailureDescription":null})";
}

TEST(CaoReadBack, TheMarkerFindsTheMessage) {
  const auto read = match_in_transcript(
      command(CommandType::message_send),
      transcript(R"({"TimeStamp":"6/12/2015 10:58 PM","SpeakerRole":"Agent","Message":"Hi",)"
                 R"("ExternalMessageId":""},)"
                 R"({"TimeStamp":"6/12/2015 11:00 PM","SpeakerRole":"Customer",)"
                 R"("Message":"Do you \"offer\" financing?","MessageId":"987654321",)"
                 R"("ExternalMessageId":"cmd-7","Status":1})"),
      kSince);
  EXPECT_EQ(read.kind, ReadBack::Kind::found) << read.checked;
  EXPECT_EQ(read.ids, (PlatformIds{{"visitId", "5125890558"}, {"messageId", "987654321"}}));
}

TEST(CaoReadBack, WithMarkersOnlyTheMarkerCounts) {
  // The same text, in time, but marked by another command: not this one.
  const auto read = match_in_transcript(
      command(CommandType::message_send),
      transcript(R"({"TimeStamp":"6/12/2015 11:00 PM","SpeakerRole":"Customer",)"
                 R"("Message":"Do you \"offer\" financing?","ExternalMessageId":"cmd-6"})"),
      kSince);
  EXPECT_EQ(read.kind, ReadBack::Kind::not_found);
  EXPECT_THAT(read.checked, HasSubstr("ExternalMessageId"));
}

TEST(CaoReadBack, WithoutMarkersTextSpeakerAndTimeDecide) {
  const auto c = command(CommandType::message_send);
  // seeds/002's transcript shape: no MessageId, no ExternalMessageId.
  const auto ours = match_in_transcript(
      c,
      transcript(
          R"({"TimeStamp":"6/12/2015 10:58 PM","SpeakerName":"Customer",)"
          R"("SpeakerRole":"Consumer","Message":" Do you \"offer\" financing? ","MediaURL":""})"),
      kSince);
  EXPECT_EQ(ours.kind, ReadBack::Kind::found) << ours.checked;
  EXPECT_EQ(ours.ids, (PlatformIds{{"visitId", "5125890558"}}));

  const std::string_view others[] = {
      R"({"TimeStamp":"6/12/2015 10:57 PM","SpeakerRole":"Customer","Message":"Do you \"offer\" financing?"})",
      R"({"TimeStamp":"6/12/2015 11:00 PM","SpeakerRole":"Agent","Message":"Do you \"offer\" financing?"})",
      R"({"TimeStamp":"6/12/2015 11:00 PM","SpeakerRole":"Customer","Message":"Yes"})",
  };
  for (const auto other : others) {
    const auto read = match_in_transcript(c, transcript(other), kSince);
    EXPECT_EQ(read.kind, ReadBack::Kind::not_found) << other;
  }
}

TEST(CaoReadBack, WhatCannotTellIsUndecided) {
  const std::string bodies[] = {
      R"({"Messages":[],"Status":1,"FailureDescription":"unknown visit"})",
      "<html>",
      transcript(R"({"TimeStamp":"yesterday","SpeakerRole":"Customer","Message":"x"})"),
  };
  for (const auto& body : bodies) {
    EXPECT_EQ(match_in_transcript(command(CommandType::message_send), body, kSince).kind,
              ReadBack::Kind::undecided)
        << body;
  }
}

TEST(CaoReadBack, AStartIsFoundByItsSession) {
  const auto c = command(CommandType::conversation_start);
  const auto read = match_in_conversations(
      c, R"({"Conversations":[)"
         R"({"AdvertiserId":"Marc","SessionId":"abc123","VisitId":"12272283","Status":"0"},)"
         R"({"AdvertiserId":"adv-1","SessionId":"cmd-7","VisitId":"5125890558","Status":"0"}],)"
         R"("Status":0,"FailureDescription":null})");
  EXPECT_EQ(read.kind, ReadBack::Kind::found) << read.checked;
  EXPECT_EQ(read.ids, (PlatformIds{{"conversationId", "5125890558"},
                                   {"visitId", "5125890558"},
                                   {"consumerId", "12345"},
                                   {"sessionId", "cmd-7"}}));

  // parley-sim also lists the Start's ExternalMessageId.
  EXPECT_EQ(match_in_conversations(
                c, R"({"Conversations":[{"SessionId":null,"ExternalMessageId":"cmd-7",)"
                   R"("VisitId":77}],"Status":0})")
                .kind,
            ReadBack::Kind::found);
}

TEST(CaoReadBack, AStartNotListedIsNotFound) {
  const auto c = command(CommandType::conversation_start);
  // seeds/002's GetConversations sample.
  const auto read = match_in_conversations(
      c, R"({"Conversations":[{"AdvertiserId":"Marc","AdvertiserName":"Nalley Lexus",)"
         R"("AgentName":"Jesse James","SessionId":"abc123","VisitId":"12272283",)"
         R"("LastMessageDateTime":"6/15/2015 4:13 PM","LastMessage":"see you at 4:00",)"
         R"("Status":"0"}],"Status":0,"FailureDescription":null})");
  EXPECT_EQ(read.kind, ReadBack::Kind::not_found);
  EXPECT_EQ(match_in_conversations(c, R"({"Status":1,"FailureDescription":"no consumer"})").kind,
            ReadBack::Kind::undecided);
}

}  // namespace
}  // namespace parley::platforms::cao
