// The JustAnswer API as seed 000 describes it: an SSO token, then questions read with
// three obligatory headers.
#include <memory>

#include "json_out.hpp"
#include "justanswer_data.hpp"
#include "routes.hpp"

namespace parley::sim {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kQuestionRoute = "/api/v2/questions/*";

std::string token_body(const std::string& token, std::chrono::seconds ttl) {
  std::string body;
  {
    json::ObjectWriter object(body);
    put_string(object, "access_token", token);
    put_int(object, "expires_in", ttl.count());
    put_string(object, "token_type", "Bearer");
    put_string(object, "scope", "externalApi.client");
  }
  return body;
}

http::Response unauthorized(std::string_view message, std::string_view challenge) {
  auto response = json_error(401, message);
  response.extra_headers.emplace_back("WWW-Authenticate", challenge);
  return response;
}

/// POST /connect/token: form-encoded client_id and client_secret.
class TokenEndpoint final : public ApiEndpoint {
 public:
  explicit TokenEndpoint(Simulator& simulator) : ApiEndpoint(simulator, std::nullopt) {}

 private:
  std::optional<Call> classify(const http::Request&) const override {
    return Call{.name = call::kJustAnswerToken};
  }

  http::Response answer(const http::Request& request, const Call&) override {
    if (!has_form_body(request)) {
      return json_error(400, "Content-Type: must be application/x-www-form-urlencoded, got '" +
                                 std::string(request.headers[bhttp::field::content_type]) + "'");
    }
    const auto client_id = http::query_parameter(request.body, "client_id");
    const auto client_secret = http::query_parameter(request.body, "client_secret");
    if (client_id.empty()) return json_error(400, "client_id: missing from the form body");
    if (client_secret.empty()) return json_error(400, "client_secret: missing from the form body");
    const auto& credentials = simulator_.options.credentials;
    if (client_id != credentials.ja_client_id || client_secret != credentials.ja_client_secret) {
      return json_error(401, "client_id/client_secret: not a known client");
    }
    const auto ttl = simulator_.options.token_ttl;
    const auto token = simulator_.state.issue_token(SimState::Clock::now() + ttl);
    return json_ok(token_body(token, ttl));
  }
};

/// GET /api/v2/questions/{questionToken}.
class QuestionEndpoint final : public ApiEndpoint {
 public:
  explicit QuestionEndpoint(Simulator& simulator) : ApiEndpoint(simulator, Platform::justanswer) {}

 private:
  static std::optional<std::string> question_of(const http::Request& request) {
    const auto tail = http::Router::wildcard(kQuestionRoute, request.path);
    if (tail.empty() || tail.find('/') != std::string_view::npos) return std::nullopt;
    return decode_segment(tail);
  }

  std::optional<Call> classify(const http::Request& request) const override {
    const auto question = question_of(request);
    if (!question) return std::nullopt;
    return Call{.name = call::kJustAnswerQuestion, .conversation = "justanswer:" + *question};
  }

  http::Response answer(const http::Request& request, const Call&) override {
    const auto token = bearer_token(request);
    if (token.empty()) {
      return unauthorized(
          "Authorization: missing; send Authorization: Bearer <access_token from /connect/token>",
          "Bearer");
    }
    if (!simulator_.state.token_valid(token, SimState::Clock::now())) {
      return unauthorized("Authorization: bearer token is unknown or expired; get a new one",
                          R"(Bearer error="invalid_token")");
    }
    const std::string_view api_key = request.headers["X-Api-Key"];
    if (api_key.empty()) return json_error(401, "X-Api-Key: missing");
    if (api_key != simulator_.options.credentials.ja_api_key) {
      return json_error(401, "X-Api-Key: not an active API key");
    }
    if (request.headers["UserIdToken"].empty()) {
      return json_error(400, "UserIdToken: missing; send the customer's userToken");
    }
    const auto question = *question_of(request);
    return json_ok(justanswer_question_json(question, simulator_.state.added_messages(question)));
  }
};

}  // namespace

void add_justanswer_routes(http::Router& router, Simulator& simulator) {
  router.add(bhttp::verb::post, "/connect/token", std::make_shared<TokenEndpoint>(simulator));
  router.add(bhttp::verb::get, std::string(kQuestionRoute),
             std::make_shared<QuestionEndpoint>(simulator));
}

}  // namespace parley::sim
