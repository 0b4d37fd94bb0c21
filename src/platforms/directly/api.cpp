#include "parley/platforms/directly/api.hpp"

#include <boost/beast/http/verb.hpp>

#include "parley/log/log.hpp"
#include "parley/platforms/api_support.hpp"
#include "parley/upstream/token_cache.hpp"

namespace parley::directly {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using upstream::HttpRequest;
using upstream::UpstreamError;

/// A configured path relative to base_url, as a request target.
std::string target_of(const std::string& path) {
  return path.starts_with('/') ? path : "/" + path;
}

class HttpDirectlyApi final : public DirectlyApi {
 public:
  HttpDirectlyApi(const asio::any_io_executor& executor, config::DirectlySource::Api api,
                  const upstream::BaseUrl& base, const DirectlyApiOptions& options)
      : api_(std::move(api)),
        client_(executor,
                upstream::HttpClientOptions{.base = base,
                                            .connect_timeout = options.timeout,
                                            .request_timeout = options.timeout,
                                            .max_connections = options.max_connections,
                                            .max_idle = options.max_connections},
                options.tls),
        tokens_(executor, [this] { return fetch_token(); }) {}

  asio::awaitable<Result<std::optional<std::string>, UpstreamError>> poll(
      const std::string& uuid, const std::string& last_checked) override {
    constexpr std::string_view kWhat = "Directly GET /questions";
    std::string target = "/questions/" + upstream::encode_path_segment(uuid);
    if (!last_checked.empty()) {
      target += "?lastChecked=" + upstream::encode_path_segment(last_checked);
    }
    // One retry after a 401: the token may have been revoked or expired early.
    for (int round = 0;; ++round) {
      auto token = co_await tokens_.get();
      if (!token) co_return token.error();
      const HttpRequest request{
          .target = target,
          .headers = {{"Authorization", "Bearer " + token.value()}, {"Accept", "application/json"}},
          .replay_safe = true};
      auto answered = co_await platforms::send(client_, request, kWhat);
      if (!answered) co_return answered.error();
      auto& response = answered.value();
      if (response.status == 401 && round == 0) {
        tokens_.invalidate(token.value());
        continue;
      }
      if (response.status == 304) co_return std::optional<std::string>{};
      if (auto failed = upstream::judge(kWhat, response)) co_return *failed;
      co_return std::optional<std::string>(std::move(response.body));
    }
  }

  asio::awaitable<void> logout() override {
    const auto token = tokens_.current();
    if (!token) co_return;
    const HttpRequest request{
        .method = bhttp::verb::post,
        .target = target_of(api_.logout_path),
        .headers = {{"Authorization", "Bearer " + *token}, {"Accept", "application/json"}},
        .replay_safe = true};  // revoking twice revokes once
    auto answered = co_await client_.send(request);
    if (!answered) {
      log::warn("directly logout failed", {{"error", answered.error().message}});
      co_return;
    }
    if (auto failed = upstream::judge("Directly POST " + request.target, answered.value())) {
      log::warn("directly logout refused", {{"error", failed->message}});
      co_return;
    }
    tokens_.invalidate(*token);
    log::info("directly access token revoked", {{"path", request.target}});
  }

  const upstream::HttpClient& client() const override { return client_; }

 private:
  asio::awaitable<Result<upstream::AccessToken, UpstreamError>> fetch_token() {
    const HttpRequest request = token_request(api_);
    const std::string what = "Directly POST " + request.target;
    co_return co_await platforms::fetch_token(client_, request, what);
  }

  config::DirectlySource::Api api_;
  upstream::HttpClient client_;
  upstream::TokenCache tokens_;
};

}  // namespace

HttpRequest token_request(const config::DirectlySource::Api& api) {
  return HttpRequest{.method = bhttp::verb::post,
                     .target = target_of(api.token_path),
                     .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                                 {"Accept", "application/json"}},
                     .body = "grant_type=client_credentials&client_id=" +
                             upstream::encode_path_segment(api.client_id) +
                             "&client_secret=" + upstream::encode_path_segment(api.client_secret),
                     .replay_safe = true};  // a second token request only mints another token
}

Result<std::unique_ptr<DirectlyApi>, std::string> make_directly_api(
    const asio::any_io_executor& executor, std::string_view source,
    const config::DirectlySource::Api& api, const DirectlyApiOptions& options) {
  const auto key = [source](std::string_view name) {
    return "sources." + std::string(source) + ".api." + std::string(name);
  };
  if (api.base_url.empty()) return key("base_url") + ": is required to poll watched questions";
  auto base = upstream::parse_base_url(api.base_url);
  if (!base) return key("base_url") + ": " + base.error();
  if (api.client_id.empty()) return key("client_id") + ": is required to get an access token";
  if (api.client_secret.empty()) {
    return key("client_secret") + ": is required to get an access token";
  }
  return std::unique_ptr<DirectlyApi>(
      std::make_unique<HttpDirectlyApi>(executor, api, base.value(), options));
}

}  // namespace parley::directly
