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

asio::awaitable<Result<upstream::AccessToken, upstream::UpstreamError>> fetch_token(
    upstream::HttpClient& client, const upstream::HttpRequest& request, std::string_view what) {
  auto body = co_await fetch_body(client, request, what);
  if (!body) co_return body.error();
  co_return upstream::parse_token_response(what, body.value());
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

std::string required_to_send(std::string_view source, std::string_view key) {
  return "sources." + std::string(source) + ".api." + std::string(key) +
         ": is required to send commands";
}

asio::awaitable<Result<SendAnswer, upstream::UpstreamError>> send_with_token(
    upstream::HttpClient& client, upstream::TokenCache& tokens, RequestWithToken build) {
  for (int round = 0;; ++round) {
    auto token = co_await tokens.get();
    if (!token) co_return token.error();
    const upstream::HttpRequest request = build(token.value());
    auto answer = co_await client.send(request);
    // The token may have been revoked or expired early; a 401 performed nothing.
    if (answer && answer.value().status == 401 && round == 0) {
      tokens.invalidate(token.value());
      continue;
    }
    co_return std::move(answer);
  }
}

commands::CallOutcome token_outcome(std::string_view what, const upstream::UpstreamError& error) {
  using Kind = commands::CallOutcome::Kind;
  return commands::CallOutcome{
      .kind = error.retryable ? Kind::retry_later : Kind::unauthorized,
      .status = error.status,
      .message = std::string(what) + ": not sent, no access token: " + error.message,
      .retry_after = error.retry_after};
}

commands::ReadBack read_back(commands::ReadBack::Kind kind, std::string checked,
                             commands::PlatformIds ids) {
  return commands::ReadBack{.kind = kind, .ids = std::move(ids), .checked = std::move(checked)};
}

std::optional<commands::ReadBack> failed_read(std::string_view what, const SendAnswer& answer) {
  using Kind = commands::ReadBack::Kind;
  // A read changes nothing, so it is judged as an idempotent call: it never leaves a doubt.
  auto judged = commands::judge_call(what, answer, /*idempotent=*/true);
  switch (judged.kind) {
    case commands::CallOutcome::Kind::done:
      return std::nullopt;
    case commands::CallOutcome::Kind::retry_later: {
      auto later = read_back(Kind::retry_later, std::move(judged.message));
      later.retry_after = judged.retry_after;
      return later;
    }
    default:
      return read_back(Kind::undecided, std::move(judged.message));
  }
}

commands::ReadBack token_read_back(std::string_view what, const upstream::UpstreamError& error) {
  auto read = read_back(
      error.retryable ? commands::ReadBack::Kind::retry_later : commands::ReadBack::Kind::undecided,
      std::string(what) + ": not read, no access token: " + error.message);
  read.retry_after = error.retry_after;
  return read;
}

commands::CallOutcome judge_write_body(std::string_view what, const SendAnswer& answer,
                                       const WriteBody& body) {
  auto outcome = commands::judge_call(what, answer, /*idempotent=*/false);
  if (!answer) return outcome;
  auto object = sources::parse_object(answer.value().body);
  if (!object) {
    if (outcome.kind == commands::CallOutcome::Kind::done) {
      outcome.message = "performed, but the answer is not JSON: " + object.error().message;
    }
    return outcome;
  }
  const sources::FieldReader root(object.value());
  if (auto refused = body.refused(root)) {
    if (outcome.kind == commands::CallOutcome::Kind::done) {
      outcome.kind = commands::CallOutcome::Kind::rejected;
      outcome.message = std::string(what) + " answered " + std::to_string(outcome.status);
    }
    outcome.message += ": " + std::string(body.says) + " " + *refused;
    return outcome;
  }
  if (outcome.kind == commands::CallOutcome::Kind::done) {
    outcome.ids = body.ids(root, outcome.message);
  }
  return outcome;
}

std::string_view trim_blanks(std::string_view text) {
  constexpr std::string_view kBlanks = " \t\r\n";
  const auto first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kBlanks) - first + 1);
}

}  // namespace parley::platforms
