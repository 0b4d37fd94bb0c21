#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parley/common/time.hpp"
#include "parley/platforms/api_support.hpp"
#include "parley/platforms/cao/api.hpp"
#include "parley/platforms/cao/webhook.hpp"
#include "parley/sources/errors.hpp"
#include "parley/sources/json.hpp"

namespace parley::enrich {
namespace {

using sources::field_error;
using sources::FieldReader;
using sources::kMaxTextBytes;
using sources::kMaxUrlBytes;
using sources::object_array;
using sources::string_or_empty;

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
  return Error{sources::Errc::invalid, "CAO answered Status " + *status.value() + ": " +
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

Result<FetchedConversation, Error> read_cao_transcript(std::string_view body) {
  auto object = platforms::parse_body(body, "CAO transcript");
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

}  // namespace

Result<FetchedConversation, std::string> parse_cao_transcript(std::string_view body) {
  return platforms::with_message(read_cao_transcript(body));
}

}  // namespace parley::enrich
