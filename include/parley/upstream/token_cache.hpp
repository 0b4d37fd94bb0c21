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
#include "parley/upstream/http_client.hpp"

namespace parley::upstream {

/// Why an upstream call gave no usable answer, and whether trying again can help.
struct UpstreamError {
  std::string message;
  bool retryable = true;
  std::chrono::milliseconds retry_after{0};  ///< the upstream's Retry-After, 0 if none
  unsigned status = 0;                       ///< HTTP status when one came back
};

/// nullopt for a 2xx; otherwise the error: 408, 429 and 5xx retryable (Retry-After
/// honoured), other statuses not. `what` names the call in the message.
std::optional<UpstreamError> judge(std::string_view what, const HttpResponse& response);

/// A client-credentials access token, valid until expires_at.
struct AccessToken {
  std::string value;
  std::chrono::steady_clock::time_point expires_at;
};

/// Caches one access token and refreshes it shortly before it expires (a tenth of its
/// lifetime, at most a minute early). Refreshes are single-flight: callers arriving
/// while one is in flight share its result. Not thread-safe: use from one strand.
class TokenCache {
 public:
  using Fetch = std::function<boost::asio::awaitable<Result<AccessToken, UpstreamError>>()>;

  TokenCache(boost::asio::any_io_executor executor, Fetch fetch);

  /// The current token, fetched first when missing or about to expire.
  boost::asio::awaitable<Result<std::string, UpstreamError>> get();

  /// The upstream refused `token` (401): forget it, unless a newer one replaced it already.
  void invalidate(std::string_view token);

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
