#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parley/common/time.hpp"
#include "parley/platforms/api_support.hpp"
#include "parley/platforms/cao/webhook.hpp"
#include "parley/platforms/talkjs/api.hpp"
#include "parley/sources/json.hpp"

namespace parley::enrich {
namespace {

using sources::field_error;
using sources::FieldReader;
using sources::kMaxTextBytes;
using sources::kMaxUrlBytes;
using sources::object_array;
using sources::string_or_empty;

// Bounds the memory one fetched conversation can take; real conversations stay far below.
constexpr std::size_t kMaxItems = sources::kMaxArrayItems;

// createdAt beyond this overflows system_clock (libstdc++ counts nanoseconds: the year 2262).
constexpr std::int64_t kMaxUnixMilliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::system_clock::duration::max())
                                                  .count();

std::optional<Error> read_talkjs_participants(const FieldReader& conversation,
                                              std::vector<Participant>& participants) {
  auto value = conversation.member("participants");
  if (!value) return value.error();
  if (!value.value() || value.value()->is_null()) return std::nullopt;
  const std::string path = conversation.path_of("participants");
  if (!value.value()->is_object()) {
    return field_error(path, "must be an object, got " +
                                 std::string(sources::json_type_name(value.value()->type())));
  }
  const simdjson::dom::object object = value.value()->get_object().value_unsafe();
  if (object.size() > kMaxItems) {
    return field_error(path, "has " + std::to_string(object.size()) +
                                 " participants, over the limit of " + std::to_string(kMaxItems));
  }
  for (const auto field : object) {
    participants.push_back(
        Participant{.id = std::string(field.key), .role = std::string(events::role::kCustomer)});
  }
  return std::nullopt;
}

struct TalkJsMessage {
  std::int64_t created_at = 0;
  events::Message message;
};

Result<TalkJsMessage, Error> talkjs_message(const FieldReader& m) {
  auto id = m.required_id("id");
  if (!id) return id.error();
  auto sender_id = m.optional_id("senderId");
  if (!sender_id) return sender_id.error();
  auto text = string_or_empty(m, "text", kMaxTextBytes);
  if (!text) return text.error();
  auto type = string_or_empty(m, "type");
  if (!type) return type.error();
  auto created_at = m.optional_integer("createdAt");
  if (!created_at) return created_at.error();
  if (!created_at.value()) return field_error(m.path_of("createdAt"), "is required");
  const std::int64_t ms = *created_at.value();
  if (ms < 0 || ms > kMaxUnixMilliseconds) {
    return field_error(m.path_of("createdAt"), "must be unix milliseconds between 0 and " +
                                                   std::to_string(kMaxUnixMilliseconds) + ", got " +
                                                   std::to_string(ms));
  }
  auto attachment = m.optional_object("attachment");
  if (!attachment) return attachment.error();

  const bool system = type.value() == "SystemMessage";
  events::Message message{
      .id = std::move(id).value(),
      .text = std::move(text).value(),
      .author = events::Author{.role = std::string(system ? events::role::kSystem
                                                          : events::role::kCustomer),
                               .id = sender_id.value().value_or("")},
      .sent_at =
          format_rfc3339(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)))};
  if (attachment.value()) {
    auto read = platforms::read_attachment(*attachment.value(), "filename");
    if (!read) return read.error();
    message.attachments.push_back(std::move(read).value());
  }
  return TalkJsMessage{.created_at = ms, .message = std::move(message)};
}

Result<FetchedConversation, Error> read_talkjs_conversation(std::string_view conversation_body,
                                                            std::string_view messages_body) {
  FetchedConversation conversation;
  {
    // Read fully before the messages body is parsed: both share one per-thread parser.
    auto object = platforms::parse_body(conversation_body, "TalkJS conversation");
    if (!object) return object.error();
    const FieldReader root(object.value());
    auto id = root.required_id("id");
    if (!id) return id.error();
    auto subject = string_or_empty(root, "subject", kMaxTextBytes);
    if (!subject) return subject.error();
    conversation.id = std::move(id).value();
    conversation.subject = std::move(subject).value();
    if (auto error = read_talkjs_participants(root, conversation.participants)) return *error;
  }
  auto object = platforms::parse_body(messages_body, "TalkJS messages");
  if (!object) return object.error();
  auto items = object_array(FieldReader(object.value()), "data");
  if (!items) return items.error();
  std::vector<TalkJsMessage> messages;
  messages.reserve(items.value().size());
  for (const auto& item : items.value()) {
    auto message = talkjs_message(item);
    if (!message) return message.error();
    messages.push_back(std::move(message).value());
  }
  // The order TalkJS lists messages in is not documented; stable, so messages sent in the
  // same millisecond keep the order TalkJS gave them.
  std::ranges::stable_sort(messages, {}, &TalkJsMessage::created_at);
  for (auto& message : messages)
    conversation.messages.push_back(std::move(message.message));
  return conversation;
}

}  // namespace

Result<FetchedConversation, std::string> parse_talkjs_conversation(
    std::string_view conversation_body, std::string_view messages_body) {
  return platforms::with_message(read_talkjs_conversation(conversation_body, messages_body));
}

}  // namespace parley::enrich
