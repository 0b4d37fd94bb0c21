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
#include "parley/platforms/justanswer/api.hpp"
#include "parley/platforms/justanswer/send.hpp"
#include "parley/sources/json.hpp"

namespace parley::platforms::justanswer {
namespace {

namespace bhttp = boost::beast::http;
using commands::CallOutcome;
using commands::Command;
using commands::CommandType;
using commands::FieldProblem;
using commands::ReadBack;
using sources::FieldReader;
using sources::kMaxTextBytes;
using sources::optional_bool;
using sources::string_or_empty;
using Clock = std::chrono::system_clock;

constexpr std::string_view kQuestions = "/api/v2/questions";

// The question a start posts: its text, else its title.
std::string_view question_text(const Command& command) {
  return command.data.text.empty() ? command.data.title : command.data.text;
}

std::vector<std::pair<std::string, std::string>> headers(const Command& command,
                                                         const Credentials& credentials) {
  return {{"Authorization", "Bearer " + std::string(credentials.access_token)},
          {"X-Api-Key", std::string(credentials.api_key)},
          {"UserIdToken", command.data.customer.id},
          {"Accept", "application/json"}};
}

std::string question_path(const Command& command) {
  return std::string(kQuestions) + "/" + upstream::encode_path_segment(command.subject);
}

std::string message_path(const Command& command, std::string_view action) {
  return question_path(command) + "/messages/" +
         upstream::encode_path_segment(command.data.message_id) + "/" + std::string(action);
}

std::string start_body(const Command& command) {
  std::string body;
  {
    json::ObjectWriter w(body);
    w.string("message", question_text(command));
    w.string("categoryName", command.data.category);
  }
  return body;
}

void append_attachments(std::string& out, const std::vector<commands::Attachment>& attachments) {
  out.push_back('[');
  for (std::size_t i = 0; i < attachments.size(); ++i) {
    if (i > 0) out.push_back(',');
    json::ObjectWriter a(out);
    a.string("url", attachments[i].url);
    a.string("name", attachments[i].name);
  }
  out.push_back(']');
}

std::string message_body(const Command& command) {
  std::string body;
  {
    json::ObjectWriter w(body);
    w.string("text", command.data.text);
    if (!command.data.attachments.empty()) {
      append_attachments(w.key("attachments"), command.data.attachments);
    }
  }
  return body;
}

std::string feedback_body(const Command& command) {
  std::string body;
  {
    json::ObjectWriter w(body);
    json::ObjectWriter settings(w.key("feedbackSettings"));
    // JustAnswer's reference marks the text required: an empty one is still sent.
    json::append_string(settings.key("text"), command.data.text);
    settings.key("feedbackLevel") += std::to_string(command.data.rating);
  }
  return body;
}

std::optional<FieldProblem> require(std::string_view value, std::string_view field,
                                    std::string_view why) {
  if (!value.empty()) return std::nullopt;
  return FieldProblem{.field = std::string(field), .message = "is required: " + std::string(why)};
}

// `{"status": false, "message": ...}`: JustAnswer's refusal, whatever the HTTP status.
std::optional<std::string> refusal(const FieldReader& body) {
  auto status = optional_bool(body, "status");
  if (!status || status.value().value_or(true)) return std::nullopt;
  auto message = string_or_empty(body, "message", kMaxTextBytes);
  if (!message || message.value().empty()) return std::string("(no message)");
  return std::move(message).value();
}

// The id data.<name> of a done call's answer; nullopt (and a note in `message`) when the
// answer lacks it.
std::optional<std::string> answered_id(const FieldReader& root, std::string_view name,
                                       std::string& message) {
  auto data = root.optional_object("data");
  if (data && data.value()) {
    auto id = data.value()->optional_id(name);
    if (id && id.value()) return std::move(id).value();
  }
  message = "performed, but the answer carries no usable data." + std::string(name);
  return std::nullopt;
}

commands::PlatformIds ids_of(const Command& command, const FieldReader& root,
                             std::string& message) {
  switch (command.type) {
    case CommandType::conversation_start:
      if (auto token = answered_id(root, "questionToken", message)) {
        return {{"conversationId", *token}, {"questionToken", *token}};
      }
      return {};
    case CommandType::message_send:
      if (auto id = answered_id(root, "messageId", message)) return {{"messageId", *id}};
      return {};
    default:
      return {{"messageId", command.data.message_id}};
  }
}

// --- reading back ---

Clock::time_point earliest(Clock::time_point since) {
  return since - kClockSkew;
}

// A JustAnswer date member, nullopt when absent; an error when present but unreadable.
Result<std::optional<Clock::time_point>, Error> posted_at(const FieldReader& object,
                                                          std::string_view name) {
  auto text = object.optional_string(name);
  if (!text) return text.error();
  if (!text.value()) return std::optional<Clock::time_point>{};
  auto time = enrich::parse_justanswer_time(*text.value());
  if (!time) {
    return sources::field_error(object.path_of(name),
                                "not a JustAnswer date '" + std::string(*text.value()) + "'");
  }
  return time;
}

// A message of GET /api/v2/questions/{q}, as much as a read-back looks at.
struct SeenMessage {
  std::string token;
  std::string text;
  std::optional<Clock::time_point> posted;
  bool by_expert = false;
  std::string author_id;
  bool accepted = false;
  bool has_feedback = false;
  bool read = false;
};

// JustAnswer's entity tables and its examples name two fields differently (textMessage /
// text, postedDate / posted): either is read.
Result<SeenMessage, Error> read_message(const FieldReader& m) {
  SeenMessage seen;
  auto token = m.required_id("token");
  if (!token) return token.error();
  seen.token = std::move(token).value();
  for (const auto name : {"text", "textMessage"}) {
    auto text = string_or_empty(m, name, kMaxTextBytes);
    if (!text) return text.error();
    if (seen.text.empty()) seen.text = std::move(text).value();
  }
  for (const auto name : {"posted", "postedDate"}) {
    auto posted = posted_at(m, name);
    if (!posted) return posted.error();
    if (!seen.posted) seen.posted = posted.value();
  }
  auto author_id = m.optional_id("authorId");
  if (!author_id) return author_id.error();
  seen.author_id = author_id.value().value_or("");
  const std::pair<std::string_view, bool*> flags[] = {
      {"isExpertMessage", &seen.by_expert},
      {"isMessageExpertAcceptedAnswer", &seen.accepted},
      {"hasFeedback", &seen.has_feedback},
      {"isMessageRead", &seen.read}};
  for (const auto& [name, flag] : flags) {
    auto value = optional_bool(m, name);
    if (!value) return value.error();
    *flag = value.value().value_or(false);
  }
  return seen;
}

// data.messages[], then data.question.lastMessage (which may be the only place a message
// shows).
Result<std::vector<SeenMessage>, Error> read_messages(const FieldReader& data,
                                                      const FieldReader& question) {
  std::vector<SeenMessage> messages;
  auto items = sources::object_array(data, "messages");
  if (!items) return items.error();
  for (const auto& item : items.value()) {
    auto message = read_message(item);
    if (!message) return message.error();
    messages.push_back(std::move(message).value());
  }
  auto last = question.optional_object("lastMessage");
  if (!last) return last.error();
  if (last.value()) {
    auto message = read_message(*last.value());
    if (!message) return message.error();
    messages.push_back(std::move(message).value());
  }
  return messages;
}

ReadBack find_sent(const Command& command, const std::vector<SeenMessage>& messages,
                   Clock::time_point since, const std::string& what) {
  const auto text = trim_blanks(command.data.text);
  for (const auto& m : messages) {
    const bool by_customer =
        !m.by_expert && (m.author_id.empty() || m.author_id == command.data.customer.id);
    if (by_customer && trim_blanks(m.text) == text && m.posted && *m.posted >= earliest(since)) {
      return read_back(
          ReadBack::Kind::found,
          what + ": a customer message with the same text, posted " + format_rfc3339(*m.posted),
          {{"messageId", std::string(bare_token(m.token))}});
    }
  }
  return read_back(ReadBack::Kind::not_found,
                   what + ": no customer message with the same text posted since " +
                       format_rfc3339(earliest(since)));
}

// The state accept, rate and read set on their message.
ReadBack find_state(const Command& command, const std::vector<SeenMessage>& messages,
                    const std::string& what) {
  const std::pair<std::string_view, bool SeenMessage::*> state =
      command.type == CommandType::answer_accept
          ? std::pair{std::string_view("isMessageExpertAcceptedAnswer"), &SeenMessage::accepted}
      : command.type == CommandType::answer_rate
          ? std::pair{std::string_view("hasFeedback"), &SeenMessage::has_feedback}
          : std::pair{std::string_view("isMessageRead"), &SeenMessage::read};
  const auto wanted = bare_token(command.data.message_id);
  for (const auto& m : messages) {
    if (bare_token(m.token) != wanted) continue;
    const bool set = m.*state.second;
    return read_back(
        set ? ReadBack::Kind::found : ReadBack::Kind::not_found,
        what + ": the message's " + std::string(state.first) + (set ? " is true" : " is false"),
        {{"messageId", command.data.message_id}});
  }
  return read_back(ReadBack::Kind::not_found, what + ": the question has no such message");
}

}  // namespace

bool supports(CommandType type) {
  return type != CommandType::user_upsert;
}

std::optional<FieldProblem> check(const Command& command) {
  if (auto missing = require(command.data.customer.id, "data.customer.id",
                             "every JustAnswer call carries it as UserIdToken")) {
    return missing;
  }
  if (command.type == CommandType::conversation_start) {
    return require(question_text(command), "data.text", "it is the question JustAnswer posts");
  }
  if (auto missing = require(command.subject, "subject", "the question token")) return missing;
  switch (command.type) {
    case CommandType::message_send:
      return require(command.data.text, "data.text", "JustAnswer's messages carry text");
    case CommandType::answer_rate:
      if (command.data.rating < 1 || command.data.rating > 5) {
        return FieldProblem{.field = "data.rating", .message = "must be 1 to 5"};
      }
      [[fallthrough]];
    case CommandType::answer_accept:
    case CommandType::message_read:
      return require(command.data.message_id, "data.messageId", "the message token");
    default:
      return std::nullopt;
  }
}

std::string_view call_name(CommandType type) {
  switch (type) {
    case CommandType::conversation_start:
      return "JustAnswer POST /api/v2/questions/post";
    case CommandType::message_send:
      return "JustAnswer POST /api/v2/questions/{q}/messages";
    case CommandType::answer_accept:
      return "JustAnswer POST /api/v2/questions/{q}/messages/{m}/accept";
    case CommandType::answer_rate:
      return "JustAnswer POST /api/v2/questions/{q}/messages/{m}/feedback";
    case CommandType::message_read:
      return "JustAnswer POST /api/v2/questions/{q}/messages/{m}/view";
    case CommandType::user_upsert:
      break;
  }
  return "JustAnswer (no such call)";
}

upstream::HttpRequest write_request(const Command& command, const Credentials& credentials) {
  upstream::HttpRequest request{
      .method = bhttp::verb::post, .headers = headers(command, credentials), .replay_safe = false};
  switch (command.type) {
    case CommandType::conversation_start:
      request.target = std::string(kQuestions) + "/post";
      request.body = start_body(command);
      break;
    case CommandType::message_send:
      request.target = question_path(command) + "/messages";
      request.body = message_body(command);
      break;
    case CommandType::answer_accept:
      request.target = message_path(command, "accept");
      break;
    case CommandType::answer_rate:
      request.target = message_path(command, "feedback");
      request.body = feedback_body(command);
      break;
    case CommandType::message_read:
      request.target = message_path(command, "view");
      break;
    case CommandType::user_upsert:
      // Not JustAnswer's (supports()): the empty target is refused before anything is sent.
      break;
  }
  if (!request.body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  return request;
}

CallOutcome judge_write(const Command& command, const SendAnswer& answer) {
  const WriteBody body{.refused = refusal,
                       .says = "JustAnswer says status false:",
                       .ids = [&command](const FieldReader& root, std::string& message) {
                         return ids_of(command, root, message);
                       }};
  return judge_write_body(call_name(command.type), answer, body);
}

upstream::HttpRequest question_request(const Command& command, const Credentials& credentials) {
  return upstream::HttpRequest{.target = question_path(command),
                               .headers = headers(command, credentials),
                               .replay_safe = true};
}

ReadBack match_in_question(const Command& command, std::string_view body, Clock::time_point since) {
  const std::string what = "JustAnswer GET /api/v2/questions/{q}";
  const auto undecided = [&what](const std::string& problem) {
    return read_back(ReadBack::Kind::undecided, what + " unreadable: " + problem);
  };
  auto object = sources::parse_object(std::string(body));
  if (!object) return undecided(object.error().message);
  const FieldReader root(object.value());
  if (auto refused = refusal(root)) {
    return read_back(ReadBack::Kind::undecided,
                     what + ": JustAnswer says status false: " + *refused);
  }
  auto data = root.required_object("data");
  if (!data) return undecided(data.error().message);
  auto question = data.value().required_object("question");
  if (!question) return undecided(question.error().message);
  // JustAnswer echoes the question: an answer about another one says nothing of this one.
  auto token = question.value().optional_id("token");
  if (!token) return undecided(token.error().message);
  if (token.value() && *token.value() != command.subject) {
    return read_back(ReadBack::Kind::undecided, what + ": the answer is about another question");
  }
  auto messages = read_messages(data.value(), question.value());
  if (!messages) return undecided(messages.error().message);
  if (command.type == CommandType::message_send) {
    return find_sent(command, messages.value(), since, what);
  }
  return find_state(command, messages.value(), what);
}

upstream::HttpRequest questions_request(const Command& command, unsigned page,
                                        const Credentials& credentials) {
  return upstream::HttpRequest{.target = std::string(kQuestions) + "?page=" + std::to_string(page) +
                                         "&pageSize=" + std::to_string(kQuestionsPageSize),
                               .headers = headers(command, credentials),
                               .replay_safe = true};
}

Result<QuestionsPage, std::string> read_questions_page(const Command& command,
                                                       std::string_view body,
                                                       Clock::time_point since) {
  auto object = sources::parse_object(std::string(body));
  if (!object) return object.error().message;
  const FieldReader root(object.value());
  if (auto refused = refusal(root)) return "JustAnswer says status false: " + *refused;
  auto data = root.required_object("data");
  if (!data) return data.error().message;
  auto total_pages = data.value().optional_integer("totalPages");
  if (!total_pages) return total_pages.error().message;
  auto items = sources::object_array(data.value(), "questions");
  if (!items) return items.error().message;

  QuestionsPage page{.questions = items.value().size(),
                     .total_pages = static_cast<unsigned>(
                         std::clamp<std::int64_t>(total_pages.value().value_or(0), 0, 1 << 20))};
  const auto text = trim_blanks(question_text(command));
  for (const auto& item : items.value()) {
    auto token = item.required_id("token");
    if (!token) return token.error().message;
    auto question = string_or_empty(item, "text", kMaxTextBytes);
    if (!question) return question.error().message;
    auto posted = posted_at(item, "postedDate");
    if (!posted) return posted.error().message;
    if (trim_blanks(question.value()) == text && posted.value() &&
        *posted.value() >= earliest(since)) {
      page.match = std::move(token).value();
      break;
    }
  }
  return page;
}

std::string_view bare_token(std::string_view token) {
  if (token.size() >= 2 && token.front() == '!' && token.back() == '!') {
    return token.substr(1, token.size() - 2);
  }
  return token;
}

}  // namespace parley::platforms::justanswer
