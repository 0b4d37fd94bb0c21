#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string_view>

#include "parley/common/result.hpp"
#include "parley/config/config.hpp"
#include "parley/enrich/conversation.hpp"
#include "parley/upstream/http_client.hpp"
#include "parley/upstream/token_cache.hpp"

namespace parley::enrich {

/// One platform's REST API as the enrichment stage uses it: fetch the conversation an
/// event belongs to, normalized. Calls go only to the configured base URL; ids from
/// events are percent-encoded path segments. Not thread-safe: created on the stage's
/// strand and used only from it.
class PlatformApi {
 public:
  virtual ~PlatformApi() = default;

  /// "justanswer", "cao", "talkjs" (the event's data.platform).
  virtual std::string_view platform() const = 0;

  /// Fetches the conversation of `event`. Errors say whether a retry can help; a body
  /// that does not parse is not retryable (the same body would come back).
  virtual boost::asio::awaitable<Result<FetchedConversation, upstream::UpstreamError>> fetch(
      const EventRef& event) = 0;

  /// The pool underneath, for its gauges.
  virtual const upstream::HttpClient& client() const = 0;
};

/// Shared settings of every platform client.
struct ApiOptions {
  std::chrono::milliseconds timeout{5000};  ///< connect, and each request's exchange
  std::size_t max_connections = 16;
  std::shared_ptr<boost::asio::ssl::context> tls;  ///< for https base URLs
};

// Each platform's client: make_<platform>_api in platforms/<platform>/api.hpp.

}  // namespace parley::enrich
