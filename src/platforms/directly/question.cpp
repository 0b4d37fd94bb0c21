#include "parley/platforms/directly/question.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <optional>

#include "parley/common/json_writer.hpp"
#include "parley/common/time.hpp"
#include "parley/events/ids.hpp"
#include "parley/sources/crypto.hpp"
#include "parley/sources/json.hpp"

namespace parley::directly {
namespace {

using sources::FieldReader;
using sources::kMaxTextBytes;
using sources::object_array;
using sources::optional_bool;
using sources::string_or_empty;

constexpr std::string_view kPlatform = "directly";

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

struct Author {
  std::string uuid;
  std::string name;
};

Result<Author, Error> read_author(const FieldReader& object) {
  auto author = object.optional_object("author");
  if (!author) return author.error();
  if (!author.value()) return Author{};
  auto uuid = string_or_empty(*author.value(), "uuid");
  if (!uuid) return uuid.error();
  auto name = string_or_empty(*author.value(), "name");
  if (!name) return name.error();
  return Author{std::move(uuid).value(), std::move(name).value()};
}

/// Who wrote a response's message: the asker (same uuid, or same name when Directly
/// sends no uuids) is the customer; anyone else on a response is the expert.
std::string_view role_of(const Author& author, const Author& asker) {
  const bool same = !author.uuid.empty() ? author.uuid == asker.uuid
                                         : !author.name.empty() && author.name == asker.name;
  return same ? events::role::kCustomer : events::role::kExpert;
}

/// A Directly date as the events carry it: RFC 3339 UTC with milliseconds (what every other
/// platform's `time` and `sentAt` are), empty when Directly's text is not a date (`raw` keeps
/// it when events.include_raw is on). Only for published times: ids hash Directly's own text.
std::string utc_time(std::string_view text) {
  const auto parsed = parse_rfc3339(text);
  return parsed ? format_rfc3339(*parsed) : std::string();
}

Result<std::vector<SystemMessage>, Error> read_system_messages(const FieldReader& conversation) {
  auto items = object_array(conversation, "messages");
  if (!items) return items.error();
  std::vector<SystemMessage> system;
  for (const auto& item : items.value()) {
    auto type = string_or_empty(item, "type");
    if (!type) return type.error();
    auto created = string_or_empty(item, "createdAt");
    if (!created) return created.error();
    // The reduced model of seed 001 shows untyped system messages; they still count.
    system.push_back({type.value().empty() ? "SYSTEM_MESSAGE" : std::move(type).value(),
                      std::move(created).value()});
  }
  std::sort(system.begin(), system.end());
  return system;
}

Result<QuestionMessage, Error> read_message(const FieldReader& item, std::string id,
                                            const Author& asker) {
  auto uuid = sources::key_or_empty(item, "uuid");  // part of the event id
  if (!uuid) return uuid.error();
  auto body = string_or_empty(item, "body", kMaxTextBytes);
  if (!body) return body.error();
  auto created = string_or_empty(item, "createdAt");
  if (!created) return created.error();
  auto author = read_author(item);
  if (!author) return author.error();
  QuestionMessage message;
  message.message =
      events::Message{.id = uuid.value().empty() ? std::move(id) : std::move(uuid).value(),
                      .text = std::move(body).value(),
                      .author = {.role = std::string(role_of(author.value(), asker)),
                                 .id = author.value().uuid,
                                 .name = author.value().name},
                      .sent_at = utc_time(std::move(created).value())};
  message.raw_json = sources::compact(item.object());
  return message;
}

Result<std::vector<QuestionMessage>, Error> read_responses(const FieldReader& conversation,
                                                           const Author& asker,
                                                           QuestionState& state) {
  auto responses = object_array(conversation, "responses");
  if (!responses) return responses.error();
  std::vector<QuestionMessage> messages;
  for (const auto& response : responses.value()) {
    auto uuid = response.required_key("uuid");
    if (!uuid) return uuid.error();
    auto accepted = optional_bool(response, "isAccepted");
    if (!accepted) return accepted.error();
    if (accepted.value().value_or(false)) state.accepted_response = std::string(uuid.value());
    auto items = object_array(response, "messages");
    if (!items) return items.error();
    for (std::size_t i = 0; i < items.value().size(); ++i) {
      // Messages without a uuid: the response and the position, stable because Directly
      // only appends to a response.
      auto message = read_message(items.value()[i],
                                  std::string(uuid.value()) + ":" + std::to_string(i + 1), asker);
      if (!message) return message.error();
      messages.push_back(std::move(message).value());
    }
  }
  return messages;
}

Result<QuestionState, Error> read_state(const FieldReader& state_object) {
  QuestionState state;
  auto status = string_or_empty(state_object, "status");
  if (!status) return status.error();
  state.status = std::move(status).value();
  auto answered = optional_bool(state_object, "isAnswered");
  if (!answered) return answered.error();
  auto closed = optional_bool(state_object, "isClosed");
  if (!closed) return closed.error();
  auto reroute = state_object.optional_object("rerouteStatus");
  if (!reroute) return reroute.error();
  if (reroute.value()) {
    auto rerouted = optional_bool(*reroute.value(), "isRerouted");
    if (!rerouted) return rerouted.error();
    state.rerouted = rerouted.value().value_or(false);
  }
  state.answered = answered.value().value_or(false);
  state.closed = closed.value().value_or(false);
  return state;
}

Result<Question, Error> read_question(const FieldReader& data) {
  Question question;
  auto uuid = data.required_key("uuid");  // the record key, subject and part of event ids
  if (!uuid) return uuid.error();
  question.uuid = std::string(uuid.value());
  auto updated = string_or_empty(data, "updatedAt");
  if (!updated) return updated.error();
  question.updated_at = std::move(updated).value();  // verbatim: it is the next lastChecked
  auto created = string_or_empty(data, "createdAt");
  if (!created) return created.error();

  auto state_object = data.required_object("state");
  if (!state_object) return state_object.error();
  auto state = read_state(state_object.value());
  if (!state) return state.error();
  question.state = std::move(state).value();
  question.state_json = sources::compact(state_object.value().object());

  auto conversation = data.required_object("conversation");
  if (!conversation) return conversation.error();
  auto asker = read_author(conversation.value());
  if (!asker) return asker.error();
  question.customer_id = asker.value().uuid;
  auto text = string_or_empty(conversation.value(), "text", kMaxTextBytes);
  if (!text) return text.error();
  question.messages.push_back(
      QuestionMessage{.message = {.id = question.uuid,
                                  .text = std::move(text).value(),
                                  .author = {.role = std::string(events::role::kCustomer),
                                             .id = asker.value().uuid,
                                             .name = asker.value().name},
                                  .sent_at = utc_time(std::move(created).value())},
                      .raw_json = {}});
  auto system = read_system_messages(conversation.value());
  if (!system) return system.error();
  question.state.system_messages = std::move(system).value();
  auto messages = read_responses(conversation.value(), asker.value(), question.state);
  if (!messages) return messages.error();
  for (auto& message : messages.value())
    question.messages.push_back(std::move(message));
  return question;
}

std::uint64_t hash_of(const std::string& id) {
  return std::hash<std::string>{}(id);
}

std::string json_string(std::string_view text) {
  std::string out;
  json::append_string(out, text);
  return out;
}

std::string json_bool(bool value) {
  return value ? "true" : "false";
}

std::string json_types(const std::vector<SystemMessage>& messages) {
  std::string out = "[";
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) out.push_back(',');
    json::append_string(out, messages[i].type);
  }
  return out + "]";
}

/// What differs between `before` (null: nothing known) and `now`.
std::vector<events::Change> changes(const QuestionState* before, const QuestionState& now) {
  const auto text_or_null = [](const std::string& text) {
    return text.empty() ? std::string("null") : json_string(text);
  };
  std::vector<events::Change> out;
  // Knowing nothing before, every field that has a value is news.
  const auto add = [&](std::string_view field, const std::string& from, const std::string& to) {
    if (before == nullptr ? to != "null" : from != to) {
      out.push_back({std::string(field), before == nullptr ? "null" : from, to});
    }
  };
  const QuestionState none;
  const QuestionState& old = before != nullptr ? *before : none;
  add("status", text_or_null(old.status), text_or_null(now.status));
  add("answered", json_bool(old.answered), json_bool(now.answered));
  add("accepted", text_or_null(old.accepted_response), text_or_null(now.accepted_response));
  add("closed", json_bool(old.closed), json_bool(now.closed));
  add("rerouted", json_bool(old.rerouted), json_bool(now.rerouted));
  if (before == nullptr || old.system_messages != now.system_messages) {
    out.push_back({"systemMessages", before == nullptr ? "null" : json_types(old.system_messages),
                   json_types(now.system_messages)});
  }
  return out;
}

/// The same state always hashes the same, so a repeat after a restart keeps its id; a
/// system message coming back later has a new createdAt, so a real repeat gets a new id.
std::string state_digest(const QuestionState& state) {
  std::string canonical = state.status + "|" + json_bool(state.answered) + "|" +
                          json_bool(state.closed) + "|" + json_bool(state.rerouted) + "|" +
                          state.accepted_response;
  for (const auto& message : state.system_messages)
    canonical += "|" + message.type + "@" + message.created_at;
  return sources::to_hex(sources::sha256(canonical)).substr(0, 16);
}

/// The system message types `now` has and `before` had not: the platform's own name of
/// what happened, when there is one.
std::string platform_event(const QuestionState* before, const QuestionState& now) {
  for (const auto& message : now.system_messages) {
    const bool had =
        before != nullptr &&
        std::any_of(before->system_messages.begin(), before->system_messages.end(),
                    [&](const SystemMessage& old) { return old.type == message.type; });
    if (!had) return message.type;
  }
  return "question.state";
}

/// `time`, else the question's updatedAt, else now, in UTC: every event has a usable time.
std::string published_time(std::string_view time, std::string_view updated_at) {
  for (const auto candidate : {time, updated_at}) {
    auto utc = utc_time(candidate);
    if (!utc.empty()) return utc;
  }
  return format_rfc3339(std::chrono::system_clock::now());
}

events::CloudEvent base_event(std::string_view source, const Question& question, std::string id,
                              std::string_view type, const std::string& time) {
  return events::CloudEvent{
      .id = std::move(id),
      .source = "/parley/" + std::string(source),
      .type = std::string(type),
      .subject = question.uuid,
      .time = published_time(time, question.updated_at),
      .partition_key = std::string(source) + ":" + question.uuid,
      .data = {.platform = std::string(kPlatform),
               .source_name = std::string(source),
               .conversation = {.id = question.uuid, .customer_id = question.customer_id}}};
}

}  // namespace

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (const std::size_t dash : {8, 13, 18, 23}) {
    if (text[dash] != '-') return false;
  }
  return is_hex(text.substr(0, 8)) && is_hex(text.substr(9, 4)) && is_hex(text.substr(14, 4)) &&
         is_hex(text.substr(19, 4)) && is_hex(text.substr(24));
}

bool Question::finished() const {
  const bool has_end_message = std::any_of(
      state.system_messages.begin(), state.system_messages.end(), [](const SystemMessage& message) {
        return message.type == "QUESTION_CLOSED_SYSTEM_MESSAGE" ||
               message.type == "QUESTION_EXPIRED_SYSTEM_MESSAGE";
      });
  return state.closed || state.status == "CLOSED" || state.status == "EXPIRED" || has_end_message;
}

Result<Question, std::string> parse_question(const std::string& body) {
  auto envelope = sources::parse_object(body);
  if (!envelope) return envelope.error().message;
  const FieldReader fields(envelope.value());
  auto data = fields.required_object("data");
  if (!data) return data.error().message;
  auto question = read_question(data.value());
  if (!question) return question.error().message;
  return std::move(question).value();
}

KnownQuestion remember(const Question& question) {
  KnownQuestion known{.state = question.state};
  known.message_hashes.reserve(question.messages.size());
  for (const auto& message : question.messages)
    known.message_hashes.push_back(hash_of(message.message.id));
  std::sort(known.message_hashes.begin(), known.message_hashes.end());
  return known;
}

std::string watch_key(std::string_view source, std::string_view uuid) {
  if (source == kDefaultSource) return std::string(uuid);
  return std::string(source) + ":" + std::string(uuid);
}

std::string_view watch_owner(std::string_view key) {
  // A uuid holds no ':', so a bare one is the default source's.
  const auto colon = key.find(':');
  return colon == std::string_view::npos ? kDefaultSource : key.substr(0, colon);
}

std::optional<std::string> watched_uuid(std::string_view source, std::string_view key) {
  if (watch_owner(key) != source) return std::nullopt;
  const auto colon = key.find(':');
  const std::string_view uuid = colon == std::string_view::npos ? key : key.substr(colon + 1);
  if (!is_uuid(uuid)) return std::nullopt;
  return std::string(uuid);
}

std::vector<events::CloudEvent> question_events(const Question& question,
                                                const KnownQuestion* known, bool include_raw,
                                                std::string_view source) {
  std::vector<events::CloudEvent> out;
  for (const auto& message : question.messages) {
    if (known != nullptr &&
        std::binary_search(known->message_hashes.begin(), known->message_hashes.end(),
                           hash_of(message.message.id))) {
      continue;
    }
    auto event = base_event(source, question, events::message_event_id(source, message.message.id),
                            events::type::kMessageCreated, message.message.sent_at);
    event.data.platform_event =
        message.message.id == question.uuid ? "question.asked" : "response.message";
    event.data.message = message.message;
    if (include_raw) event.data.raw_json = message.raw_json;
    out.push_back(std::move(event));
  }
  const QuestionState* before = known != nullptr ? &known->state : nullptr;
  if (before == nullptr || *before != question.state) {
    auto event =
        base_event(source, question,
                   events::state_event_id(source, question.uuid, state_digest(question.state)),
                   events::type::kConversationUpdated, question.updated_at);
    event.data.platform_event = platform_event(before, question.state);
    event.data.conversation.status = question.state.status;
    event.data.conversation.closed = question.finished();
    event.data.changes = changes(before, question.state);
    if (include_raw) event.data.raw_json = question.state_json;
    out.push_back(std::move(event));
  }
  return out;
}

}  // namespace parley::directly
