// The JustAnswer API as seed 000 describes it: an SSO token, then questions read (and,
// justanswer_writes.cpp, written) with three obligatory headers.
#include <charconv>
#include <memory>

#include "json_out.hpp"
#include "justanswer_data.hpp"
#include "routes.hpp"

namespace parley::sim {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kQuestionRoute = "/api/v2/questions/*";
constexpr std::size_t kMaxPage = 1000000;
constexpr std::size_t kMaxPageSize = 100;

// A query parameter's value as an integer in [1, max]; `fallback` when absent.
std::optional<std::size_t> page_parameter(std::string_view text, std::size_t fallback,
                                          std::size_t max) {
  if (text.empty()) return fallback;
  std::size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > max) {
    return std::nullopt;
  }
  return value;
}

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
    if (auto refused = refuse_justanswer(simulator_, request)) return std::move(*refused);
    const auto question = *question_of(request);
    return json_ok(
        justanswer_question_json(question, simulator_.state.justanswer().question(question)));
  }
};

/// GET /api/v2/questions?page=&pageSize=: the customer's (UserIdToken's) posted questions.
class QuestionsEndpoint final : public ApiEndpoint {
 public:
  explicit QuestionsEndpoint(Simulator& simulator) : ApiEndpoint(simulator, Platform::justanswer) {}

 private:
  std::optional<Call> classify(const http::Request&) const override {
    return Call{.name = call::kJustAnswerQuestions};
  }

  http::Response answer(const http::Request& request, const Call&) override {
    if (auto refused = refuse_justanswer(simulator_, request)) return std::move(*refused);
    const auto page = page_parameter(http::query_parameter(request.query, "page"), 1, kMaxPage);
    // The seed's example writes pageSize, its parameter table pagesize.
    auto size_text = http::query_parameter(request.query, "pageSize");
    if (size_text.empty()) size_text = http::query_parameter(request.query, "pagesize");
    const auto page_size = page_parameter(size_text, 20, kMaxPageSize);
    if (!page)
      return json_error(400, "page: must be an integer from 1 to " + std::to_string(kMaxPage));
    if (!page_size) {
      return json_error(400,
                        "pageSize: must be an integer from 1 to " + std::to_string(kMaxPageSize));
    }
    const std::string customer(request.headers["UserIdToken"]);
    const auto questions = simulator_.state.justanswer().questions_of(customer);
    return json_ok(justanswer_questions_json(questions, *page, *page_size));
  }
};

}  // namespace

std::optional<http::Response> refuse_justanswer(Simulator& simulator,
                                                const http::Request& request) {
  const auto token = bearer_token(request);
  if (token.empty()) {
    return unauthorized(
        "Authorization: missing; send Authorization: Bearer <access_token from /connect/token>",
        "Bearer");
  }
  if (!simulator.state.token_valid(token, SimState::Clock::now())) {
    return unauthorized("Authorization: bearer token is unknown or expired; get a new one",
                        R"(Bearer error="invalid_token")");
  }
  const std::string_view api_key = request.headers["X-Api-Key"];
  if (api_key.empty()) return json_error(401, "X-Api-Key: missing");
  if (api_key != simulator.options.credentials.ja_api_key) {
    return json_error(401, "X-Api-Key: not an active API key");
  }
  if (request.headers["UserIdToken"].empty()) {
    return json_error(400, "UserIdToken: missing; send the customer's userToken");
  }
  return std::nullopt;
}

void add_justanswer_routes(http::Router& router, Simulator& simulator) {
  router.add(bhttp::verb::post, "/connect/token", std::make_shared<TokenEndpoint>(simulator));
  router.add(bhttp::verb::get, std::string(kQuestionRoute),
             std::make_shared<QuestionEndpoint>(simulator));
  router.add(bhttp::verb::get, "/api/v2/questions", std::make_shared<QuestionsEndpoint>(simulator));
  add_justanswer_write_routes(router, simulator);
}

}  // namespace parley::sim
