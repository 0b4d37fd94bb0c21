#include "parley/platforms/cao/api.hpp"

#include <boost/beast/http/verb.hpp>

#include "parley/platforms/api_support.hpp"

namespace parley::enrich {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using upstream::HttpClient;
using upstream::HttpRequest;
using upstream::UpstreamError;

namespace {

class CaoApi final : public PlatformApi {
 public:
  CaoApi(const asio::any_io_executor& executor, config::CaoSource::Api api,
         const upstream::BaseUrl& base, const ApiOptions& options)
      : api_(std::move(api)),
        client_(executor, platforms::client_options(base, options), options.tls) {}

  std::string_view platform() const override { return "cao"; }
  const HttpClient& client() const override { return client_; }

  asio::awaitable<Result<FetchedConversation, UpstreamError>> fetch(
      const EventRef& event) override {
    constexpr std::string_view kWhat = "CAO GET GetTranscript";
    const HttpRequest request{
        .target = "/api/v1.0/AsyncConversation/GetTranscript/" +
                  upstream::encode_path_segment(event.conversation_id),
        .headers = {{"Authorization", "Basic " + api_.api_key}, {"Accept", "version=2"}}};
    auto response = co_await platforms::send(client_, request, kWhat);
    if (!response) co_return response.error();
    if (auto failed = upstream::judge(kWhat, response.value())) co_return *failed;
    auto parsed = parse_cao_transcript(response.value().body);
    if (!parsed) co_return platforms::unreadable(kWhat, parsed.error());
    co_return std::move(parsed).value();
  }

 private:
  config::CaoSource::Api api_;
  HttpClient client_;
};

}  // namespace

Result<std::unique_ptr<PlatformApi>, std::string> make_cao_api(
    const asio::any_io_executor& executor, std::string_view source,
    const config::CaoSource::Api& api, const ApiOptions& options) {
  const std::string keys = "sources." + std::string(source) + ".api.";
  auto base = platforms::base_url(keys + "base_url", api.base_url);
  if (!base) return base.error();
  if (api.api_key.empty()) return keys + "api_key: is required for enrichment";
  return std::unique_ptr<PlatformApi>(
      std::make_unique<CaoApi>(executor, api, base.value(), options));
}

}  // namespace parley::enrich
