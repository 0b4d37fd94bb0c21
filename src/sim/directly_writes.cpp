// Directly's writes (seed 001, PLATFORMS.md): a question asked with POST /questions (201 with
// the question in the envelope) and a response accepted with POST /responses/{uuid}/accept.
// The body of POST /questions is not documented: the simulator reads {"text", "language",
// "author":{"name"}}, the names of the question model.
#include <memory>

#include "directly_data.hpp"
#include "parley/sources/json.hpp"
#include "routes.hpp"
#include "write_endpoint.hpp"

namespace parley::sim {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kQuestionsRoute = "/questions";
constexpr std::string_view kResponsesRoute = "/responses/*";
constexpr std::string_view kAcceptSuffix = "/accept";

http::Response bad_request(const Error& error) {
  return write_failure(Platform::directly, 400, error.message);
}

/// POST /questions.
class AskEndpoint final : public WriteEndpoint {
 public:
  explicit AskEndpoint(Simulator& simulator) : WriteEndpoint(simulator, Platform::directly) {}

 private:
  std::optional<Call> classify(const http::Request&) const override {
    return Call{.route = write_route::kDirectlyQuestionPost};
  }

  Result<Commit, http::Response> prepare(const http::Request& request, const Call&) override {
    if (auto refused = refuse_directly(simulator_, request)) return std::move(*refused);
    auto object = sources::parse_object(request.body);
    if (!object) return bad_request(object.error());
    const sources::FieldReader fields(object.value());
    auto text = fields.required_string("text", sources::kMaxTextBytes);
    if (!text) return bad_request(text.error());
    auto language = fields.optional_string("language");
    if (!language) return bad_request(language.error());
    auto author = fields.optional_object("author");
    if (!author) return bad_request(author.error());
    std::string name;
    if (author.value()) {
      auto given = author.value()->optional_string("name", sources::kMaxTextBytes);
      if (!given) return bad_request(given.error());
      name = given.value().value_or("");
    }
    return Commit([this, text = std::string(text.value()),
                   language = std::string(language.value().value_or("en")),
                   name = std::move(name)]() mutable -> Result<Committed, http::Response> {
      auto [uuid, data] = simulator_.state.directly().ask(std::move(text), std::move(language),
                                                          std::move(name), directly_now());
      return Committed{.answer = http::Response{.status = 201, .body = directly_envelope(data)}};
    });
  }
};

/// POST /responses/{uuid}/accept.
class AcceptEndpoint final : public WriteEndpoint {
 public:
  explicit AcceptEndpoint(Simulator& simulator) : WriteEndpoint(simulator, Platform::directly) {}

 private:
  static std::optional<std::string> response_of(const http::Request& request) {
    auto tail = http::Router::wildcard(kResponsesRoute, request.path);
    if (!tail.ends_with(kAcceptSuffix) || tail.size() == kAcceptSuffix.size()) return {};
    tail.remove_suffix(kAcceptSuffix.size());
    if (tail.find('/') != std::string_view::npos) return {};
    return decode_segment(tail);
  }

  std::optional<Call> classify(const http::Request& request) const override {
    if (!response_of(request)) return std::nullopt;
    return Call{.route = write_route::kDirectlyResponseAccept};
  }

  Result<Commit, http::Response> prepare(const http::Request& request, const Call&) override {
    if (auto refused = refuse_directly(simulator_, request)) return std::move(*refused);
    const auto segment = *response_of(request);
    auto uuid = directly_uuid(segment);
    if (!uuid) {
      return write_failure(
          Platform::directly, 400,
          "uuid: must be a response uuid (8-4-4-4-12 hex digits), got '" + segment + "'");
    }
    return Commit([this, uuid = std::move(*uuid)]() -> Result<Committed, http::Response> {
      auto accepted = simulator_.state.directly().accept_response(uuid, directly_now());
      if (!accepted) {
        return write_failure(Platform::directly, accepted.error().status, accepted.error().message);
      }
      return Committed{.answer = json_ok(directly_envelope(accepted.value()))};
    });
  }
};

}  // namespace

void add_directly_write_routes(http::Router& router, Simulator& simulator) {
  router.add(bhttp::verb::post, std::string(kQuestionsRoute),
             std::make_shared<AskEndpoint>(simulator));
  router.add(bhttp::verb::post, std::string(kResponsesRoute),
             std::make_shared<AcceptEndpoint>(simulator));
}

}  // namespace parley::sim
