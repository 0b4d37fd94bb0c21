// The Directly messaging API: OAuth client credentials for a bearer token, then questions
// polled (Directly sends no webhooks) with lastChecked answered 304 while nothing changed.
// Answers carry Directly's envelope {"meta":{"version":"v1"},"data":...}, errors
// {"meta":...,"data":null,"error":{"message":...}}; the token route answers as OAuth does.
#include <memory>

#include "directly_data.hpp"
#include "json_out.hpp"
#include "routes.hpp"

namespace parley::sim {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kQuestionRoute = "/questions/*";
constexpr std::string_view kLastChecked = "lastChecked";

// RFC 6749 section 5.2: {"error":"<code>","error_description":"..."}.
http::Response oauth_error(unsigned status, std::string_view code, std::string_view description) {
  std::string body;
  {
    json::ObjectWriter object(body);
    put_string(object, "error", code);
    put_string(object, "error_description", description);
  }
  return http::Response{.status = status, .body = std::move(body)};
}

http::Response directly_error(unsigned status, std::string_view message) {
  return http::Response{.status = status, .body = directly_error_json(message)};
}

}  // namespace

std::optional<http::Response> refuse_directly(Simulator& simulator, const http::Request& request) {
  const auto token = bearer_token(request);
  if (token.empty()) {
    auto response = directly_error(
        401, "Authorization: missing; send Authorization: Bearer <access_token from /oauth/token>");
    response.extra_headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
  }
  if (!simulator.state.directly().token_valid(token, DirectlyState::Clock::now())) {
    auto response = directly_error(
        401, "Authorization: bearer token is unknown, expired or logged out; get a new one");
    response.extra_headers.emplace_back("WWW-Authenticate", R"(Bearer error="invalid_token")");
    return response;
  }
  return std::nullopt;
}

namespace {

// The raw value of query parameter `name` is present, even empty ("lastChecked=").
bool has_query_parameter(std::string_view query, std::string_view name) {
  for (std::size_t start = 0; start <= query.size();) {
    const auto end = std::min(query.find('&', start), query.size());
    const auto pair = query.substr(start, end - start);
    if (pair.substr(0, pair.find('=')) == name) return true;
    start = end + 1;
  }
  return false;
}

/// POST /oauth/token: grant_type=client_credentials with client_id and client_secret.
class TokenEndpoint final : public ApiEndpoint {
 public:
  explicit TokenEndpoint(Simulator& simulator) : ApiEndpoint(simulator, std::nullopt) {}

 private:
  std::optional<Call> classify(const http::Request&) const override {
    return Call{.name = call::kDirectlyToken};
  }

  http::Response answer(const http::Request& request, const Call&) override {
    if (!has_form_body(request)) {
      return oauth_error(400, "invalid_request",
                         "Content-Type: must be application/x-www-form-urlencoded, got '" +
                             std::string(request.headers[bhttp::field::content_type]) + "'");
    }
    const auto grant_type = http::query_parameter(request.body, "grant_type");
    if (grant_type.empty()) {
      return oauth_error(400, "invalid_request", "grant_type: missing from the form body");
    }
    if (grant_type != "client_credentials") {
      return oauth_error(400, "unsupported_grant_type",
                         "grant_type: must be client_credentials, got '" + grant_type + "'");
    }
    const auto client_id = http::query_parameter(request.body, "client_id");
    const auto client_secret = http::query_parameter(request.body, "client_secret");
    if (client_id.empty()) {
      return oauth_error(400, "invalid_request", "client_id: missing from the form body");
    }
    if (client_secret.empty()) {
      return oauth_error(400, "invalid_request", "client_secret: missing from the form body");
    }
    const auto& credentials = simulator_.options.credentials;
    if (client_id != credentials.directly_client_id ||
        client_secret != credentials.directly_client_secret) {
      return oauth_error(401, "invalid_client", "client_id/client_secret: not a known client");
    }
    const auto ttl = simulator_.options.token_ttl;
    const auto token = simulator_.state.directly().issue_token(DirectlyState::Clock::now() + ttl);
    std::string body;
    {
      json::ObjectWriter object(body);
      put_string(object, "access_token", token);
      put_string(object, "token_type", "bearer");
      put_int(object, "expires_in", ttl.count());
    }
    return json_ok(std::move(body));
  }
};

/// POST /oauth/logout: revokes the bearer token it is sent with.
class LogoutEndpoint final : public ApiEndpoint {
 public:
  explicit LogoutEndpoint(Simulator& simulator) : ApiEndpoint(simulator, std::nullopt) {}

 private:
  std::optional<Call> classify(const http::Request&) const override {
    return Call{.name = call::kDirectlyLogout};
  }

  http::Response answer(const http::Request& request, const Call&) override {
    if (auto refused = refuse_directly(simulator_, request)) return std::move(*refused);
    const auto token = bearer_token(request);
    // Another request may have logged the same token out since the check.
    if (!simulator_.state.directly().revoke_token(token, DirectlyState::Clock::now())) {
      return directly_error(401, "Authorization: bearer token is already logged out");
    }
    return json_ok(directly_envelope(R"({"loggedOut":true})"));
  }
};

/// GET /questions/{uuid}[?lastChecked=<ISO-8601 UTC>].
class QuestionEndpoint final : public ApiEndpoint {
 public:
  explicit QuestionEndpoint(Simulator& simulator) : ApiEndpoint(simulator, Platform::directly) {}

 private:
  static std::optional<std::string> segment_of(const http::Request& request) {
    const auto tail = http::Router::wildcard(kQuestionRoute, request.path);
    if (tail.empty() || tail.find('/') != std::string_view::npos) return std::nullopt;
    return decode_segment(tail);
  }

  std::optional<Call> classify(const http::Request& request) const override {
    const auto segment = segment_of(request);
    if (!segment) return std::nullopt;
    return Call{.name = call::kDirectlyQuestion,
                .conversation = "directly:" + directly_uuid(*segment).value_or(*segment)};
  }

  http::Response answer(const http::Request& request, const Call&) override {
    if (auto refused = refuse_directly(simulator_, request)) return std::move(*refused);
    const auto token = bearer_token(request);
    const auto segment = *segment_of(request);
    const auto uuid = directly_uuid(segment);
    if (!uuid) {
      return directly_error(
          400, "uuid: must be a question uuid (8-4-4-4-12 hex digits), got '" + segment + "'");
    }
    std::optional<DirectlyTime> last_checked;
    if (has_query_parameter(request.query, kLastChecked)) {
      const auto text = http::query_parameter(request.query, kLastChecked);
      last_checked = parse_directly_time(text);
      if (!last_checked) {
        return directly_error(400,
                              "lastChecked: must be an ISO-8601 UTC time like "
                              "2026-11-21T10:00:00.123Z, got '" +
                                  text + "'");
      }
    }
    auto poll = simulator_.state.directly().poll(*uuid, token, last_checked, directly_now());
    if (!poll.modified) return http::Response{.status = 304};
    return json_ok(directly_envelope(poll.data));
  }

  void answered(const Call&, unsigned status) override {
    simulator_.state.directly().record_poll_status(status);
  }
};

}  // namespace

void add_directly_routes(http::Router& router, Simulator& simulator) {
  router.add(bhttp::verb::post, "/oauth/token", std::make_shared<TokenEndpoint>(simulator));
  router.add(bhttp::verb::post, "/oauth/logout", std::make_shared<LogoutEndpoint>(simulator));
  router.add(bhttp::verb::get, std::string(kQuestionRoute),
             std::make_shared<QuestionEndpoint>(simulator));
  add_directly_write_routes(router, simulator);
}

}  // namespace parley::sim
