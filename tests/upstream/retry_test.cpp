#include "parley/upstream/retry.hpp"

#include <gtest/gtest.h>

#include <set>

namespace parley::upstream {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, StaysWithinTheDoublingCeilingAndTheCap) {
  const BackoffPolicy policy{.base = milliseconds(100), .cap = milliseconds(1000)};
  std::mt19937_64 random(7);
  for (unsigned retry = 1; retry <= 30; ++retry) {
    const auto ceiling = std::min<milliseconds>(
        milliseconds(1000), milliseconds(100) * (1LL << std::min(retry - 1, 20u)));
    for (int i = 0; i < 200; ++i) {
      const auto delay = backoff_delay(policy, retry, milliseconds(0), random);
      ASSERT_GE(delay.count(), 0);
      ASSERT_LE(delay, ceiling) << "retry " << retry;
    }
  }
}

TEST(Backoff, IsJitteredNotFixed) {
  const BackoffPolicy policy{.base = milliseconds(100), .cap = milliseconds(5000)};
  std::mt19937_64 random(1);
  std::set<long long> seen;
  for (int i = 0; i < 50; ++i)
    seen.insert(backoff_delay(policy, 4, milliseconds(0), random).count());
  EXPECT_GT(seen.size(), 20u);
}

TEST(Backoff, RetryAfterIsAFloor) {
  const BackoffPolicy policy{.base = milliseconds(10), .cap = milliseconds(20)};
  std::mt19937_64 random(3);
  EXPECT_EQ(backoff_delay(policy, 1, milliseconds(2000), random), milliseconds(2000));
}

TEST(RetryAfter, ReadsSecondsAndHttpDates) {
  const auto now = std::chrono::system_clock::from_time_t(1445412480);  // 2015-10-21 07:28:00
  EXPECT_EQ(parse_retry_after("3", now), milliseconds(3000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), milliseconds(0));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:05 GMT", now), milliseconds(5000));
  EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now), milliseconds(0));
}

TEST(RetryAfter, IsCappedAndRefusesGarbage) {
  const auto now = std::chrono::system_clock::now();
  EXPECT_EQ(parse_retry_after("999999999999999999999", now), std::chrono::hours(1));
  EXPECT_EQ(parse_retry_after("86400", now), std::chrono::hours(1));
  EXPECT_FALSE(parse_retry_after("soon", now));
  EXPECT_FALSE(parse_retry_after("-5", now));
  EXPECT_FALSE(parse_retry_after("", now));
}

class BreakerTest : public ::testing::Test {
 protected:
  using Clock = CircuitBreaker::Clock;
  CircuitBreaker breaker_{{.failure_threshold = 3, .open_for = milliseconds(1000)}};
  Clock::time_point t0_ = Clock::now();
};

TEST_F(BreakerTest, OpensAfterConsecutiveFailuresOnly) {
  breaker_.record_failure(t0_);
  breaker_.record_failure(t0_);
  breaker_.record_success();
  breaker_.record_failure(t0_);
  breaker_.record_failure(t0_);
  EXPECT_EQ(breaker_.state(t0_), CircuitBreaker::State::closed);
  EXPECT_TRUE(breaker_.allow(t0_));
  breaker_.record_failure(t0_);
  EXPECT_EQ(breaker_.state(t0_), CircuitBreaker::State::open);
  EXPECT_FALSE(breaker_.allow(t0_ + milliseconds(999)));
}

TEST_F(BreakerTest, HalfOpenLetsOneProbeThrough) {
  for (int i = 0; i < 3; ++i)
    breaker_.record_failure(t0_);
  const auto later = t0_ + milliseconds(1000);
  EXPECT_EQ(breaker_.state(later), CircuitBreaker::State::half_open);
  EXPECT_TRUE(breaker_.allow(later));
  EXPECT_FALSE(breaker_.allow(later)) << "only one probe at a time";
  breaker_.record_success();
  EXPECT_EQ(breaker_.state(later), CircuitBreaker::State::closed);
  EXPECT_TRUE(breaker_.allow(later));
}

TEST_F(BreakerTest, AFailedProbeOpensAgainForAFullPeriod) {
  for (int i = 0; i < 3; ++i)
    breaker_.record_failure(t0_);
  const auto later = t0_ + milliseconds(1500);
  ASSERT_TRUE(breaker_.allow(later));
  breaker_.record_failure(later);
  EXPECT_EQ(breaker_.state(later + milliseconds(999)), CircuitBreaker::State::open);
  EXPECT_FALSE(breaker_.allow(later + milliseconds(999)));
  EXPECT_TRUE(breaker_.allow(later + milliseconds(1000)));
}

TEST(Judge, ClassifiesStatuses) {
  EXPECT_FALSE(judge("x", HttpResponse{.status = 204}));
  const auto throttled =
      judge("GET /q", HttpResponse{.status = 429, .body = "slow down", .retry_after = "2"});
  ASSERT_TRUE(throttled);
  EXPECT_TRUE(throttled->retryable);
  EXPECT_EQ(throttled->retry_after, std::chrono::seconds(2));
  EXPECT_EQ(throttled->message, "GET /q answered 429: slow down");
  // value(), not ->: a status judged a success (nullopt) must fail here, not read an
  // empty optional (no sanitizer sees that).
  EXPECT_TRUE(judge("x", HttpResponse{.status = 500}).value().retryable);
  EXPECT_TRUE(judge("x", HttpResponse{.status = 408}).value().retryable);
  EXPECT_FALSE(judge("x", HttpResponse{.status = 404}).value().retryable);
  EXPECT_FALSE(judge("x", HttpResponse{.status = 401}).value().retryable);
}

}  // namespace
}  // namespace parley::upstream
