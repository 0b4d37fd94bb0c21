#include "parley/platforms/cao/api.hpp"

#include "parley/platforms/api_support.hpp"

namespace parley::enrich {

namespace asio = boost::asio;
using upstream::HttpRequest;
using upstream::UpstreamError;

namespace {

class CaoApi final : public platforms::ClientBase<config::CaoSource::Api> {
 public:
  using ClientBase::ClientBase;

  std::string_view platform() const override { return "cao"; }

  asio::awaitable<Result<FetchedConversation, UpstreamError>> fetch(
      const EventRef& event) override {
    constexpr std::string_view kWhat = "CAO GET GetTranscript";
    const HttpRequest request{
        .target = "/api/v1.0/AsyncConversation/GetTranscript/" +
                  upstream::encode_path_segment(event.conversation_id),
        .headers = {{"Authorization", "Basic " + api_.api_key}, {"Accept", "version=2"}},
        .replay_safe = true};
    auto body = co_await platforms::fetch_body(client_, request, kWhat);
    if (!body) co_return body.error();
    auto parsed = parse_cao_transcript(body.value());
    if (!parsed) co_return platforms::unreadable(kWhat, parsed.error());
    co_return std::move(parsed).value();
  }
};

}  // namespace

Result<std::unique_ptr<PlatformApi>, std::string> make_cao_api(
    const asio::any_io_executor& executor, std::string_view source,
    const config::CaoSource::Api& api, const ApiOptions& options) {
  auto base = platforms::api_base_url(source, api.base_url);
  if (!base) return base.error();
  if (api.api_key.empty()) return platforms::required_for_enrichment(source, "api_key");
  return std::unique_ptr<PlatformApi>(
      std::make_unique<CaoApi>(executor, api, base.value(), options));
}

}  // namespace parley::enrich
