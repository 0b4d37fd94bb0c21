// TalkJS's writes as seed 003 describes them: users and conversations upserted with PUT
// (idempotent), messages posted as an array. Every write answers 200 {} (what the answer
// holds is unconfirmed, PLATFORMS.md: the ids come back through reads and message.sent).
#include <simdjson.h>

#include <memory>

#include "deterministic.hpp"
#include "json_out.hpp"
#include "parley/sources/json.hpp"
#include "routes.hpp"
#include "talkjs_state.hpp"
#include "write_endpoint.hpp"

namespace parley::sim {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kRoute = "/v1/*";
constexpr std::size_t kMaxMessages = 100;

http::Response bad_request(const Error& error) {
  return write_failure(Platform::talkjs, 400, error.message);
}

// A string member or an array of strings ("email": "a@b" or ["a@b"]); nullopt when absent.
Result<std::optional<std::vector<std::string>>, Error> string_list(
    const sources::FieldReader& fields, std::string_view name) {
  auto member = fields.member(name);
  if (!member) return member.error();
  if (!member.value() || member.value()->is_null())
    return std::optional<std::vector<std::string>>{};
  std::vector<std::string> items;
  std::string_view single;
  if (member.value()->get_string().get(single) == simdjson::SUCCESS) {
    items.emplace_back(single);
    return std::optional{std::move(items)};
  }
  simdjson::dom::array array;
  if (member.value()->get_array().get(array) != simdjson::SUCCESS) {
    return sources::field_error(fields.path_of(name), "must be a string or an array of strings");
  }
  for (const auto item : array) {
    std::string_view text;
    if (item.get_string().get(text) != simdjson::SUCCESS) {
      return sources::field_error(fields.path_of(name), "must hold strings only");
    }
    items.emplace_back(text);
  }
  return std::optional{std::move(items)};
}

// An object of string values ("custom"); empty when absent.
Result<std::map<std::string, std::string>, Error> string_map(const sources::FieldReader& fields,
                                                             std::string_view name) {
  auto object = fields.optional_object(name);
  if (!object) return object.error();
  std::map<std::string, std::string> values;
  if (!object.value()) return values;
  for (const auto [key, value] : object.value()->object()) {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      return sources::field_error(object.value()->path_of(key), "must be a string (TalkJS custom)");
    }
    values.emplace(key, text);
  }
  return values;
}

std::string map_json(const std::map<std::string, std::string>& values) {
  std::string out;
  {
    json::ObjectWriter object(out);
    for (const auto& [name, value] : values)
      put_string(object, name, value);
  }
  return out;
}

Result<std::optional<std::string>, Error> optional_text(const sources::FieldReader& fields,
                                                        std::string_view name) {
  auto value = fields.optional_string(name, sources::kMaxTextBytes);
  if (!value) return value.error();
  if (!value.value()) return std::optional<std::string>{};
  return std::optional<std::string>(*value.value());
}

// The sender of a message.sent echo: the user as PUT, else the generated participant, else
// a user known by id only.
void append_sender(std::string& out, TalkJsState& talkjs, const TalkJsConversation& conversation,
                   const std::string& sender) {
  if (sender.empty()) {
    out += "null";
  } else if (const auto user = talkjs.user(sender)) {
    append_talkjs_stored_user(out, *user);
  } else if (sender == conversation.customer.id || sender == conversation.agent.id) {
    append_talkjs_user(
        out, sender == conversation.customer.id ? conversation.customer : conversation.agent);
  } else {
    append_talkjs_stored_user(out, TalkJsStoredUser{.id = sender});
  }
}

Echo message_sent(TalkJsState& talkjs, const TalkJsConversation& conversation,
                  const TalkJsConversationState& state, const TalkJsMessage& message) {
  std::string body;
  {
    json::ObjectWriter object(body);
    put_string(object, "id", "evt_" + hex64(pick(message.id, "echo")));
    put_int(object, "createdAt", message.created_at_ms);
    put_string(object, "type", "message.sent");
    json::ObjectWriter data(object.key("data"));
    append_sender(data.key("sender"), talkjs, conversation, message.sender_id);
    append_talkjs_conversation(data.key("conversation"), conversation, state,
                               /*with_last_message=*/false);
    append_talkjs_message(data.key("message"), message);
  }
  return Echo{.kind = WebhookKind::talkjs, .body = std::move(body)};
}

// One element of the messages array: {"text","sender","type","custom"}.
Result<TalkJsPostedMessage, Error> posted_message(const sources::FieldReader& fields) {
  auto type = fields.required_string("type");
  if (!type) return type.error();
  if (type.value() != "UserMessage" && type.value() != "SystemMessage") {
    return sources::field_error(fields.path_of("type"), "must be UserMessage or SystemMessage");
  }
  auto text = fields.required_string("text", sources::kMaxTextBytes);
  if (!text) return text.error();
  TalkJsPostedMessage message{.text = std::string(text.value()), .type = std::string(type.value())};
  if (message.type == "UserMessage") {
    auto sender = fields.required_string("sender");
    if (!sender) return sender.error();
    message.sender = sender.value();
  }
  auto custom = string_map(fields, "custom");
  if (!custom) return custom.error();
  message.custom_json = map_json(custom.value());
  return message;
}

/// PUT /v1/{appId}/conversations/{id}, POST /v1/{appId}/conversations/{id}/messages,
/// PUT /v1/{appId}/users/{id}.
class TalkJsWriteEndpoint final : public WriteEndpoint {
 public:
  TalkJsWriteEndpoint(Simulator& simulator, bhttp::verb method)
      : WriteEndpoint(simulator, Platform::talkjs), method_(method) {}

 private:
  std::optional<Call> classify(const http::Request& request) const override {
    const auto target = talkjs_target(http::Router::wildcard(kRoute, request.path));
    if (!target) return std::nullopt;
    const bool put = method_ == bhttp::verb::put;
    switch (target->kind) {
      case TalkJsTarget::Kind::user:
        if (!put) return std::nullopt;
        return Call{.route = write_route::kTalkJsUserPut};
      case TalkJsTarget::Kind::messages:
        if (put) return std::nullopt;
        return Call{.route = write_route::kTalkJsMessagePost,
                    .conversation = "talkjs:" + target->id};
      case TalkJsTarget::Kind::conversation:
        break;
    }
    if (!put) return std::nullopt;
    return Call{.route = write_route::kTalkJsConversationPut,
                .conversation = "talkjs:" + target->id};
  }

  Result<Commit, http::Response> prepare(const http::Request& request, const Call&) override {
    const auto target = *talkjs_target(http::Router::wildcard(kRoute, request.path));
    if (auto refused = refuse_talkjs(simulator_, request, target.app)) return std::move(*refused);
    switch (target.kind) {
      case TalkJsTarget::Kind::user:
        return put_user(request, target.id);
      case TalkJsTarget::Kind::messages:
        return post_messages(request, target);
      case TalkJsTarget::Kind::conversation:
        break;
    }
    return put_conversation(request, target.id);
  }

  Result<Commit, http::Response> put_conversation(const http::Request& request, std::string id) {
    auto object = sources::parse_object(request.body);
    if (!object) return bad_request(object.error());
    const sources::FieldReader fields(object.value());
    TalkJsConversationPut put;
    auto participants = string_list(fields, "participants");
    if (!participants) return bad_request(participants.error());
    put.participants = participants.value().value_or(std::vector<std::string>{});
    auto subject = optional_text(fields, "subject");
    if (!subject) return bad_request(subject.error());
    put.subject = std::move(subject).value();
    auto photo = optional_text(fields, "photoUrl");
    if (!photo) return bad_request(photo.error());
    put.photo_url = std::move(photo).value();
    auto custom = string_map(fields, "custom");
    if (!custom) return bad_request(custom.error());
    put.custom = std::move(custom).value();
    return Commit(
        [this, id = std::move(id), put = std::move(put)]() -> Result<Committed, http::Response> {
          simulator_.state.talkjs().put_conversation(id, put, unix_millis_now());
          return Committed{.answer = empty_object()};
        });
  }

  Result<Commit, http::Response> post_messages(const http::Request& request,
                                               const TalkJsTarget& target) {
    simdjson::dom::parser parser;
    simdjson::dom::array items;
    if (parser.parse(request.body).get_array().get(items) != simdjson::SUCCESS) {
      return write_failure(
          Platform::talkjs, 400,
          "body must be a JSON array of messages: [{\"text\",\"sender\",\"type\"}]");
    }
    std::vector<TalkJsPostedMessage> posted;
    for (const auto item : items) {
      simdjson::dom::object object;
      const auto path = "[" + std::to_string(posted.size()) + "]";
      if (item.get_object().get(object) != simdjson::SUCCESS) {
        return bad_request(sources::field_error(path, "must be a message object"));
      }
      auto message = posted_message(sources::FieldReader(object, path));
      if (!message) return bad_request(message.error());
      posted.push_back(std::move(message).value());
    }
    if (posted.empty() || posted.size() > kMaxMessages) {
      return write_failure(Platform::talkjs, 400, "body must hold 1 to 100 messages");
    }
    return Commit([this, conversation = talkjs_conversation(target.app, target.id),
                   posted = std::move(posted)]() -> Result<Committed, http::Response> {
      auto& talkjs = simulator_.state.talkjs();
      const auto stored = talkjs.post_messages(conversation, posted, unix_millis_now());
      const auto state = talkjs.conversation(conversation.id);
      Committed committed{.answer = empty_object()};
      for (const auto& message : stored)
        committed.echoes.push_back(message_sent(talkjs, conversation, state, message));
      return committed;
    });
  }

  Result<Commit, http::Response> put_user(const http::Request& request, std::string id) {
    auto object = sources::parse_object(request.body);
    if (!object) return bad_request(object.error());
    const sources::FieldReader fields(object.value());
    TalkJsUserPut put;
    for (auto [name, out] : {std::pair{"name", &put.name}, std::pair{"photoUrl", &put.photo_url},
                             std::pair{"role", &put.role}, std::pair{"locale", &put.locale},
                             std::pair{"welcomeMessage", &put.welcome_message}}) {
      auto value = optional_text(fields, name);
      if (!value) return bad_request(value.error());
      *out = std::move(value).value();
    }
    for (auto [name, out] : {std::pair{"email", &put.email}, std::pair{"phone", &put.phone}}) {
      auto value = string_list(fields, name);
      if (!value) return bad_request(value.error());
      *out = std::move(value).value();
    }
    auto custom = string_map(fields, "custom");
    if (!custom) return bad_request(custom.error());
    put.custom = std::move(custom).value();
    return Commit(
        [this, id = std::move(id), put = std::move(put)]() -> Result<Committed, http::Response> {
          simulator_.state.talkjs().put_user(id, put, unix_millis_now());
          return Committed{.answer = empty_object()};
        });
  }

  const bhttp::verb method_;
};

}  // namespace

void add_talkjs_write_routes(http::Router& router, Simulator& simulator) {
  for (const auto method : {bhttp::verb::put, bhttp::verb::post}) {
    router.add(method, std::string(kRoute),
               std::make_shared<TalkJsWriteEndpoint>(simulator, method));
  }
}

}  // namespace parley::sim
