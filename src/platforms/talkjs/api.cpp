#include "parley/platforms/talkjs/api.hpp"

#include "parley/platforms/api_support.hpp"

namespace parley::enrich {

namespace asio = boost::asio;
using upstream::HttpRequest;
using upstream::UpstreamError;

namespace {

class TalkJsApi final : public platforms::ClientBase<config::TalkJsSource::Api> {
 public:
  using ClientBase::ClientBase;

  std::string_view platform() const override { return "talkjs"; }

  asio::awaitable<Result<FetchedConversation, UpstreamError>> fetch(
      const EventRef& event) override {
    const auto path = "/v1/" + upstream::encode_path_segment(api_.app_id) + "/conversations/" +
                      upstream::encode_path_segment(event.conversation_id);
    const std::vector<std::pair<std::string, std::string>> headers = {
        {"Authorization", "Bearer " + api_.secret_key}, {"Accept", "application/json"}};
    const HttpRequest conversation_request{.target = path, .headers = headers, .replay_safe = true};
    auto conversation =
        co_await platforms::fetch_body(client_, conversation_request, "TalkJS GET conversation");
    if (!conversation) co_return conversation.error();
    // The most recent page; TalkJS's cursor parameter for older pages is unconfirmed.
    const HttpRequest messages_request{
        .target = path + "/messages?limit=100", .headers = headers, .replay_safe = true};
    auto messages =
        co_await platforms::fetch_body(client_, messages_request, "TalkJS GET messages");
    if (!messages) co_return messages.error();
    auto parsed = parse_talkjs_conversation(conversation.value(), messages.value());
    if (!parsed) co_return platforms::unreadable("TalkJS conversation", parsed.error());
    // TalkJS echoes the conversation: an answer about another one is not this request's.
    if (parsed.value().id != event.conversation_id) {
      co_return UpstreamError{.message =
                                  "TalkJS GET conversation: the answer is about "
                                  "conversation '" +
                                  parsed.value().id + "', not the one asked for"};
    }
    co_return std::move(parsed).value();
  }
};

}  // namespace

Result<std::unique_ptr<PlatformApi>, std::string> make_talkjs_api(
    const asio::any_io_executor& executor, std::string_view source,
    const config::TalkJsSource::Api& api, const ApiOptions& options) {
  auto base = platforms::api_base_url(source, api.base_url);
  if (!base) return base.error();
  if (api.secret_key.empty()) return platforms::required_for_enrichment(source, "secret_key");
  return std::unique_ptr<PlatformApi>(
      std::make_unique<TalkJsApi>(executor, api, base.value(), options));
}

}  // namespace parley::enrich
