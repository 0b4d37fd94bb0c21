#include "parley/platforms/directly/send.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace parley::directly {
namespace {

using commands::CallOutcome;
using commands::Command;
using commands::CommandType;
using commands::PlatformIds;
using commands::ReadBack;
using ::testing::HasSubstr;

constexpr std::string_view kQuestion = "123e4567-e89b-12d3-a456-426655440000";
constexpr std::string_view kResponse = "aaaaaaaa-0000-0000-0000-000000000001";

Command command(CommandType type) {
  Command c;
  c.id = "cmd-3";
  c.type = type;
  if (type == CommandType::conversation_start) {
    c.data.text = "My \"printer\" prints blank pages";
    c.data.customer = {.id = "user-1", .first_name = "Ada", .last_name = "Lovelace"};
  } else {
    c.subject = std::string(kQuestion);
    c.data.message_id = std::string(kResponse);
  }
  return c;
}

std::string header(const upstream::HttpRequest& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) return value;
  }
  return "(absent)";
}

platforms::SendAnswer answered(unsigned status, std::string body) {
  return upstream::HttpResponse{.status = status, .body = std::move(body)};
}

TEST(DirectlySend, SupportsStartAndAcceptOnly) {
  for (const auto type : commands::kAllTypes) {
    EXPECT_EQ(supports(type),
              type == CommandType::conversation_start || type == CommandType::answer_accept);
  }
}

TEST(DirectlySend, CheckNamesTheMissingField) {
  EXPECT_EQ(check(command(CommandType::conversation_start)), std::nullopt);
  EXPECT_EQ(check(command(CommandType::answer_accept)), std::nullopt);
  auto start = command(CommandType::conversation_start);
  start.data.text.clear();
  EXPECT_EQ(check(start)->field, "data.text");
  start = command(CommandType::conversation_start);
  start.data.attachments = {{.url = "https://x.example/a.png"}};
  EXPECT_EQ(check(start)->field, "data.attachments");
  auto accept = command(CommandType::answer_accept);
  accept.data.message_id.clear();
  EXPECT_EQ(check(accept)->field, "data.messageId");
}

TEST(DirectlySend, StartPostsTheQuestion) {
  const auto request = write_request(command(CommandType::conversation_start), "tok");
  EXPECT_EQ(request.method, boost::beast::http::verb::post);
  EXPECT_EQ(request.target, "/questions");
  EXPECT_EQ(header(request, "Authorization"), "Bearer tok");
  EXPECT_EQ(header(request, "Content-Type"), "application/json");
  EXPECT_FALSE(request.replay_safe);
  EXPECT_EQ(upstream::unsendable(request), std::nullopt);
  EXPECT_EQ(request.body,
            R"({"text":"My \"printer\" prints blank pages","author":{"name":"Ada Lovelace"}})");

  auto anonymous = command(CommandType::conversation_start);
  anonymous.data.customer = {};
  EXPECT_EQ(write_request(anonymous, "tok").body,
            R"({"text":"My \"printer\" prints blank pages"})");
}

TEST(DirectlySend, AcceptPostsToTheResponse) {
  const auto request = write_request(command(CommandType::answer_accept), "tok");
  EXPECT_EQ(request.target, "/responses/aaaaaaaa-0000-0000-0000-000000000001/accept");
  EXPECT_EQ(request.body, "");
  EXPECT_EQ(header(request, "Content-Type"), "(absent)");
  EXPECT_FALSE(request.replay_safe);
  auto sneaky = command(CommandType::answer_accept);
  sneaky.data.message_id = "../questions/x";
  EXPECT_EQ(write_request(sneaky, "tok").target, "/responses/..%2Fquestions%2Fx/accept");
}

TEST(DirectlySend, StartAnswersTheNewQuestion) {
  const auto outcome = judge_write(
      command(CommandType::conversation_start),
      answered(
          201,
          R"({"meta":{"version":"v1"},"data":{"uuid":"123e4567-e89b-12d3-a456-426655440000"}})"));
  EXPECT_EQ(outcome.kind, CallOutcome::Kind::done);
  EXPECT_EQ(outcome.ids, (PlatformIds{{"conversationId", std::string(kQuestion)}}));

  const auto no_uuid = judge_write(command(CommandType::conversation_start),
                                   answered(201, R"({"meta":{},"data":null})"));
  EXPECT_EQ(no_uuid.kind, CallOutcome::Kind::done);
  EXPECT_TRUE(no_uuid.ids.empty());
  EXPECT_THAT(no_uuid.message, HasSubstr("data.uuid"));
}

TEST(DirectlySend, AcceptNamesTheResponse) {
  const auto outcome =
      judge_write(command(CommandType::answer_accept), answered(200, R"({"meta":{},"data":{}})"));
  EXPECT_EQ(outcome.kind, CallOutcome::Kind::done);
  EXPECT_EQ(outcome.ids, (PlatformIds{{"messageId", std::string(kResponse)}}));
}

TEST(DirectlySend, ErrorEnvelopeJoinsTheMessage) {
  const auto outcome = judge_write(
      command(CommandType::answer_accept),
      answered(409,
               R"({"meta":{"version":"v1"},"data":null,"error":{"message":"already accepted"}})"));
  EXPECT_EQ(outcome.kind, CallOutcome::Kind::rejected);
  EXPECT_THAT(outcome.message, HasSubstr("already accepted"));
  EXPECT_THAT(outcome.message, HasSubstr("/responses/{uuid}/accept"));
  EXPECT_EQ(judge_write(command(CommandType::conversation_start), answered(503, "")).kind,
            CallOutcome::Kind::retry_later);
  EXPECT_EQ(judge_write(command(CommandType::conversation_start), answered(500, "")).kind,
            CallOutcome::Kind::doubt);
}

TEST(DirectlyReadBack, OnlyAnAcceptWithItsQuestionCanBeRead) {
  EXPECT_TRUE(can_read_back(command(CommandType::answer_accept)));
  EXPECT_FALSE(can_read_back(command(CommandType::conversation_start)));
  auto orphan = command(CommandType::answer_accept);
  orphan.subject.clear();
  EXPECT_FALSE(can_read_back(orphan));

  const auto request = question_request(command(CommandType::answer_accept), "tok");
  EXPECT_EQ(request.method, boost::beast::http::verb::get);
  EXPECT_EQ(request.target, "/questions/123e4567-e89b-12d3-a456-426655440000");
  EXPECT_TRUE(request.replay_safe);
}

std::string question(bool accepted) {
  return R"({"meta":{"version":"v1"},"data":{"uuid":"123e4567-e89b-12d3-a456-426655440000",)"
         R"("conversation":{"text":"Q","author":{"uuid":"user-1","name":"Ada"},"messages":[],)"
         R"("responses":[{"uuid":"aaaaaaaa-0000-0000-0000-000000000001",)"
         R"("author":{"uuid":"expert-1","name":"Expert"},"isAccepted":)" +
         std::string(accepted ? "true" : "false") +
         R"(,"messages":[]}]},"state":{"status":"UNRESOLVED","isAnswered":true,"isClosed":false}}})";
}

TEST(DirectlyReadBack, TheAcceptedResponseDecides) {
  const auto c = command(CommandType::answer_accept);
  const auto found = match_accepted(c, question(true));
  EXPECT_EQ(found.kind, ReadBack::Kind::found) << found.checked;
  EXPECT_EQ(found.ids, (PlatformIds{{"messageId", std::string(kResponse)}}));
  const auto not_found = match_accepted(c, question(false));
  EXPECT_EQ(not_found.kind, ReadBack::Kind::not_found);
  EXPECT_THAT(not_found.checked, HasSubstr("no response is accepted"));
  EXPECT_EQ(match_accepted(c, "<html>").kind, ReadBack::Kind::undecided);
}

}  // namespace
}  // namespace parley::directly
