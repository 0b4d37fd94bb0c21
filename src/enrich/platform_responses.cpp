#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parley/common/time.hpp"
#include "parley/enrich/conversation.hpp"
#include "parley/sources/cao/cao.hpp"
#include "parley/sources/json.hpp"

namespace parley::enrich {
namespace {

using sources::field_error;
using sources::FieldReader;
using sources::kMaxIdBytes;
using sources::kMaxTextBytes;
using sources::kMaxUrlBytes;
using sources::object_array;
using sources::optional_bool;
using sources::string_or_empty;

// Bounds the memory one fetched conversation can take; real conversations stay far below.
constexpr std::size_t kMaxItems = sources::kMaxArrayItems;

// createdAt beyond this overflows system_clock (libstdc++ counts nanoseconds: the year 2262).
constexpr std::int64_t kMaxUnixMilliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::system_clock::duration::max())
                                                  .count();

Result<simdjson::dom::object, Error> parse_body(std::string_view body, std::string_view what) {
  auto object = sources::parse_object(std::string(body));
  if (!object) return Error{object.error().code, std::string(what) + ": " + object.error().message};
  return object.value();
}

Result<events::Attachment, Error> read_attachment(const FieldReader& attachment,
                                                  std::string_view name_field) {
  auto url = attachment.required_string("url", kMaxUrlBytes);
  if (!url) return url.error();
  auto name = string_or_empty(attachment, name_field);
  if (!name) return name.error();
  return events::Attachment{.url = std::string(url.value()), .name = std::move(name).value()};
}

// --- JustAnswer ---

// JustAnswer writes "2022-02-02 12:12:12" in UTC (its reference says so). CAO's ISO-like
// rules read it once the blank becomes a 'T', and also accept the 'T', fractions and
// offsets JustAnswer's .NET backend may send.
Result<std::string, Error> justanswer_date(const FieldReader& object, std::string_view name) {
  auto text = object.optional_string(name);
  if (!text) return text.error();
  if (!text.value()) return std::string();
  std::string iso(*text.value());
  if (iso.size() > 10 && iso[10] == ' ') iso[10] = 'T';
  auto time = sources::parse_cao_date(iso, object.path_of(name));
  if (!time) {
    return field_error(object.path_of(name), "not a JustAnswer date '" +
                                                 std::string(*text.value()) +
                                                 "'; expected YYYY-MM-DD hh:mm:ss (UTC)");
  }
  return format_rfc3339(time.value());
}

// JustAnswer's entity tables and its examples name two message fields differently
// (textMessage / text, postedDate / posted): either is read.
Result<std::string, Error> justanswer_text(const FieldReader& message) {
  auto text = string_or_empty(message, "text", kMaxTextBytes);
  if (!text || !text.value().empty()) return text;
  return string_or_empty(message, "textMessage", kMaxTextBytes);
}

Result<std::string, Error> justanswer_posted(const FieldReader& message) {
  auto posted = justanswer_date(message, "posted");
  if (!posted || !posted.value().empty()) return posted;
  return justanswer_date(message, "postedDate");
}

Result<std::vector<events::Attachment>, Error> justanswer_attachments(const FieldReader& owner) {
  auto items = object_array(owner, "attachments");
  if (!items) return items.error();
  std::vector<events::Attachment> attachments;
  for (const auto& item : items.value()) {
    auto attachment = read_attachment(item, "name");
    if (!attachment) return attachment.error();
    attachments.push_back(std::move(attachment).value());
  }
  return attachments;
}

// The expert of an expert message: `expert` {token, name, getSmallestPhotoUri}, else the
// entity table's authorId.
Result<events::Author, Error> justanswer_expert(const FieldReader& message) {
  events::Author author{.role = std::string(events::role::kExpert)};
  auto expert = message.optional_object("expert");
  if (!expert) return expert.error();
  if (!expert.value()) {
    auto author_id = message.optional_id("authorId");
    if (!author_id) return author_id.error();
    author.id = author_id.value().value_or("");
    return author;
  }
  const FieldReader& e = *expert.value();
  auto token = e.optional_id("token");
  if (!token) return token.error();
  auto name = string_or_empty(e, "name");
  if (!name) return name.error();
  auto photo = string_or_empty(e, "getSmallestPhotoUri", kMaxUrlBytes);
  if (!photo) return photo.error();
  author.id = token.value().value_or("");
  author.name = std::move(name).value();
  author.avatar_url = std::move(photo).value();
  return author;
}

struct JustAnswerMessage {
  events::Message message;
  std::optional<bool> accepted;  // isMessageExpertAcceptedAnswer, when sent
};

Result<JustAnswerMessage, Error> justanswer_message(const FieldReader& m,
                                                    std::string_view customer_id) {
  auto token = m.required_id("token");
  if (!token) return token.error();
  auto text = justanswer_text(m);
  if (!text) return text.error();
  auto posted = justanswer_posted(m);
  if (!posted) return posted.error();
  auto attachments = justanswer_attachments(m);
  if (!attachments) return attachments.error();
  auto is_expert = optional_bool(m, "isExpertMessage");
  if (!is_expert) return is_expert.error();
  auto accepted = optional_bool(m, "isMessageExpertAcceptedAnswer");
  if (!accepted) return accepted.error();

  events::Author author{.role = std::string(events::role::kCustomer),
                        .id = std::string(customer_id)};
  if (is_expert.value().value_or(false)) {
    auto expert = justanswer_expert(m);
    if (!expert) return expert.error();
    author = std::move(expert).value();
  }
  return JustAnswerMessage{
      .message = events::Message{.id = std::move(token).value(),
                                 .text = std::move(text).value(),
                                 .author = std::move(author),
                                 .sent_at = std::move(posted).value(),
                                 .attachments = std::move(attachments).value()},
      .accepted = accepted.value()};
}

// The question itself, as the conversation's first message.
std::optional<Error> read_question(const FieldReader& question, FetchedConversation& conversation) {
  auto token = question.required_id("token");
  if (!token) return token.error();
  auto text = string_or_empty(question, "text", kMaxTextBytes);
  if (!text) return text.error();
  auto posted = justanswer_date(question, "postedDate");
  if (!posted) return posted.error();
  auto attachments = justanswer_attachments(question);
  if (!attachments) return attachments.error();
  auto closed = optional_bool(question, "isClosed");
  if (!closed) return closed.error();

  conversation.id = token.value();
  if (closed.value()) {
    conversation.closed = closed.value();
    conversation.status = *closed.value() ? "closed" : "open";
  }
  conversation.messages.push_back(
      events::Message{.id = std::move(token).value(),
                      .text = std::move(text).value(),
                      .author = events::Author{.role = std::string(events::role::kCustomer),
                                               .id = conversation.customer_id},
                      .sent_at = std::move(posted).value(),
                      .attachments = std::move(attachments).value()});
  return std::nullopt;
}

std::optional<Error> read_justanswer_messages(const FieldReader& data,
                                              FetchedConversation& conversation) {
  auto items = object_array(data, "messages");
  if (!items) return items.error();
  for (const auto& item : items.value()) {
    auto message = justanswer_message(item, conversation.customer_id);
    if (!message) return message.error();
    if (message.value().accepted) {
      conversation.accepted = conversation.accepted.value_or(false) || *message.value().accepted;
    }
    conversation.messages.push_back(std::move(message).value().message);
  }
  return std::nullopt;
}

std::optional<Error> read_experts(const FieldReader& data, std::vector<Participant>& participants) {
  auto items = object_array(data, "experts");
  if (!items) return items.error();
  for (const auto& item : items.value()) {
    auto token = item.required_id("token");
    if (!token) return token.error();
    auto name = string_or_empty(item, "name");
    if (!name) return name.error();
    auto avatar = string_or_empty(item, "avatarUrlSmall", kMaxUrlBytes);
    if (!avatar) return avatar.error();
    participants.push_back(Participant{.id = std::move(token).value(),
                                       .name = std::move(name).value(),
                                       .role = std::string(events::role::kExpert),
                                       .avatar_url = std::move(avatar).value()});
  }
  return std::nullopt;
}

// `{"status": false, "message": "..."}` is JustAnswer's refusal, whatever the HTTP status.
std::optional<Error> justanswer_refusal(const FieldReader& body) {
  auto status = optional_bool(body, "status");
  if (!status) return status.error();
  if (status.value().value_or(true)) return std::nullopt;
  auto message = string_or_empty(body, "message", kMaxTextBytes);
  return Error{
      Errc::bad_request,
      "JustAnswer answered status false: " +
          (message && !message.value().empty() ? message.value() : std::string("(no message)"))};
}

// --- CAO ---

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) { return (x | 0x20) == (y | 0x20); });
}

// CAO documents Agent, Customer and Consumer. A speaker role CAO adds later must not make
// every transcript with it unreadable, so it is taken as the system speaking.
std::string_view cao_role(std::string_view speaker_role) {
  if (equals_ignoring_case(speaker_role, "Agent")) return events::role::kAgent;
  if (equals_ignoring_case(speaker_role, "Customer") ||
      equals_ignoring_case(speaker_role, "Consumer")) {
    return events::role::kCustomer;
  }
  return events::role::kSystem;
}

// Status 0 is success; 1 (or anything else) comes with FailureDescription.
std::optional<Error> cao_failure(const FieldReader& body) {
  auto status = body.optional_id("Status");
  if (!status) return status.error();
  if (status.value().value_or("0") == "0") return std::nullopt;
  auto description = string_or_empty(body, "FailureDescription", kMaxTextBytes);
  return Error{Errc::bad_request, "CAO answered Status " + *status.value() + ": " +
                                      (description && !description.value().empty()
                                           ? description.value()
                                           : std::string("(no FailureDescription)"))};
}

Result<events::Message, Error> cao_message(const FieldReader& m, std::size_t index,
                                           const FetchedConversation& conversation) {
  auto timestamp = m.required_string("TimeStamp");
  if (!timestamp) return timestamp.error();
  auto sent_at = sources::parse_cao_date(timestamp.value(), m.path_of("TimeStamp"));
  if (!sent_at) return sent_at.error();
  auto speaker_name = string_or_empty(m, "SpeakerName");
  if (!speaker_name) return speaker_name.error();
  auto speaker_role = m.required_string("SpeakerRole");
  if (!speaker_role) return speaker_role.error();
  auto text = m.required_string("Message", kMaxTextBytes, /*allow_empty=*/true);
  if (!text) return text.error();
  auto media_url = string_or_empty(m, "MediaURL", kMaxUrlBytes);
  if (!media_url) return media_url.error();
  auto message_id = m.optional_id("MessageId");
  if (!message_id) return message_id.error();

  events::Message message{
      .id = message_id.value().value_or(conversation.id + ":" + std::to_string(index)),
      .text = std::string(text.value()),
      .author = events::Author{.role = std::string(cao_role(speaker_role.value())),
                               .name = std::move(speaker_name).value()},
      .sent_at = format_rfc3339(sent_at.value())};
  // Only the consumer has an id in a transcript: the conversation's ConsumerId.
  if (message.author.role == events::role::kCustomer) message.author.id = conversation.customer_id;
  if (!media_url.value().empty()) {
    message.attachments.push_back(events::Attachment{.url = std::move(media_url).value()});
  }
  return message;
}

void add_speaker(std::vector<Participant>& participants, const events::Author& author) {
  const bool known = std::ranges::any_of(participants, [&](const Participant& p) {
    return p.role == author.role && p.name == author.name && p.id == author.id;
  });
  if (!known) {
    participants.push_back(Participant{.id = author.id, .name = author.name, .role = author.role});
  }
}

// --- TalkJS ---

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
    auto read = read_attachment(*attachment.value(), "filename");
    if (!read) return read.error();
    message.attachments.push_back(std::move(read).value());
  }
  return TalkJsMessage{.created_at = ms, .message = std::move(message)};
}

Result<FetchedConversation, Error> read_justanswer_question(std::string_view body,
                                                            std::string_view customer_id) {
  auto object = parse_body(body, "JustAnswer question");
  if (!object) return object.error();
  const FieldReader root(object.value());
  if (auto refusal = justanswer_refusal(root)) return *refusal;
  auto data = root.required_object("data");
  if (!data) return data.error();
  auto question = data.value().required_object("question");
  if (!question) return question.error();

  FetchedConversation conversation;
  conversation.customer_id = customer_id;
  if (!customer_id.empty()) {
    conversation.participants.push_back(
        Participant{.id = std::string(customer_id), .role = std::string(events::role::kCustomer)});
  }
  if (auto error = read_question(question.value(), conversation)) return *error;
  if (auto error = read_justanswer_messages(data.value(), conversation)) return *error;
  if (auto error = read_experts(data.value(), conversation.participants)) return *error;
  return conversation;
}

Result<FetchedConversation, Error> read_cao_transcript(std::string_view body) {
  auto object = parse_body(body, "CAO transcript");
  if (!object) return object.error();
  const FieldReader root(object.value());
  if (auto failure = cao_failure(root)) return *failure;
  auto visit_id = root.required_id("VisitId");
  if (!visit_id) return visit_id.error();
  auto consumer_id = root.optional_id("ConsumerId");
  if (!consumer_id) return consumer_id.error();
  auto session_id = root.optional_id("SessionId");
  if (!session_id) return session_id.error();
  auto items = object_array(root, "Messages");
  if (!items) return items.error();

  FetchedConversation conversation;
  conversation.id = std::move(visit_id).value();
  conversation.customer_id = consumer_id.value().value_or("");
  conversation.session_id = session_id.value().value_or("");
  for (std::size_t i = 0; i < items.value().size(); ++i) {
    auto message = cao_message(items.value()[i], i, conversation);
    if (!message) return message.error();
    if (const auto given = items.value()[i].optional_id("MessageId"); given && !given.value()) {
      conversation.made_up_ids.insert(message.value().id);
    }
    add_speaker(conversation.participants, message.value().author);
    conversation.messages.push_back(std::move(message).value());
  }
  return conversation;
}

Result<FetchedConversation, Error> read_talkjs_conversation(std::string_view conversation_body,
                                                            std::string_view messages_body) {
  FetchedConversation conversation;
  {
    // Read fully before the messages body is parsed: both share one per-thread parser.
    auto object = parse_body(conversation_body, "TalkJS conversation");
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
  auto object = parse_body(messages_body, "TalkJS messages");
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

// The readers above share sources' Error; the API gives its message.
Result<FetchedConversation, std::string> with_message(Result<FetchedConversation, Error> read) {
  if (!read) return read.error().message;
  return std::move(read).value();
}

}  // namespace

Result<FetchedConversation, std::string> parse_justanswer_question(std::string_view body,
                                                                   std::string_view customer_id) {
  return with_message(read_justanswer_question(body, customer_id));
}

Result<FetchedConversation, std::string> parse_cao_transcript(std::string_view body) {
  return with_message(read_cao_transcript(body));
}

Result<FetchedConversation, std::string> parse_talkjs_conversation(
    std::string_view conversation_body, std::string_view messages_body) {
  return with_message(read_talkjs_conversation(conversation_body, messages_body));
}

}  // namespace parley::enrich
