#include "parley/enrich/conversation.hpp"

#include <simdjson.h>

#include <optional>
#include <string>
#include <utility>

#include "parley/common/json_writer.hpp"
#include "parley/events/ids.hpp"
#include "parley/sources/errors.hpp"
#include "parley/sources/json.hpp"

namespace parley::enrich {
namespace {

using json::ObjectWriter;
using sources::FieldReader;

void append_participant(std::string& out, const Participant& participant) {
  ObjectWriter w(out);
  w.string("id", participant.id);
  w.string("name", participant.name);
  w.string("role", participant.role);
  w.string("avatarUrl", participant.avatar_url);
}

template <class T, class AppendItem>
void append_array(std::string& out, const std::vector<T>& items, AppendItem append_item) {
  out.push_back('[');
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.push_back(',');
    append_item(out, items[i]);
  }
  out.push_back(']');
}

void append_flag(ObjectWriter& w, std::string_view name, std::optional<bool> flag) {
  if (flag) w.key(name) += *flag ? "true" : "false";
}

// data.conversation {id, customerId}; a user event has none.
std::optional<Error> read_conversation(const FieldReader& data, EventRef& out) {
  auto conversation = data.optional_object("conversation");
  if (!conversation) return conversation.error();
  if (!conversation.value()) return std::nullopt;
  auto id = conversation.value()->required_string("id");
  if (!id) return id.error();
  auto customer_id = string_or_empty(*conversation.value(), "customerId");
  if (!customer_id) return customer_id.error();
  out.conversation_id = id.value();
  out.customer_id = std::move(customer_id).value();
  return std::nullopt;
}

// The id of the message the event is about: data.message.id, else data.receipt.messageId.
std::optional<Error> read_message_id(const FieldReader& data, EventRef& out) {
  auto message = data.optional_object("message");
  if (!message) return message.error();
  if (message.value()) {
    auto id = message.value()->required_string("id");
    if (!id) return id.error();
    out.message_id = id.value();
    return std::nullopt;
  }
  auto receipt = data.optional_object("receipt");
  if (!receipt) return receipt.error();
  if (!receipt.value()) return std::nullopt;
  auto id = string_or_empty(*receipt.value(), "messageId");
  if (!id) return id.error();
  out.message_id = std::move(id).value();
  return std::nullopt;
}

Result<EventRef, Error> read_event_ref(std::string_view event_json) {
  auto object = sources::parse_object(std::string(event_json));
  if (!object) return object.error();
  const FieldReader event(object.value());
  EventRef out;
  for (auto [name, target] :
       {std::pair{"id", &out.id}, std::pair{"source", &out.source}, std::pair{"type", &out.type}}) {
    auto value = event.required_string(name);
    if (!value) return value.error();
    *target = value.value();
  }
  auto data = event.required_object("data");
  if (!data) return data.error();
  auto platform = data.value().required_string("platform");
  if (!platform) return platform.error();
  out.platform = platform.value();
  auto source_name = string_or_empty(data.value(), "source");
  if (!source_name) return source_name.error();
  out.source_name = source_name.value().empty() ? out.platform : std::move(source_name).value();
  auto platform_event = string_or_empty(data.value(), "platformEvent");
  if (!platform_event) return platform_event.error();
  out.platform_event = std::move(platform_event).value();
  if (auto error = read_conversation(data.value(), out)) return *error;
  if (auto error = read_message_id(data.value(), out)) return *error;
  return out;
}

// The members of `data` (its text, `data_json`) with conversation and enrichment replaced,
// order kept, every other value copied as written.
Result<std::string, Error> enriched_data(std::string_view data_json, bool has_conversation,
                                         std::string_view conversation_json,
                                         std::string_view enrichment_json) {
  auto members = sources::raw_members(data_json);
  if (!members) return sources::field_error("data", "is not a JSON object");
  std::string out;
  out.reserve(data_json.size() + conversation_json.size() + enrichment_json.size() + 32);
  {
    ObjectWriter w(out);
    for (const auto& member : *members) {
      if (member.name == "enrichment") continue;  // an event enriched before is enriched anew
      if (member.name == "conversation" && !conversation_json.empty()) {
        w.key(member.name) += conversation_json;
      } else {
        w.key(member.name) += member.value_json;
      }
    }
    // User events carry no conversation; a fetched one is still worth publishing.
    if (!has_conversation && !conversation_json.empty()) w.key("conversation") += conversation_json;
    w.key("enrichment") += enrichment_json;
  }
  return out;
}

// `event_json` with the value of its member `data` replaced by `rewrite(data's text)`, every
// other member copied as written (`raw` above all: the platform's bytes, verbatim), or an
// error naming the field. Validates the event first (parse_object: an object with exactly
// one object `data`).
template <class Rewrite>
Result<std::string, Error> rewrite_data(std::string_view event_json, Rewrite rewrite) {
  auto object = sources::parse_object(std::string(event_json));
  if (!object) return object.error();
  const FieldReader event(object.value());
  auto data = event.required_object("data");
  if (!data) return data.error();
  auto members = sources::raw_members(event_json);
  if (!members) return Error{sources::Errc::invalid, "event is not a JSON object"};
  std::string out;
  out.reserve(event_json.size() + 64);
  {
    ObjectWriter w(out);
    for (const auto& member : *members) {
      if (member.name != "data") {
        w.key(member.name) += member.value_json;
        continue;
      }
      auto value = rewrite(data.value(), member.value_json);
      if (!value) return value.error();
      w.key(member.name) += value.value();
    }
  }
  return out;
}

}  // namespace

std::string to_json(const FetchedConversation& conversation) {
  std::string out;
  {
    ObjectWriter w(out);
    w.string("id", conversation.id);
    w.string("customerId", conversation.customer_id);
    w.string("sessionId", conversation.session_id);
    w.string("subject", conversation.subject);
    w.string("status", conversation.status);
    w.string("platformStatus", conversation.platform_status);
    append_flag(w, "closed", conversation.closed);
    append_flag(w, "accepted", conversation.accepted);
    append_array(w.key("participants"), conversation.participants, append_participant);
    append_array(w.key("messages"), conversation.messages, events::append_message);
  }
  return out;
}

std::string to_json(const Enrichment& enrichment) {
  std::string out;
  {
    ObjectWriter w(out);
    w.string("status", enrichment.status);
    w.string("fetchedAt", enrichment.fetched_at);
    w.key("attempts") += std::to_string(enrichment.attempts);
    w.string("error", enrichment.error);
  }
  return out;
}

std::string conversation_key(const EventRef& event) {
  return event.name() + ":" + event.conversation_id;
}

events::CloudEvent message_created_event(const EventRef& about, const events::Message& message,
                                         std::string_view fallback_time,
                                         std::string_view platform_event) {
  return events::CloudEvent{
      .id = events::message_event_id(about.name(), message.id),
      .source = about.source,
      .type = std::string(events::type::kMessageCreated),
      .subject = about.conversation_id,
      .time = message.sent_at.empty() ? std::string(fallback_time) : message.sent_at,
      .partition_key = conversation_key(about),
      .data = {.platform = about.platform,
               .source_name = about.name(),
               .platform_event = std::string(platform_event),
               .conversation = {.id = about.conversation_id, .customer_id = about.customer_id},
               .message = message}};
}

Result<EventRef, std::string> read_event(std::string_view event_json) {
  auto event = read_event_ref(event_json);
  if (!event) return event.error().message;
  return std::move(event).value();
}

Result<std::string, Error> splice_enrichment(std::string_view event_json,
                                             std::string_view conversation_json,
                                             std::string_view enrichment_json) {
  return rewrite_data(
      event_json,
      [&](const FieldReader& data, std::string_view data_json) -> Result<std::string, Error> {
        // Also refuses a duplicated conversation, which would be replaced twice.
        auto conversation = data.member("conversation");
        if (!conversation) return conversation.error();
        return enriched_data(data_json, conversation.value().has_value(), conversation_json,
                             enrichment_json);
      });
}

Result<std::string, Error> strip_enrichment(std::string_view event_json) {
  return rewrite_data(
      event_json,
      [](const FieldReader& /*data*/, std::string_view data_json) -> Result<std::string, Error> {
        auto members = sources::raw_members(data_json);
        if (!members) return sources::field_error("data", "is not a JSON object");
        std::string out;
        out.reserve(data_json.size());
        {
          ObjectWriter data(out);
          for (const auto& member : *members) {
            if (member.name != "enrichment") {
              data.key(member.name) += member.value_json;
            }
          }
        }
        return out;
      });
}

}  // namespace parley::enrich
