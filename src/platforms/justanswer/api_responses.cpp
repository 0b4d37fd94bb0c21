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
#include "parley/platforms/justanswer/api.hpp"
#include "parley/sources/errors.hpp"
#include "parley/sources/json.hpp"

namespace parley::enrich {
namespace {

using sources::field_error;
using sources::FieldReader;
using sources::kMaxTextBytes;
using sources::kMaxUrlBytes;
using sources::object_array;
using sources::optional_bool;
using sources::string_or_empty;

Result<std::string, Error> justanswer_date(const FieldReader& object, std::string_view name) {
  auto text = object.optional_string(name);
  if (!text) return text.error();
  if (!text.value()) return std::string();
  auto time = parse_justanswer_time(*text.value());
  if (!time) {
    return field_error(object.path_of(name), "not a JustAnswer date '" +
                                                 std::string(*text.value()) +
                                                 "'; expected YYYY-MM-DD hh:mm:ss (UTC)");
  }
  return format_rfc3339(*time);
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
    auto attachment = platforms::read_attachment(item, "name");
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
      sources::Errc::invalid,
      "JustAnswer answered status false: " +
          (message && !message.value().empty() ? message.value() : std::string("(no message)"))};
}

Result<FetchedConversation, Error> read_justanswer_question(std::string_view body,
                                                            std::string_view customer_id) {
  auto object = platforms::parse_body(body, "JustAnswer question");
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

}  // namespace

// CAO's ISO-like rules read JustAnswer's "2022-02-02 12:12:12" once the blank becomes a 'T',
// and also accept the 'T', fractions and offsets JustAnswer's .NET backend may send.
std::optional<std::chrono::system_clock::time_point> parse_justanswer_time(std::string_view text) {
  std::string iso(text);
  if (iso.size() > 10 && iso[10] == ' ') iso[10] = 'T';
  auto time = sources::parse_cao_date(iso);
  if (!time) return std::nullopt;
  return time.value();
}

Result<FetchedConversation, std::string> parse_justanswer_question(std::string_view body,
                                                                   std::string_view customer_id) {
  return platforms::with_message(read_justanswer_question(body, customer_id));
}

}  // namespace parley::enrich
