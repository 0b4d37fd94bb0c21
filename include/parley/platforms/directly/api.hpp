#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "parley/common/result.hpp"
#include "parley/config/config.hpp"
#include "parley/upstream/http_client.hpp"
#include "parley/upstream/retry.hpp"

namespace parley::directly {

/// Directly's REST API as the poller uses it. The seam the poller is tested through.
/// Implementations live on one strand: call them only from coroutines on it.
class DirectlyApi {
 public:
  virtual ~DirectlyApi() = default;

  /// GET /questions/{uuid}, with ?lastChecked= unless `last_checked` is empty. The body
  /// of a 200, or nullopt for a 304 (nothing changed since). A 401 refreshes the access
  /// token once and asks again.
  virtual boost::asio::awaitable<Result<std::optional<std::string>, upstream::UpstreamError>> poll(
      const std::string& uuid, const std::string& last_checked) = 0;

  /// Revokes the access token in use (POST logout_path), if there is one. Failures are
  /// logged: shutdown goes on.
  virtual boost::asio::awaitable<void> logout() = 0;

  /// The connection pool, for gauges.
  virtual const upstream::HttpClient& client() const = 0;
};

struct DirectlyApiOptions {
  std::chrono::milliseconds timeout{5000};
  std::size_t max_connections = 16;
  std::shared_ptr<boost::asio::ssl::context> tls;
};

/// The client-credentials token request of `api` (POST token_path, form-encoded,
/// grant_type=client_credentials), which the poller's client and the command sender
/// (directly/send.hpp) both send. Pure.
upstream::HttpRequest token_request(const config::DirectlySource::Api& api);

/// The client for `api` (client credentials at token_path, Bearer on every call). Fails,
/// naming the key, when base_url, client_id or client_secret is missing or malformed.
Result<std::unique_ptr<DirectlyApi>, std::string> make_directly_api(
    const boost::asio::any_io_executor& executor, std::string_view source,
    const config::DirectlySource::Api& api, const DirectlyApiOptions& options);

}  // namespace parley::directly
