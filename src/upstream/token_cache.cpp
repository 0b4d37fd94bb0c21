#include "parley/upstream/token_cache.hpp"

#include <algorithm>

namespace parley::upstream {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

TokenCache::TokenCache(asio::any_io_executor executor, Fetch fetch)
    : executor_(std::move(executor)), fetch_(std::move(fetch)) {}

asio::awaitable<Result<std::string, UpstreamError>> TokenCache::get() {
  if (current_ && Clock::now() < refresh_at_) co_return current_->value;
  if (flight_) {
    auto flight = flight_;  // keeps the result alive for this waiter
    co_await flight->wait();
    if (!flight->value()) co_return flight->value().error();
    co_return flight->value().value().value;
  }
  auto flight = std::make_shared<Flight>(executor_);
  flight_ = flight;
  ++fetches_;
  auto fetched = co_await fetch_();
  if (fetched) {
    const auto now = Clock::now();
    const auto lifetime = fetched.value().expires_at - now;
    const auto early = std::min<Clock::duration>(lifetime / 10, std::chrono::minutes(1));
    current_ = fetched.value();
    refresh_at_ = fetched.value().expires_at - early;
  }
  flight_.reset();
  flight->set(fetched);
  if (!fetched) co_return fetched.error();
  co_return fetched.value().value;
}

void TokenCache::invalidate(std::string_view token) {
  if (current_ && current_->value == token) current_.reset();
}

}  // namespace parley::upstream
