// judge_call: one rule from a send API call's answer to what the executor does next.
#include <gtest/gtest.h>

#include "parley/commands/platform_sender.hpp"

namespace parley::commands {
namespace {

using Kind = CallOutcome::Kind;
using Answer = Result<upstream::HttpResponse, upstream::SendError>;

Kind judged(Answer answer, bool idempotent = false) {
  return judge_call("SendMessage", answer, idempotent).kind;
}

Answer status(unsigned code, std::string retry_after = "") {
  return upstream::HttpResponse{.status = code, .retry_after = std::move(retry_after)};
}

Answer failure(upstream::SendError::Kind kind) {
  return upstream::SendError{kind, "boom"};
}

TEST(JudgeCall, StatusesMapToTheContractsRetries) {
  EXPECT_EQ(judged(status(200)), Kind::done);
  EXPECT_EQ(judged(status(201)), Kind::done);
  EXPECT_EQ(judged(status(400)), Kind::rejected);
  EXPECT_EQ(judged(status(404)), Kind::rejected);
  EXPECT_EQ(judged(status(401)), Kind::unauthorized);
  EXPECT_EQ(judged(status(403)), Kind::unauthorized);
  EXPECT_EQ(judged(status(408)), Kind::retry_later);
  EXPECT_EQ(judged(status(429)), Kind::retry_later);
  EXPECT_EQ(judged(status(503)), Kind::retry_later);
  EXPECT_EQ(judged(status(500)), Kind::doubt);
  EXPECT_EQ(judged(status(502)), Kind::doubt);
  EXPECT_EQ(judged(status(500), true), Kind::retry_later);
}

TEST(JudgeCall, OnlyARequestThatMayHaveArrivedIsADoubt) {
  EXPECT_EQ(judged(failure(upstream::SendError::Kind::refused)), Kind::invalid);
  EXPECT_EQ(judged(failure(upstream::SendError::Kind::unreached)), Kind::retry_later);
  EXPECT_EQ(judged(failure(upstream::SendError::Kind::unanswered)), Kind::doubt);
  EXPECT_EQ(judged(failure(upstream::SendError::Kind::unanswered), true), Kind::retry_later);
}

TEST(JudgeCall, HonoursRetryAfterAndNamesTheCall) {
  const auto judged_429 = judge_call("SendMessage", status(429, "7"), false);
  EXPECT_EQ(judged_429.retry_after, std::chrono::seconds(7));
  EXPECT_EQ(judged_429.status, 429u);
  EXPECT_EQ(judged_429.message, "SendMessage answered 429");
}

}  // namespace
}  // namespace parley::commands
