#include "parley/upstream/token_cache.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace parley::upstream {
namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

/// A token endpoint whose answers the test controls: each fetch waits on `gate` so
/// callers can pile up while it is in flight.
class TokenCacheTest : public ::testing::Test {
 protected:
  TokenCache make_cache(std::chrono::seconds lifetime) {
    return TokenCache(
        io_.get_executor(),
        [this, lifetime]() -> asio::awaitable<Result<AccessToken, UpstreamError>> {
          ++calls_;
          boost::system::error_code ignored;
          gate_.expires_after(std::chrono::milliseconds(20));
          co_await gate_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
          if (fail_next_) {
            fail_next_ = false;
            co_return UpstreamError{.message = "token endpoint answered 503", .status = 503};
          }
          co_return AccessToken{"token-" + std::to_string(calls_), Clock::now() + lifetime};
        });
  }

  /// Runs `n` concurrent get() calls to completion; returns their results.
  std::vector<std::string> get_concurrently(TokenCache& cache, int n) {
    std::vector<std::string> results(n);
    for (int i = 0; i < n; ++i) {
      asio::co_spawn(
          io_,
          [&cache, &results, i]() -> asio::awaitable<void> {
            auto token = co_await cache.get();
            results[i] = token ? token.value() : "error: " + token.error().message;
          },
          asio::detached);
    }
    io_.restart();
    io_.run();
    return results;
  }

  asio::io_context io_;
  asio::steady_timer gate_{io_};
  int calls_ = 0;
  bool fail_next_ = false;
};

TEST_F(TokenCacheTest, ConcurrentCallersShareOneFetch) {
  auto cache = make_cache(std::chrono::hours(24));
  const auto results = get_concurrently(cache, 10);
  EXPECT_EQ(calls_, 1);
  EXPECT_EQ(cache.fetches(), 1u);
  for (const auto& token : results)
    EXPECT_EQ(token, "token-1");
  EXPECT_EQ(get_concurrently(cache, 3), (std::vector<std::string>(3, "token-1")));
  EXPECT_EQ(calls_, 1) << "a valid token is reused";
}

TEST_F(TokenCacheTest, InvalidateAfter401FetchesANewTokenOnce) {
  auto cache = make_cache(std::chrono::hours(24));
  get_concurrently(cache, 1);
  cache.invalidate("token-1");
  EXPECT_EQ(get_concurrently(cache, 5), (std::vector<std::string>(5, "token-2")));
  cache.invalidate("token-1");  // a stale 401 for the old token must not drop the new one
  EXPECT_EQ(get_concurrently(cache, 1), (std::vector<std::string>{"token-2"}));
  EXPECT_EQ(calls_, 2);
}

TEST_F(TokenCacheTest, AnExpiredTokenIsRefreshedBeforeUse) {
  auto cache = make_cache(std::chrono::seconds(0));  // expires the moment it arrives
  EXPECT_EQ(get_concurrently(cache, 1), (std::vector<std::string>{"token-1"}));
  EXPECT_EQ(get_concurrently(cache, 1), (std::vector<std::string>{"token-2"}));
}

TEST_F(TokenCacheTest, AFailureReachesEveryWaiterAndTheNextCallRetries) {
  auto cache = make_cache(std::chrono::hours(24));
  fail_next_ = true;
  const auto failed = get_concurrently(cache, 4);
  for (const auto& result : failed)
    EXPECT_EQ(result, "error: token endpoint answered 503");
  EXPECT_EQ(calls_, 1);
  EXPECT_EQ(get_concurrently(cache, 1), (std::vector<std::string>{"token-2"}));
}

}  // namespace
}  // namespace parley::upstream
