#include "parley/platforms/talkjs/send.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "parley/common/time.hpp"

namespace parley::platforms::talkjs {
namespace {

using commands::CallOutcome;
using commands::Command;
using commands::CommandType;
using commands::PlatformIds;
using commands::ReadBack;
using ::testing::HasSubstr;
using Clock = std::chrono::system_clock;

// 2024-11-21T10:40:00Z: the first call of the commands below was recorded then.
const Clock::time_point kSince = *parse_rfc3339("2024-11-21T10:40:00Z");
constexpr std::int64_t kSinceMs = 1732185600000;

config::TalkJsSource::Api api() {
  return {.base_url = "https://api.talkjs.com", .app_id = "tTz2Jc8p", .secret_key = "sk_test_1"};
}

Command command(CommandType type) {
  Command c;
  c.id = "cmd-9";
  c.type = type;
  switch (type) {
    case CommandType::message_send:
      c.subject = "order_391_fc";
      c.data.author_id = "8029";
      c.data.text = "Hello \"Alice\"!";
      break;
    case CommandType::conversation_start:
      c.data.participants = {"12081", "8029"};
      c.data.title = "What a lovely day!";
      c.data.author_id = "8029";
      c.data.text = "Hello \"Alice\"!";
      break;
    case CommandType::user_upsert:
      c.data.user = commands::User{.id = "12081",
                                   .name = "Alice",
                                   .email = {"alice@example.com"},
                                   .photo_url = "https://yoursite.com/12081.png",
                                   .role = "buyer",
                                   .custom_json = R"({"plan":"pro"})"};
      break;
    default:
      break;
  }
  return c;
}

std::string header(const upstream::HttpRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "(absent)";
}

SendAnswer answered(unsigned status, std::string body) {
  return upstream::HttpResponse{.status = status, .body = std::move(body)};
}

// --- what TalkJS has, and what it needs ---

TEST(TalkJsSend, SupportsStartSendAndUserUpsert) {
  for (const auto type : commands::kAllTypes) {
    EXPECT_EQ(supports(type), type == CommandType::conversation_start ||
                                  type == CommandType::message_send ||
                                  type == CommandType::user_upsert);
  }
}

TEST(TalkJsSend, CheckNamesTheMissingField) {
  for (const auto type :
       {CommandType::conversation_start, CommandType::message_send, CommandType::user_upsert}) {
    EXPECT_EQ(check(command(type)), std::nullopt);
  }
  auto send = command(CommandType::message_send);
  send.data.author_id.clear();
  EXPECT_EQ(check(send)->field, "data.author.id");
  send = command(CommandType::message_send);
  send.data.text.clear();
  send.data.attachments = {{.url = "https://x.example/a.png"}};
  EXPECT_EQ(check(send)->field, "data.attachments");

  auto start = command(CommandType::conversation_start);
  start.data.author_id.clear();
  EXPECT_EQ(check(start)->field, "data.author.id");
  start.data.customer.id = "12081";  // the customer writes the first message then
  EXPECT_EQ(check(start), std::nullopt);
  start.data.customer.id.clear();
  start.data.text.clear();  // nothing to send: no sender needed
  EXPECT_EQ(check(start), std::nullopt);

  auto upsert = command(CommandType::user_upsert);
  upsert.data.user.reset();
  EXPECT_EQ(check(upsert)->field, "data.user.id");
}

TEST(TalkJsSend, OnlyPutsAreIdempotent) {
  EXPECT_TRUE(idempotent(command(CommandType::user_upsert)));
  EXPECT_FALSE(idempotent(command(CommandType::message_send)));
  auto start = command(CommandType::conversation_start);
  EXPECT_FALSE(idempotent(start));
  start.data.text.clear();
  EXPECT_TRUE(idempotent(start));
}

// --- the requests ---

TEST(TalkJsSend, UserUpsertPutsTheUser) {
  const auto request = user_request(command(CommandType::user_upsert), api());
  EXPECT_EQ(request.method, boost::beast::http::verb::put);
  EXPECT_EQ(request.target, "/v1/tTz2Jc8p/users/12081");
  EXPECT_EQ(header(request, "Authorization"), "Bearer sk_test_1");
  EXPECT_EQ(header(request, "Content-Type"), "application/json");
  EXPECT_TRUE(request.replay_safe);
  EXPECT_EQ(upstream::unsendable(request), std::nullopt);
  EXPECT_EQ(
      request.body,
      R"({"name":"Alice","email":["alice@example.com"],)"
      R"("photoUrl":"https://yoursite.com/12081.png","role":"buyer","custom":{"plan":"pro"}})");
}

TEST(TalkJsSend, StartPutsTheConversationNamedByTheCommand) {
  auto c = command(CommandType::conversation_start);
  c.data.customer.id = "555";
  const auto request = conversation_request(c, api());
  EXPECT_EQ(request.method, boost::beast::http::verb::put);
  EXPECT_EQ(request.target, "/v1/tTz2Jc8p/conversations/cmd-9");
  EXPECT_TRUE(request.replay_safe);
  // The customer and the sender join the participants when missing.
  EXPECT_EQ(request.body,
            R"({"participants":["12081","8029","555"],"subject":"What a lovely day!"})");
  EXPECT_EQ(conversation_id(c), "cmd-9");
  EXPECT_EQ(message_request(c, api()).target, "/v1/tTz2Jc8p/conversations/cmd-9/messages");
}

TEST(TalkJsSend, MessageSendPostsOneMarkedUserMessage) {
  const auto request = message_request(command(CommandType::message_send), api());
  EXPECT_EQ(request.method, boost::beast::http::verb::post);
  EXPECT_EQ(request.target, "/v1/tTz2Jc8p/conversations/order_391_fc/messages");
  EXPECT_FALSE(request.replay_safe);
  EXPECT_EQ(request.body, R"([{"text":"Hello \"Alice\"!","sender":"8029","type":"UserMessage",)"
                          R"("custom":{"parleyCommandId":"cmd-9"}}])");
}

TEST(TalkJsSend, IdsCannotChangeThePath) {
  auto c = command(CommandType::message_send);
  c.subject = "../users/x?y";
  EXPECT_EQ(message_request(c, api()).target,
            "/v1/tTz2Jc8p/conversations/..%2Fusers%2Fx%3Fy/messages");
}

// --- the answers ---

TEST(TalkJsSend, AnswersCarryNoIdsOfTheirOwn) {
  EXPECT_EQ(ids_of(command(CommandType::user_upsert)), (PlatformIds{{"userId", "12081"}}));
  EXPECT_EQ(ids_of(command(CommandType::conversation_start)),
            (PlatformIds{{"conversationId", "cmd-9"}}));
  EXPECT_TRUE(ids_of(command(CommandType::message_send)).empty());
}

TEST(TalkJsSend, FailureBodiesJoinTheMessage) {
  const auto rejected = judge_answer("TalkJS POST messages",
                                     answered(400, R"({"error":"sender is not a participant"})"),
                                     /*idempotent=*/false);
  EXPECT_EQ(rejected.kind, CallOutcome::Kind::rejected);
  EXPECT_THAT(rejected.message, HasSubstr("sender is not a participant"));
  const auto nested =
      judge_answer("TalkJS PUT users", answered(404, R"({"error":{"message":"no app"}})"), true);
  EXPECT_THAT(nested.message, HasSubstr("no app"));
  EXPECT_EQ(judge_answer("x", answered(200, "{}"), false).kind, CallOutcome::Kind::done);
}

TEST(TalkJsSend, OnlyAPostLeavesADoubt) {
  const auto lost = SendAnswer(upstream::SendError{.kind = upstream::SendError::Kind::unanswered,
                                                   .message = "read: timeout"});
  EXPECT_EQ(judge_answer("PUT", lost, true).kind, CallOutcome::Kind::retry_later);
  EXPECT_EQ(judge_answer("POST", lost, false).kind, CallOutcome::Kind::doubt);
  EXPECT_EQ(judge_answer("PUT", answered(500, ""), true).kind, CallOutcome::Kind::retry_later);
  EXPECT_EQ(judge_answer("POST", answered(500, ""), false).kind, CallOutcome::Kind::doubt);
}

// --- reading back ---

TEST(TalkJsReadBack, ReadsTheNewestMessages) {
  const auto request = messages_request(command(CommandType::message_send), api());
  EXPECT_EQ(request.method, boost::beast::http::verb::get);
  EXPECT_EQ(request.target, "/v1/tTz2Jc8p/conversations/order_391_fc/messages?limit=100");
  EXPECT_TRUE(request.replay_safe);
}

std::string message(std::string_view id, std::string_view sender, std::string_view text,
                    std::int64_t created_at, std::string_view custom = "{}") {
  return R"({"id":")" + std::string(id) + R"(","conversationId":"order_391_fc","senderId":")" +
         std::string(sender) + R"(","text":)" + std::string(text) +
         R"(,"type":"UserMessage","origin":"rest","readBy":[],"createdAt":)" +
         std::to_string(created_at) + R"(,"custom":)" + std::string(custom) + "}";
}

std::string page(std::string_view messages) {
  return R"({"data":[)" + std::string(messages) + "]}";
}

constexpr std::string_view kText = R"("Hello \"Alice\"!")";

TEST(TalkJsReadBack, TheMarkerFindsTheMessage) {
  const auto read = match_in_messages(
      command(CommandType::message_send),
      page(message("msg_2", "8029", kText, kSinceMs + 5, R"({"parleyCommandId":"cmd-9"})") + "," +
           message("msg_1", "12081", R"("Hi")", kSinceMs - 5000)),
      kSince);
  EXPECT_EQ(read.kind, ReadBack::Kind::found) << read.checked;
  EXPECT_EQ(read.ids, (PlatformIds{{"messageId", "msg_2"}}));

  const auto start = match_in_messages(
      command(CommandType::conversation_start),
      page(message("msg_3", "8029", kText, kSinceMs, R"({"parleyCommandId":"cmd-9"})")), kSince);
  EXPECT_EQ(start.ids, (PlatformIds{{"conversationId", "cmd-9"}, {"messageId", "msg_3"}}));
}

TEST(TalkJsReadBack, WithMarkersOnlyTheMarkerCounts) {
  const auto read = match_in_messages(
      command(CommandType::message_send),
      page(message("msg_2", "8029", kText, kSinceMs + 5, R"({"parleyCommandId":"cmd-8"})") + "," +
           message("msg_4", "8029", kText, kSinceMs + 9)),
      kSince);
  EXPECT_EQ(read.kind, ReadBack::Kind::not_found);
  EXPECT_THAT(read.checked, HasSubstr("parleyCommandId"));
}

TEST(TalkJsReadBack, WithoutMarkersTextSenderAndTimeDecide) {
  const auto c = command(CommandType::message_send);
  const auto skewed = match_in_messages(
      c, page(message("msg_5", "8029", kText, kSinceMs - 120000, "null")), kSince);
  EXPECT_EQ(skewed.kind, ReadBack::Kind::found) << skewed.checked;
  EXPECT_EQ(skewed.ids, (PlatformIds{{"messageId", "msg_5"}}));

  const std::string others[] = {
      message("msg_6", "8029", kText, kSinceMs - 120001),
      message("msg_7", "12081", kText, kSinceMs),
      message("msg_8", "8029", R"("Hello Alice!")", kSinceMs),
  };
  for (const auto& other : others) {
    EXPECT_EQ(match_in_messages(c, page(other), kSince).kind, ReadBack::Kind::not_found) << other;
  }
}

TEST(TalkJsReadBack, WhatCannotTellIsUndecided) {
  for (const std::string_view body : {"<html>", R"({"data":[{"text":"no id"}]})",
                                      R"({"data":[{"id":"m","custom":{"parleyCommandId":7}}]})"}) {
    EXPECT_EQ(match_in_messages(command(CommandType::message_send), body, kSince).kind,
              ReadBack::Kind::undecided)
        << body;
  }
}

}  // namespace
}  // namespace parley::platforms::talkjs
