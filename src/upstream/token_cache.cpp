#include "parley/upstream/token_cache.hpp"

#include <simdjson.h>

#include <algorithm>

namespace parley::upstream {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

Result<AccessToken, UpstreamError> parse_token_response(std::string_view what,
                                                        const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  std::string_view token;
  std::int64_t expires_in = 0;
  if (parser.parse(body).get(object) || object["access_token"].get(token) || token.empty() ||
      object["expires_in"].get(expires_in) || expires_in <= 0) {
    return UpstreamError{.message = std::string(what) +
                                    " unreadable: needs a string access_token and a positive "
                                    "expires_in",
                         .retryable = false};
  }
  return AccessToken{std::string(token), Clock::now() + std::chrono::seconds(expires_in)};
}

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
    // A tenth of the lifetime, but at least a second (a request in flight when the token is
    // refreshed must not arrive after it expired) and never more than half or a minute.
    const auto early = std::min<Clock::duration>(
        {std::max<Clock::duration>(lifetime / 10, std::chrono::seconds(1)), lifetime / 2,
         std::chrono::minutes(1)});
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

std::optional<std::string> TokenCache::current() const {
  if (!current_ || Clock::now() >= current_->expires_at) return std::nullopt;
  return current_->value;
}

}  // namespace parley::upstream
