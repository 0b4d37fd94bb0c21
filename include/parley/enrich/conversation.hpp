#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "parley/common/error.hpp"
#include "parley/common/result.hpp"
#include "parley/events/cloud_event.hpp"

namespace parley::enrich {

/// Someone taking part in a conversation (customer, expert, agent).
struct Participant {
  std::string id;
  std::string name;
  std::string role;  ///< one of events::role::*
  std::string avatar_url;
};

/// A conversation as fetched from a platform's REST API, normalized: the value of
/// `data.conversation` on the enriched topic. Messages have the same shape as
/// `data.message` at ingest. A plain value.
struct FetchedConversation {
  std::string id;
  std::string customer_id;
  std::string session_id;
  std::string subject;
  std::string status;            ///< normalized: "open", "closed", "paused", "awaiting_department"
  std::string platform_status;   ///< the platform's own value, verbatim ("1")
  std::optional<bool> closed;    ///< written when the platform says
  std::optional<bool> accepted;  ///< JustAnswer: an expert answer was accepted
  std::vector<Participant> participants;
  std::vector<events::Message> messages;  ///< oldest first
  /// Ids parley made up for messages the platform gave none (CAO entries without a
  /// MessageId): they match no webhook's id, so they are never published as events of
  /// their own. Not written by to_json.
  std::set<std::string> made_up_ids;
};

/// The JSON object of `data.conversation` (empty strings and absent optionals omitted;
/// `participants` and `messages` always written, possibly empty).
std::string to_json(const FetchedConversation& conversation);

/// What the enrichment stage reads of an event from the events topic.
struct EventRef {
  std::string id;
  std::string source;
  std::string type;
  std::string platform;  ///< data.platform
  /// data.source: the source's name, which picks its API; data.platform when absent
  /// (events published before sources had names).
  std::string source_name;
  std::string conversation_id;  ///< data.conversation.id (empty for user events)
  std::string customer_id;      ///< data.conversation.customerId (JustAnswer userToken)
  std::string message_id;       ///< data.message.id or data.receipt.messageId, if any
  std::string platform_event;   ///< data.platformEvent, if any

  /// source_name, or the platform when it is empty (the default source's name).
  std::string name() const { return source_name.empty() ? platform : source_name; }
};

/// The record key of `event`'s conversation: "<source name>:<conversation id>".
std::string conversation_key(const EventRef& event);

/// What a message found by a fetch is published as on the events topic:
/// `parley.message.created` with the message's id (events::message_event_id of
/// `about.source_name`), `about`'s source, conversation and record key, `time` = the
/// message's sentAt (else `fallback_time`) and `data.platformEvent` = `platform_event`
/// ("enrichment.discovered", "backfill.discovered"). Pure.
events::CloudEvent message_created_event(const EventRef& about, const events::Message& message,
                                         std::string_view fallback_time,
                                         std::string_view platform_event);

/// Reads the fields of EventRef from a structured-mode CloudEvent (as events::to_json
/// writes it). Required: id, source, type, data.platform, and data.conversation.id /
/// data.message.id when those objects are present. Errors name the missing or mistyped
/// field ("field data.platform: is required") or say the text is not a JSON object.
/// Pure function; thread-safe (parses with a per-thread parser).
Result<EventRef, std::string> read_event(std::string_view event_json);

/// `data.enrichment`.
struct Enrichment {
  std::string status;      ///< "ok", "failed", "not_applicable"
  std::string fetched_at;  ///< RFC 3339; empty when nothing was fetched
  unsigned attempts = 0;
  std::string error;  ///< empty unless failed
};

/// `{status, fetchedAt, attempts, error}`; empty strings omitted, attempts always written.
std::string to_json(const Enrichment& enrichment);

/// The enriched event: `event_json` with `data.conversation` replaced by
/// `conversation_json` (kept as is when that is empty; added at the end of `data` when
/// the event has none, as user events) and `data.enrichment` set to `enrichment_json`,
/// always the last member of `data` (an existing one is dropped). Every other member's value
/// is copied byte for byte as written, in order (so `data.raw` stays the platform's bytes and
/// a number no parser holds survives). `conversation_json` and `enrichment_json` are
/// copied as is: pass what to_json wrote. Errors when `event_json` is not a JSON object
/// with exactly one object `data` (or has two `data.conversation`): bad_request, the
/// message naming the field. (The error is an Error, not a string, because Result cannot
/// hold a string as both value and error.) Pure; thread-safe.
Result<std::string, Error> splice_enrichment(std::string_view event_json,
                                             std::string_view conversation_json,
                                             std::string_view enrichment_json);

/// `event_json` without `data.enrichment`: the event as ingest published it, from an
/// enriched or dead-lettered copy (data.conversation keeps what the copy carries). Errors
/// as splice_enrichment's. Pure; thread-safe.
Result<std::string, Error> strip_enrichment(std::string_view event_json);

}  // namespace parley::enrich
