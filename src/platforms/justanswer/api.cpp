#include "parley/platforms/justanswer/api.hpp"

#include <boost/beast/http/verb.hpp>

#include "parley/platforms/api_support.hpp"

namespace parley::enrich {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using upstream::HttpRequest;
using upstream::UpstreamError;

namespace {

class JustAnswerApi final : public platforms::ClientBase<config::JustAnswerSource::Api> {
 public:
  JustAnswerApi(const asio::any_io_executor& executor, config::JustAnswerSource::Api api,
                const upstream::BaseUrl& base, const ApiOptions& options)
      : ClientBase(executor, std::move(api), base, options),
        tokens_(executor, [this] { return fetch_token(); }) {}

  std::string_view platform() const override { return "justanswer"; }

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
                      {"Accept", "application/json"}},
          .replay_safe = true};
      auto response = co_await platforms::send(client_, request, kWhat);
      if (!response) co_return response.error();
      if (response.value().status == 401 && round == 0) {
        tokens_.invalidate(token.value());
        continue;
      }
      if (auto failed = upstream::judge(kWhat, response.value())) co_return *failed;
      auto parsed = parse_justanswer_question(response.value().body, event.customer_id);
      if (!parsed) co_return platforms::unreadable(kWhat, parsed.error());
      // JustAnswer echoes the question: an answer about another one is not this request's.
      if (parsed.value().id != event.conversation_id) {
        co_return UpstreamError{.message = std::string(kWhat) + ": the answer is about question '" +
                                           parsed.value().id + "', not the one asked for"};
      }
      co_return std::move(parsed).value();
    }
  }

 private:
  asio::awaitable<Result<upstream::AccessToken, UpstreamError>> fetch_token() {
    const HttpRequest request = justanswer_token_request(api_);
    co_return co_await platforms::fetch_token(client_, request, "JustAnswer POST /connect/token");
  }

  upstream::TokenCache tokens_;
};

}  // namespace

HttpRequest justanswer_token_request(const config::JustAnswerSource::Api& api) {
  return HttpRequest{.method = bhttp::verb::post,
                     .target = "/connect/token",
                     .headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                                 {"Accept", "application/json"}},
                     .body = "client_id=" + upstream::encode_path_segment(api.client_id) +
                             "&client_secret=" + upstream::encode_path_segment(api.client_secret),
                     .replay_safe = true};  // a second token request only mints another token
}

Result<std::unique_ptr<PlatformApi>, std::string> make_justanswer_api(
    const asio::any_io_executor& executor, std::string_view source,
    const config::JustAnswerSource::Api& api, const ApiOptions& options) {
  auto base = platforms::api_base_url(source, api.base_url);
  if (!base) return base.error();
  for (const auto& [key, value] :
       {std::pair{"client_id", &api.client_id}, std::pair{"client_secret", &api.client_secret},
        std::pair{"api_key", &api.api_key}}) {
    if (value->empty()) return platforms::required_for_enrichment(source, key);
  }
  return std::unique_ptr<PlatformApi>(
      std::make_unique<JustAnswerApi>(executor, api, base.value(), options));
}

}  // namespace parley::enrich
