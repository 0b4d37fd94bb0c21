#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "parley/common/async_slots.hpp"
#include "parley/common/result.hpp"
#include "parley/upstream/retry.hpp"

namespace parley::upstream {

/// A client-credentials access token, valid until expires_at.
struct AccessToken {
  std::string value;
  std::chrono::steady_clock::time_point expires_at;
};

/// Reads an OAuth token answer (RFC 6749 5.1: access_token, expires_in seconds); the
/// error, not retryable, names what is missing. `what` names the call in the message.
Result<AccessToken, UpstreamError> parse_token_response(std::string_view what,
                                                        const std::string& body);

/// Caches one access token and refreshes it shortly before it expires (a tenth of its
/// lifetime early, at least a second, at most half of it or a minute). Refreshes are single-flight:
/// callers arriving while one is in flight share its result. Not thread-safe: use from one strand.
class TokenCache {
 public:
  using Fetch = std::function<boost::asio::awaitable<Result<AccessToken, UpstreamError>>()>;

  TokenCache(boost::asio::any_io_executor executor, Fetch fetch);

  /// The current token, fetched first when missing or about to expire.
  boost::asio::awaitable<Result<std::string, UpstreamError>> get();

  /// The upstream refused `token` (401): forget it, unless a newer one replaced it already.
  void invalidate(std::string_view token);

  /// The cached token while it has not expired, without fetching (to revoke it).
  std::optional<std::string> current() const;

  /// Token requests made so far (for metrics and tests).
  unsigned fetches() const { return fetches_; }

 private:
  using Flight = SharedResult<Result<AccessToken, UpstreamError>>;

  boost::asio::any_io_executor executor_;
  Fetch fetch_;
  std::optional<AccessToken> current_;
  std::chrono::steady_clock::time_point refresh_at_{};
  std::shared_ptr<Flight> flight_;
  unsigned fetches_ = 0;
};

}  // namespace parley::upstream
