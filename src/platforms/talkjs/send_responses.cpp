#include <algorithm>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parley/common/json_writer.hpp"
#include "parley/common/time.hpp"
#include "parley/platforms/talkjs/send.hpp"
#include "parley/sources/json.hpp"

namespace parley::platforms::talkjs {
namespace {

namespace bhttp = boost::beast::http;
using commands::CallOutcome;
using commands::Command;
using commands::CommandType;
using commands::FieldProblem;
using commands::ReadBack;
using sources::FieldReader;
using sources::kMaxTextBytes;
using sources::string_or_empty;
using Clock = std::chrono::system_clock;

std::optional<FieldProblem> require(std::string_view value, std::string_view field,
                                    std::string_view why) {
  if (!value.empty()) return std::nullopt;
  return FieldProblem{.field = std::string(field), .message = "is required: " + std::string(why)};
}

// Who sends the message of a command: its author, else (a start) its customer.
std::string_view sender_of(const Command& command) {
  return command.data.author_id.empty() ? command.data.customer.id : command.data.author_id;
}

std::string app_path(const config::TalkJsSource::Api& api) {
  return "/v1/" + upstream::encode_path_segment(api.app_id);
}

std::string conversation_path(const Command& command, const config::TalkJsSource::Api& api) {
  return app_path(api) + "/conversations/" +
         upstream::encode_path_segment(conversation_id(command));
}

upstream::HttpRequest request(bhttp::verb method, std::string target, std::string body,
                              const config::TalkJsSource::Api& api) {
  upstream::HttpRequest built{
      .method = method,
      .target = std::move(target),
      .headers = {{"Authorization", "Bearer " + api.secret_key}, {"Accept", "application/json"}},
      .body = std::move(body),
      // A GET, and TalkJS's PUTs (upserts, seed 003), are harmless twice; its POST is not.
      .replay_safe = method != bhttp::verb::post};
  if (!built.body.empty()) built.headers.emplace_back("Content-Type", "application/json");
  return built;
}

void append_strings(std::string& out, const std::vector<std::string>& items) {
  out.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    json::append_string(out, items[i]);
  }
  out.push_back(']');
}

std::vector<std::string> participants_of(const Command& command) {
  std::vector<std::string> participants = command.data.participants;
  for (const std::string_view user :
       {std::string_view(command.data.customer.id), sender_of(command)}) {
    if (!user.empty() && std::ranges::find(participants, user) == participants.end()) {
      participants.emplace_back(user);
    }
  }
  return participants;
}

std::string user_body(const commands::User& user) {
  std::string body;
  {
    json::ObjectWriter w(body);
    w.string("name", user.name);
    if (!user.email.empty()) append_strings(w.key("email"), user.email);
    w.string("photoUrl", user.photo_url);
    w.string("role", user.role);
    // A JSON object's compact text (parse_command).
    if (!user.custom_json.empty()) w.key("custom") += user.custom_json;
  }
  return body;
}

std::string conversation_body(const Command& command) {
  std::string body;
  {
    json::ObjectWriter w(body);
    append_strings(w.key("participants"), participants_of(command));
    w.string("subject", command.data.title);
  }
  return body;
}

std::string message_body(const Command& command) {
  std::string body = "[";
  {
    json::ObjectWriter w(body);
    w.string("text", command.data.text);
    w.string("sender", sender_of(command));
    w.string("type", "UserMessage");
    json::ObjectWriter custom(w.key("custom"));
    custom.string(kCommandIdKey, command.id);
  }
  body += "]";
  return body;
}

// What TalkJS's error body says, when it says something.
std::string error_text(const std::string& body) {
  auto object = sources::parse_object(body);
  if (!object) return {};
  const FieldReader root(object.value());
  if (auto error = root.optional_object("error"); error && error.value()) {
    auto message = string_or_empty(*error.value(), "message", kMaxTextBytes);
    return message ? std::move(message).value() : std::string();
  }
  for (const auto name : {"error", "message", "errorCode"}) {
    auto text = string_or_empty(root, name, kMaxTextBytes);
    if (text && !text.value().empty()) return std::move(text).value();
  }
  return {};
}

// One message of GET .../messages, as much as a read-back looks at.
struct SeenMessage {
  std::string id;
  std::string sender_id;
  std::string text;
  std::optional<std::int64_t> created_at;  // unix ms
  std::optional<std::string> marker;       // custom.parleyCommandId
};

Result<SeenMessage, Error> read_message(const FieldReader& m) {
  SeenMessage seen;
  auto id = m.required_id("id");
  if (!id) return id.error();
  seen.id = std::move(id).value();
  auto sender_id = m.optional_id("senderId");
  if (!sender_id) return sender_id.error();
  seen.sender_id = sender_id.value().value_or("");
  auto text = string_or_empty(m, "text", kMaxTextBytes);
  if (!text) return text.error();
  seen.text = std::move(text).value();
  auto created_at = m.optional_integer("createdAt");
  if (!created_at) return created_at.error();
  seen.created_at = created_at.value();
  auto custom = m.optional_object("custom");
  if (!custom) return custom.error();
  if (custom.value()) {
    auto marker = custom.value()->optional_string(kCommandIdKey, kMaxTextBytes);
    if (!marker) return marker.error();
    if (marker.value()) seen.marker = std::string(*marker.value());
  }
  return seen;
}

ReadBack find_sent(const Command& command, const std::vector<SeenMessage>& messages,
                   Clock::time_point since, const std::string& what) {
  const auto found = [&](const SeenMessage& m, const std::string& how) {
    commands::PlatformIds ids;
    if (command.type == CommandType::conversation_start) {
      ids.emplace_back("conversationId", conversation_id(command));
    }
    ids.emplace_back("messageId", m.id);
    return read_back(ReadBack::Kind::found, what + ": " + how, std::move(ids));
  };
  const bool marked =
      std::ranges::any_of(messages, [](const SeenMessage& m) { return m.marker.has_value(); });
  if (marked) {
    for (const auto& m : messages) {
      if (m.marker == command.id) {
        return found(m, "a message whose custom.parleyCommandId is the command id");
      }
    }
    return read_back(ReadBack::Kind::not_found,
                     what + ": no message whose custom.parleyCommandId is the command id");
  }
  const auto earliest =
      std::chrono::duration_cast<std::chrono::milliseconds>((since - kClockSkew).time_since_epoch())
          .count();
  const auto text = trim_blanks(command.data.text);
  for (const auto& m : messages) {
    if (m.sender_id == sender_of(command) && trim_blanks(m.text) == text && m.created_at &&
        *m.created_at >= earliest) {
      return found(m, "a message of the sender with the same text, created at " +
                          std::to_string(*m.created_at) + " ms");
    }
  }
  return read_back(ReadBack::Kind::not_found,
                   what + ": no message of the sender with the same text created since " +
                       format_rfc3339(since - kClockSkew) + " (no message carries custom." +
                       std::string(kCommandIdKey) + ")");
}

}  // namespace

bool supports(CommandType type) {
  return type == CommandType::conversation_start || type == CommandType::message_send ||
         type == CommandType::user_upsert;
}

std::optional<FieldProblem> check(const Command& command) {
  if (!command.data.attachments.empty()) {
    return FieldProblem{.field = "data.attachments",
                        .message = "TalkJS messages take uploaded files, not URLs"};
  }
  switch (command.type) {
    case CommandType::message_send:
      if (auto missing = require(command.data.author_id, "data.author.id", "it is the sender")) {
        return missing;
      }
      return require(command.data.text, "data.text", "it is the message");
    case CommandType::conversation_start:
      if (command.data.text.empty()) return std::nullopt;
      return require(sender_of(command), "data.author.id",
                     "the first message needs a sender (data.author.id or data.customer.id)");
    case CommandType::user_upsert:
      return require(
          command.data.user ? std::string_view(command.data.user->id) : std::string_view(),
          "data.user.id", "it names the TalkJS user");
    default:
      return std::nullopt;
  }
}

bool idempotent(const Command& command) {
  return command.type == CommandType::user_upsert ||
         (command.type == CommandType::conversation_start && command.data.text.empty());
}

std::string_view conversation_id(const Command& command) {
  // TalkJS lets the caller choose a conversation's id: the subject when a start names one.
  if (command.type == CommandType::conversation_start && command.subject.empty()) {
    return command.id;
  }
  return command.subject;
}

upstream::HttpRequest user_request(const Command& command, const config::TalkJsSource::Api& api) {
  const commands::User none;
  const auto& user = command.data.user ? *command.data.user : none;
  return request(bhttp::verb::put,
                 app_path(api) + "/users/" + upstream::encode_path_segment(user.id),
                 user_body(user), api);
}

upstream::HttpRequest conversation_request(const Command& command,
                                           const config::TalkJsSource::Api& api) {
  return request(bhttp::verb::put, conversation_path(command, api), conversation_body(command),
                 api);
}

upstream::HttpRequest message_request(const Command& command,
                                      const config::TalkJsSource::Api& api) {
  return request(bhttp::verb::post, conversation_path(command, api) + "/messages",
                 message_body(command), api);
}

CallOutcome judge_answer(std::string_view what, const SendAnswer& answer, bool idempotent) {
  auto outcome = commands::judge_call(what, answer, idempotent);
  if (!answer || outcome.kind == CallOutcome::Kind::done) return outcome;
  if (auto text = error_text(answer.value().body); !text.empty()) {
    outcome.message += ": TalkJS says: " + text;
  }
  return outcome;
}

commands::PlatformIds ids_of(const Command& command) {
  if (command.type == CommandType::user_upsert && command.data.user) {
    return {{"userId", command.data.user->id}};
  }
  if (command.type == CommandType::conversation_start) {
    return {{"conversationId", std::string(conversation_id(command))}};
  }
  return {};
}

upstream::HttpRequest messages_request(const Command& command,
                                       const config::TalkJsSource::Api& api) {
  return request(
      bhttp::verb::get,
      conversation_path(command, api) + "/messages?limit=" + std::to_string(kReadBackMessages), {},
      api);
}

ReadBack match_in_messages(const Command& command, std::string_view body, Clock::time_point since) {
  const std::string what = "TalkJS GET /v1/{appId}/conversations/{id}/messages";
  const auto undecided = [&what](const std::string& problem) {
    return read_back(ReadBack::Kind::undecided, what + " unreadable: " + problem);
  };
  auto object = sources::parse_object(std::string(body));
  if (!object) return undecided(object.error().message);
  auto items = sources::object_array(FieldReader(object.value()), "data");
  if (!items) return undecided(items.error().message);
  std::vector<SeenMessage> messages;
  for (const auto& item : items.value()) {
    auto message = read_message(item);
    if (!message) return undecided(message.error().message);
    messages.push_back(std::move(message).value());
  }
  return find_sent(command, messages, since, what);
}

}  // namespace parley::platforms::talkjs
