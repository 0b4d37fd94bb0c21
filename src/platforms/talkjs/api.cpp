#include "parley/platforms/talkjs/api.hpp"

#include <boost/beast/http/verb.hpp>

#include "parley/platforms/api_support.hpp"

namespace parley::enrich {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using upstream::HttpClient;
using upstream::HttpRequest;
using upstream::UpstreamError;

namespace {

class TalkJsApi final : public PlatformApi {
 public:
  TalkJsApi(const asio::any_io_executor& executor, config::TalkJsSource::Api api,
            const upstream::BaseUrl& base, const ApiOptions& options)
      : api_(std::move(api)),
        client_(executor, platforms::client_options(base, options), options.tls) {}

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
    if (!parsed) co_return platforms::unreadable("TalkJS conversation", parsed.error());
    co_return std::move(parsed).value();
  }

 private:
  asio::awaitable<Result<std::string, UpstreamError>> checked(const HttpRequest& request,
                                                              std::string_view what) {
    auto response = co_await platforms::send(client_, request, what);
    if (!response) co_return response.error();
    if (auto failed = upstream::judge(what, response.value())) co_return *failed;
    co_return std::move(response.value().body);
  }

  config::TalkJsSource::Api api_;
  HttpClient client_;
};

}  // namespace

Result<std::unique_ptr<PlatformApi>, std::string> make_talkjs_api(
    const asio::any_io_executor& executor, std::string_view source,
    const config::TalkJsSource::Api& api, const ApiOptions& options) {
  const std::string keys = "sources." + std::string(source) + ".api.";
  auto base = platforms::base_url(keys + "base_url", api.base_url);
  if (!base) return base.error();
  if (api.secret_key.empty()) return keys + "secret_key: is required for enrichment";
  return std::unique_ptr<PlatformApi>(
      std::make_unique<TalkJsApi>(executor, api, base.value(), options));
}

}  // namespace parley::enrich
