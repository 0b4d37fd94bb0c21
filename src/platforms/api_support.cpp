#include "parley/platforms/api_support.hpp"

namespace parley::platforms {

namespace asio = boost::asio;

upstream::HttpClientOptions client_options(const upstream::BaseUrl& base,
                                           const enrich::ApiOptions& options) {
  return upstream::HttpClientOptions{.base = base,
                                     .connect_timeout = options.timeout,
                                     .request_timeout = options.timeout,
                                     .max_connections = options.max_connections,
                                     .max_idle = options.max_connections};
}

std::string required_for_enrichment(std::string_view source, std::string_view key) {
  return "sources." + std::string(source) + ".api." + std::string(key) +
         ": is required for enrichment";
}

Result<upstream::BaseUrl, std::string> api_base_url(std::string_view source,
                                                    const std::string& url) {
  if (url.empty()) return required_for_enrichment(source, "base_url");
  auto parsed = upstream::parse_base_url(url);
  if (!parsed) return "sources." + std::string(source) + ".api.base_url: " + parsed.error();
  return parsed;
}

asio::awaitable<Result<upstream::HttpResponse, upstream::UpstreamError>> send(
    upstream::HttpClient& client, const upstream::HttpRequest& request, std::string_view what) {
  auto answered = co_await client.send(request);
  if (!answered) {
    // A request parley refuses to send is refused the same way on every try.
    co_return upstream::UpstreamError{
        .message = std::string(what) + ": " + answered.error().message,
        .retryable = answered.error().kind != upstream::SendError::Kind::refused};
  }
  co_return std::move(answered).value();
}

asio::awaitable<Result<std::string, upstream::UpstreamError>> fetch_body(
    upstream::HttpClient& client, const upstream::HttpRequest& request, std::string_view what) {
  auto response = co_await send(client, request, what);
  if (!response) co_return response.error();
  if (auto failed = upstream::judge(what, response.value())) co_return *failed;
  co_return std::move(response.value().body);
}

upstream::UpstreamError unreadable(std::string_view what, const std::string& problem) {
  return upstream::UpstreamError{.message = std::string(what) + " unreadable: " + problem,
                                 .retryable = false};
}

Result<simdjson::dom::object, Error> parse_body(std::string_view body, std::string_view what) {
  auto object = sources::parse_object(std::string(body));
  if (!object) return Error{object.error().code, std::string(what) + ": " + object.error().message};
  return object.value();
}

Result<events::Attachment, Error> read_attachment(const sources::FieldReader& attachment,
                                                  std::string_view name_field) {
  auto url = attachment.required_string("url", sources::kMaxUrlBytes);
  if (!url) return url.error();
  auto name = sources::string_or_empty(attachment, name_field);
  if (!name) return name.error();
  return events::Attachment{.url = std::string(url.value()), .name = std::move(name).value()};
}

Result<enrich::FetchedConversation, std::string> with_message(
    Result<enrich::FetchedConversation, Error> read) {
  if (!read) return read.error().message;
  return std::move(read).value();
}

}  // namespace parley::platforms
