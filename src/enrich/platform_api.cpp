#include "parley/enrich/platform_api.hpp"

#include <simdjson.h>

#include <boost/beast/http/verb.hpp>

namespace parley::enrich {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using upstream::HttpClient;
using upstream::HttpRequest;
using upstream::UpstreamError;

namespace {

upstream::HttpClientOptions client_options(const upstream::BaseUrl& base,
                                           const ApiOptions& options) {
  return upstream::HttpClientOptions{.base = base,
                                     .connect_timeout = options.timeout,
                                     .request_timeout = options.timeout,
                                     .max_connections = options.max_connections,
                                     .max_idle = options.max_connections};
}

Result<upstream::BaseUrl, std::string> base_url(std::string_view key, const std::string& url) {
  if (url.empty()) return std::string(key) + ": is required for enrichment";
  auto parsed = upstream::parse_base_url(url);
  if (!parsed) return std::string(key) + ": " + parsed.error();
  return parsed;
}

/// The answer of one GET, or why there is none.
asio::awaitable<Result<upstream::HttpResponse, UpstreamError>> get(HttpClient& client,
                                                                   const HttpRequest& request,
                                                                   std::string_view what) {
  auto answered = co_await client.send(request);
  if (!answered) co_return UpstreamError{.message = std::string(what) + ": " + answered.error()};
  co_return std::move(answered).value();
}

UpstreamError unreadable(std::string_view what, const std::string& problem) {
  return UpstreamError{.message = std::string(what) + " unreadable: " + problem,
                       .retryable = false};
}

std::string form_encode(std::string_view value) {
  return upstream::encode_path_segment(value);
}

class JustAnswerApi final : public PlatformApi {
 public:
  JustAnswerApi(const asio::any_io_executor& executor, config::JustAnswerSource::Api api,
                const upstream::BaseUrl& base, const ApiOptions& options)
      : api_(std::move(api)),
        client_(executor, client_options(base, options), options.tls),
        tokens_(executor, [this] { return fetch_token(); }) {}

  std::string_view platform() const override { return "justanswer"; }
  const HttpClient& client() const override { return client_; }

  asio::awaitable<Result<FetchedConversation, UpstreamError>> fetch(
      const EventRef& event) override {
    if (event.customer_id.empty()) {
      co_return UpstreamError{.message =
                                  "data.conversation.customerId is empty: JustAnswer's "
                                  "API needs the webhook's userToken",
                              .retryable = false};
    }
    constexpr std::string_view kWhat = "JustAnswer GET /api/v2/questions";
    // One retry after a 401: the token may have been revoked or expired early.
    for (int round = 0;; ++round) {
      auto token = co_await tokens_.get();
      if (!token) co_return token.error();
      const HttpRequest request{
          .target = "/api/v2/questions/" + upstream::encode_path_segment(event.conversation_id),
          .headers = {{"Authorization", "Bearer " + token.value()},
                      {"X-Api-Key", api_.api_key},
                      {"UserIdToken", event.customer_id},
                      {"Accept", "application/json"}}};
      auto response = co_await get(client_, request, kWhat);
      if (!response) co_return response.error();
      if (response.value().status == 401 && round == 0) {
        tokens_.invalidate(token.value());
        continue;
      }
      if (auto failed = upstream::judge(kWhat, response.value())) co_return *failed;
      auto parsed = parse_justanswer_question(response.value().body, event.customer_id);
      if (!parsed) co_return unreadable(kWhat, parsed.error());
      co_return std::move(parsed).value();
    }
  }

 private:
  asio::awaitable<Result<upstream::AccessToken, UpstreamError>> fetch_token() {
    constexpr std::string_view kWhat = "JustAnswer POST /connect/token";
    const HttpRequest request{.method = bhttp::verb::post,
                              .target = "/connect/token",
                              .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                                          {"Accept", "application/json"}},
                              .body = "client_id=" + form_encode(api_.client_id) +
                                      "&client_secret=" + form_encode(api_.client_secret)};
    auto response = co_await get(client_, request, kWhat);
    if (!response) co_return response.error();
    if (auto failed = upstream::judge(kWhat, response.value())) co_return *failed;
    co_return upstream::parse_token_response(kWhat, response.value().body);
  }

  config::JustAnswerSource::Api api_;
  HttpClient client_;
  upstream::TokenCache tokens_;
};

class CaoApi final : public PlatformApi {
 public:
  CaoApi(const asio::any_io_executor& executor, config::CaoSource::Api api,
         const upstream::BaseUrl& base, const ApiOptions& options)
      : api_(std::move(api)), client_(executor, client_options(base, options), options.tls) {}

  std::string_view platform() const override { return "cao"; }
  const HttpClient& client() const override { return client_; }

  asio::awaitable<Result<FetchedConversation, UpstreamError>> fetch(
      const EventRef& event) override {
    constexpr std::string_view kWhat = "CAO GET GetTranscript";
    const HttpRequest request{
        .target = "/api/v1.0/AsyncConversation/GetTranscript/" +
                  upstream::encode_path_segment(event.conversation_id),
        .headers = {{"Authorization", "Basic " + api_.api_key}, {"Accept", "version=2"}}};
    auto response = co_await get(client_, request, kWhat);
    if (!response) co_return response.error();
    if (auto failed = upstream::judge(kWhat, response.value())) co_return *failed;
    auto parsed = parse_cao_transcript(response.value().body);
    if (!parsed) co_return unreadable(kWhat, parsed.error());
    co_return std::move(parsed).value();
  }

 private:
  config::CaoSource::Api api_;
  HttpClient client_;
};

class TalkJsApi final : public PlatformApi {
 public:
  TalkJsApi(const asio::any_io_executor& executor, config::TalkJsSource::Api api,
            const upstream::BaseUrl& base, const ApiOptions& options)
      : api_(std::move(api)), client_(executor, client_options(base, options), options.tls) {}

  std::string_view platform() const override { return "talkjs"; }
  const HttpClient& client() const override { return client_; }

  asio::awaitable<Result<FetchedConversation, UpstreamError>> fetch(
      const EventRef& event) override {
    const auto path = "/v1/" + upstream::encode_path_segment(api_.app_id) + "/conversations/" +
                      upstream::encode_path_segment(event.conversation_id);
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"Authorization", "Bearer " + api_.secret_key}, {"Accept", "application/json"}};
    const HttpRequest conversation_request{.target = path, .headers = headers};
    auto conversation = co_await checked(conversation_request, "TalkJS GET conversation");
    if (!conversation) co_return conversation.error();
    // The most recent page; TalkJS's cursor parameter for older pages is unconfirmed.
    const HttpRequest messages_request{.target = path + "/messages?limit=100", .headers = headers};
    auto messages = co_await checked(messages_request, "TalkJS GET messages");
    if (!messages) co_return messages.error();
    auto parsed = parse_talkjs_conversation(conversation.value(), messages.value());
    if (!parsed) co_return unreadable("TalkJS conversation", parsed.error());
    co_return std::move(parsed).value();
  }

 private:
  asio::awaitable<Result<std::string, UpstreamError>> checked(const HttpRequest& request,
                                                              std::string_view what) {
    auto response = co_await get(client_, request, what);
    if (!response) co_return response.error();
    if (auto failed = upstream::judge(what, response.value())) co_return *failed;
    co_return std::move(response.value().body);
  }

  config::TalkJsSource::Api api_;
  HttpClient client_;
};

}  // namespace

Result<std::unique_ptr<PlatformApi>, std::string> make_justanswer_api(
    const asio::any_io_executor& executor, std::string_view source,
    const config::JustAnswerSource::Api& api, const ApiOptions& options) {
  const std::string keys = "sources." + std::string(source) + ".api.";
  auto base = base_url(keys + "base_url", api.base_url);
  if (!base) return base.error();
  for (const auto& [key, value] :
       {std::pair{"client_id", &api.client_id}, std::pair{"client_secret", &api.client_secret},
        std::pair{"api_key", &api.api_key}}) {
    if (value->empty()) return keys + key + ": is required for enrichment";
  }
  return std::unique_ptr<PlatformApi>(
      std::make_unique<JustAnswerApi>(executor, api, base.value(), options));
}

Result<std::unique_ptr<PlatformApi>, std::string> make_cao_api(
    const asio::any_io_executor& executor, std::string_view source,
    const config::CaoSource::Api& api, const ApiOptions& options) {
  const std::string keys = "sources." + std::string(source) + ".api.";
  auto base = base_url(keys + "base_url", api.base_url);
  if (!base) return base.error();
  if (api.api_key.empty()) return keys + "api_key: is required for enrichment";
  return std::unique_ptr<PlatformApi>(
      std::make_unique<CaoApi>(executor, api, base.value(), options));
}

Result<std::unique_ptr<PlatformApi>, std::string> make_talkjs_api(
    const asio::any_io_executor& executor, std::string_view source,
    const config::TalkJsSource::Api& api, const ApiOptions& options) {
  const std::string keys = "sources." + std::string(source) + ".api.";
  auto base = base_url(keys + "base_url", api.base_url);
  if (!base) return base.error();
  if (api.secret_key.empty()) return keys + "secret_key: is required for enrichment";
  return std::unique_ptr<PlatformApi>(
      std::make_unique<TalkJsApi>(executor, api, base.value(), options));
}

}  // namespace parley::enrich
