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

/// The client of the source named `source` (sources.<source>.api); errors name the key
/// ("sources.cao-eu.api.base_url: must start with http:// or https://").
Result<std::unique_ptr<PlatformApi>, std::string> make_justanswer_api(
    const boost::asio::any_io_executor& executor, std::string_view source,
    const config::JustAnswerSource::Api& api, const ApiOptions& options);
Result<std::unique_ptr<PlatformApi>, std::string> make_cao_api(
    const boost::asio::any_io_executor& executor, std::string_view source,
    const config::CaoSource::Api& api, const ApiOptions& options);
Result<std::unique_ptr<PlatformApi>, std::string> make_talkjs_api(
    const boost::asio::any_io_executor& executor, std::string_view source,
    const config::TalkJsSource::Api& api, const ApiOptions& options);

}  // namespace parley::enrich
