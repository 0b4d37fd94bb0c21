// JustAnswer's writes as seed 000 describes them: a customer's question posted, messages
// added, an answer accepted, rated, messages read. Answers are {status, message, data};
// refusals {status:false, message} (PLATFORMS.md: possibly with HTTP 200, which the
// failure_body write fault simulates).
#include <charconv>
#include <memory>

#include "json_out.hpp"
#include "parley/sources/json.hpp"
#include "routes.hpp"
#include "write_endpoint.hpp"

namespace parley::sim {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kPostRoute = "/api/v2/questions/post";
constexpr std::string_view kQuestionRoute = "/api/v2/questions/*";
constexpr std::int64_t kMinRating = 1;
constexpr std::int64_t kMaxRating = 5;

/// What a path under /api/v2/questions/ names.
struct Target {
  std::string question;
  std::string_view route;
  std::string message;  ///< {m} as sent (decoded); empty for message.post
};

std::optional<Target> target_of(std::string_view path) {
  const auto tail = http::Router::wildcard(kQuestionRoute, path);
  const auto slash = tail.find('/');
  if (slash == 0 || slash == std::string_view::npos) return std::nullopt;
  Target target{.question = decode_segment(tail.substr(0, slash))};
  auto rest = tail.substr(slash + 1);
  if (rest == "messages") {
    target.route = write_route::kJaMessagePost;
    return target;
  }
  if (!rest.starts_with("messages/")) return std::nullopt;
  rest.remove_prefix(std::string_view("messages/").size());
  const auto action_at = rest.find('/');
  if (action_at == 0 || action_at == std::string_view::npos) return std::nullopt;
  const auto action = rest.substr(action_at + 1);
  if (action == "accept") {
    target.route = write_route::kJaMessageAccept;
  } else if (action == "feedback") {
    target.route = write_route::kJaMessageFeedback;
  } else if (action == "view") {
    target.route = write_route::kJaMessageView;
  } else {
    return std::nullopt;
  }
  target.message = decode_segment(rest.substr(0, action_at));
  return target;
}

// {m} as message.post answers it ("<q>_<n>") or as GET lists it ("!<q>_<n>!"): its number
// when it names a message of `question`.
std::optional<std::size_t> message_number(std::string_view question, std::string_view message) {
  if (message.size() >= 2 && message.front() == '!' && message.back() == '!') {
    message = message.substr(1, message.size() - 2);
  }
  const auto underscore = message.rfind('_');
  if (underscore == std::string_view::npos || message.substr(0, underscore) != question) {
    return std::nullopt;
  }
  const auto digits = message.substr(underscore + 1);
  std::size_t number = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), number);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return number;
}

http::Response bad_request(const Error& error) {
  return write_failure(Platform::justanswer, 400, error.message);
}

http::Response succeeded() {
  return json_ok(R"({"status":true,"message":""})");
}

// {"status":true,"message":"","data":{<name>:<value>}}.
http::Response succeeded_with(std::string_view name, std::string_view value) {
  std::string body;
  {
    json::ObjectWriter object(body);
    put_bool(object, "status", true);
    put_string(object, "message", "");
    json::ObjectWriter data(object.key("data"));
    put_string(data, name, value);
  }
  return json_ok(std::move(body));
}

// The attachments of message.post as GET writes them, or what is wrong with them.
Result<std::string, Error> attachments_json(const sources::FieldReader& fields) {
  auto items = sources::object_array(fields, "attachments");
  if (!items) return items.error();
  std::string out = "[";
  for (const auto& item : items.value()) {
    auto url = item.required_string("url", sources::kMaxUrlBytes);
    if (!url) return url.error();
    auto name = item.optional_string("name");
    if (!name) return name.error();
    if (out.size() > 1) out += ',';
    json::ObjectWriter attachment(out);
    put_string(attachment, "url", url.value());
    put_string(attachment, "name", name.value().value_or(""));
    put_raw(attachment, "contentLength", "null");
  }
  out += ']';
  return out;
}

// The JSON object of a body; an empty body is an empty object (accept and view send none).
Result<simdjson::dom::object, Error> body_object(const http::Request& request) {
  static const std::string kEmpty = "{}";
  const bool blank = request.body.find_first_not_of(" \t\r\n") == std::string::npos;
  return sources::parse_object(blank ? kEmpty : request.body);
}

/// POST /api/v2/questions/post {"message":"...","categoryName":"..."}.
class QuestionPostEndpoint final : public WriteEndpoint {
 public:
  explicit QuestionPostEndpoint(Simulator& simulator)
      : WriteEndpoint(simulator, Platform::justanswer) {}

 private:
  std::optional<Call> classify(const http::Request&) const override {
    return Call{.route = write_route::kJaQuestionPost};
  }

  Result<Commit, http::Response> prepare(const http::Request& request, const Call&) override {
    if (auto refused = refuse_justanswer(simulator_, request)) return std::move(*refused);
    auto object = sources::parse_object(request.body);
    if (!object) return bad_request(object.error());
    const sources::FieldReader fields(object.value());
    auto text = fields.required_string("message", sources::kMaxTextBytes);
    if (!text) return bad_request(text.error());
    if (auto category = fields.optional_string("categoryName"); !category) {
      return bad_request(category.error());
    }
    return Commit([this, customer = std::string(request.headers["UserIdToken"]),
                   text = std::string(text.value())]() -> Result<Committed, http::Response> {
      const auto token =
          simulator_.state.justanswer().post_question(customer, text, unix_seconds_now());
      return Committed{.answer = succeeded_with("questionToken", token)};
    });
  }
};

/// POST /api/v2/questions/{q}/messages and .../messages/{m}/{accept,feedback,view}.
class MessageEndpoint final : public WriteEndpoint {
 public:
  explicit MessageEndpoint(Simulator& simulator) : WriteEndpoint(simulator, Platform::justanswer) {}

 private:
  std::optional<Call> classify(const http::Request& request) const override {
    const auto target = target_of(request.path);
    if (!target) return std::nullopt;
    return Call{.route = target->route, .conversation = "justanswer:" + target->question};
  }

  Result<Commit, http::Response> prepare(const http::Request& request, const Call&) override {
    if (auto refused = refuse_justanswer(simulator_, request)) return std::move(*refused);
    auto target = *target_of(request.path);
    const std::string customer(request.headers["UserIdToken"]);
    auto object = body_object(request);
    if (!object) return bad_request(object.error());
    const sources::FieldReader fields(object.value());
    if (target.route == write_route::kJaMessagePost) return post(fields, target.question, customer);
    const auto number = message_number(target.question, target.message);
    if (!number) {
      return write_failure(Platform::justanswer, 404,
                           "message '" + target.message + "' is not a message of question " +
                               target.question + " (send <question>_<n> or !<question>_<n>!)");
    }
    if (target.route == write_route::kJaMessageFeedback) {
      return rate(fields, target.question, *number);
    }
    const bool accept = target.route == write_route::kJaMessageAccept;
    return Commit([this, accept, question = target.question,
                   number = *number]() -> Result<Committed, http::Response> {
      auto& state = simulator_.state.justanswer();
      const auto refused = accept ? state.accept(question, number) : state.view(question, number);
      if (refused) return write_failure(Platform::justanswer, refused->status, refused->message);
      return Committed{.answer = succeeded()};
    });
  }

  // {"text":"...","attachments":[{"url":"...","name":"..."}]}: the customer's message.
  Result<Commit, http::Response> post(const sources::FieldReader& fields, std::string question,
                                      std::string customer) {
    auto text = fields.required_string("text", sources::kMaxTextBytes);
    if (!text) return bad_request(text.error());
    auto attachments = attachments_json(fields);
    if (!attachments) return bad_request(attachments.error());
    AddedMessage message{.text = std::string(text.value()),
                         .author_id = customer,
                         .attachments_json = std::move(attachments).value()};
    return Commit([this, question = std::move(question), customer = std::move(customer),
                   message = std::move(message)]() mutable -> Result<Committed, http::Response> {
      message.posted = unix_seconds_now();
      const auto number = simulator_.state.justanswer().add_message(question, std::move(message));
      std::string echo;
      {
        json::ObjectWriter object(echo);
        put_string(object, "eventType", "1");  // as `send` posts: its meaning is unpublished
        put_string(object, "questionId", question);
        put_string(object, "userToken", customer);
      }
      return Committed{
          .answer = succeeded_with("messageId", question + "_" + std::to_string(number)),
          .echoes = {Echo{.kind = WebhookKind::justanswer, .body = std::move(echo)}}};
    });
  }

  // {"feedbackSettings":{"text":"...","feedbackLevel":1..5}}.
  Result<Commit, http::Response> rate(const sources::FieldReader& fields, std::string question,
                                      std::size_t number) {
    auto settings = fields.required_object("feedbackSettings");
    if (!settings) return bad_request(settings.error());
    auto text = settings.value().optional_string("text", sources::kMaxTextBytes);
    if (!text) return bad_request(text.error());
    auto level = settings.value().optional_integer("feedbackLevel");
    if (!level) return bad_request(level.error());
    if (!level.value() || *level.value() < kMinRating || *level.value() > kMaxRating) {
      return bad_request(sources::field_error("feedbackSettings.feedbackLevel",
                                              "is required: an integer from 1 to 5"));
    }
    JustAnswerFeedback feedback{.text = std::string(text.value().value_or("")),
                                .rating = *level.value()};
    return Commit([this, question = std::move(question), number,
                   feedback = std::move(feedback)]() mutable -> Result<Committed, http::Response> {
      feedback.created = unix_seconds_now();
      const auto refused =
          simulator_.state.justanswer().rate(question, number, std::move(feedback));
      if (refused) return write_failure(Platform::justanswer, refused->status, refused->message);
      return Committed{.answer = succeeded()};
    });
  }
};

}  // namespace

void add_justanswer_write_routes(http::Router& router, Simulator& simulator) {
  router.add(bhttp::verb::post, std::string(kPostRoute),
             std::make_shared<QuestionPostEndpoint>(simulator));
  router.add(bhttp::verb::post, std::string(kQuestionRoute),
             std::make_shared<MessageEndpoint>(simulator));
}

}  // namespace parley::sim
