#pragma once

#include <string>
#include <utility>
#include <vector>

namespace parley::events {

/// Event types of the contract (DESIGN.md "Events on Kafka"; every type is in docs/events.md).
namespace type {
inline constexpr const char* kConversationUpdated = "parley.conversation.updated";
}  // namespace type

/// The conversation an event belongs to.
struct Conversation {
  std::string id;
  std::string customer_id;  ///< platform's customer identifier when the webhook names one
};

/// `data` of a parley event: the normalized fields plus the platform's own payload.
struct EventData {
  std::string platform;        ///< "justanswer", "cao", "talkjs", "directly"
  std::string platform_event;  ///< the platform's own event name, verbatim
  Conversation conversation;
  std::string raw_json;  ///< the original payload as compact JSON; empty = omitted
};

/// A CloudEvents 1.0 event as parley publishes it. A plain value.
struct CloudEvent {
  std::string id;
  std::string source;  ///< "/parley/<platform>"
  std::string type;
  std::string subject;        ///< conversation id
  std::string time;           ///< RFC 3339, when the platform says it happened
  std::string partition_key;  ///< "<platform>:<conversation id>", also the Kafka record key
  EventData data;
};

/// The event as a Kafka record: key, value (structured-mode JSON) and headers.
struct EncodedEvent {
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Structured-mode JSON of the whole event (value of the Kafka record).
std::string to_json(const CloudEvent& event);

/// Key, structured JSON value, and the content-type and ce_* headers consumers route on.
EncodedEvent encode(const CloudEvent& event);

}  // namespace parley::events
