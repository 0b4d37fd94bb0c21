#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::events {

/// Every event type parley can emit. docs/events.md documents each one (a test checks);
/// sources use only these constants.
namespace type {
inline constexpr std::string_view kMessageCreated = "parley.message.created";
inline constexpr std::string_view kMessageUpdated = "parley.message.updated";
inline constexpr std::string_view kMessageDeleted = "parley.message.deleted";
inline constexpr std::string_view kMessageDelivered = "parley.message.delivered";
inline constexpr std::string_view kMessageRead = "parley.message.read";
inline constexpr std::string_view kMessageReceipt = "parley.message.receipt";
inline constexpr std::string_view kConversationUpdated = "parley.conversation.updated";
inline constexpr std::string_view kConversationDeleted = "parley.conversation.deleted";
inline constexpr std::string_view kUserCreated = "parley.user.created";
inline constexpr std::string_view kUserUpdated = "parley.user.updated";
inline constexpr std::string_view kNotificationTriggered = "parley.notification.triggered";
inline constexpr std::string_view kNotificationSent = "parley.notification.sent";
inline constexpr std::string_view kNotificationDelivered = "parley.notification.delivered";
inline constexpr std::string_view kNotificationBounced = "parley.notification.bounced";
inline constexpr std::string_view kNotificationOpened = "parley.notification.opened";
inline constexpr std::string_view kNotificationLinkClicked = "parley.notification.link_clicked";
inline constexpr std::string_view kPlatformUnmapped = "parley.platform.unmapped";

inline constexpr std::array kAll = {
    kMessageCreated,        kMessageUpdated,      kMessageDeleted,        kMessageDelivered,
    kMessageRead,           kMessageReceipt,      kConversationUpdated,   kConversationDeleted,
    kUserCreated,           kUserUpdated,         kNotificationTriggered, kNotificationSent,
    kNotificationDelivered, kNotificationBounced, kNotificationOpened,    kNotificationLinkClicked,
    kPlatformUnmapped};
}  // namespace type

/// Author roles of data.message.author.role.
namespace role {
inline constexpr std::string_view kCustomer = "customer";
inline constexpr std::string_view kExpert = "expert";
inline constexpr std::string_view kAgent = "agent";
inline constexpr std::string_view kSystem = "system";
}  // namespace role

/// Receipt statuses of data.receipt.status.
namespace receipt_status {
inline constexpr std::string_view kDelivered = "delivered";
inline constexpr std::string_view kRead = "read";
inline constexpr std::string_view kUnknown = "unknown";
}  // namespace receipt_status

// The data model. Every string member is written only when non-empty, every optional
// only when present: consumers see a field exactly when the platform supplied it.

struct Conversation {
  std::string id;           ///< the conversation id (also the event's subject)
  std::string customer_id;  ///< the platform's customer identifier
  std::string session_id;   ///< CAO SessionId
  std::string subject;      ///< a title, when the platform has one (TalkJS)
  std::string status;       ///< the platform's status, verbatim, when the event carries it
  std::optional<bool> closed;
};

struct Author {
  std::string role;  ///< one of role::*
  std::string id;
  std::string name;
  std::string avatar_url;
};

struct Attachment {
  std::string url;
  std::string name;
};

struct Message {
  std::string id;
  std::string text;
  Author author;
  std::string sent_at;  ///< RFC 3339
  std::vector<Attachment> attachments;
  /// The id parley gave the platform for a message it sent for a command (the command id),
  /// as the platform echoes it (TalkJS custom.parleyCommandId); empty otherwise.
  std::string external_id;
};

struct Receipt {
  std::string message_id;
  std::string status;               ///< one of receipt_status::*
  std::string platform_status;      ///< the platform's own value, verbatim ("2")
  std::string external_message_id;  ///< the publisher's id for the message (CAO)
  std::string reader_id;            ///< who read it, when known (TalkJS)
};

struct User {
  std::string id;
  std::string name;
  std::string role;  ///< the platform's own role name
  std::string avatar_url;
  std::vector<std::string> emails;
};

struct Notification {
  std::string id;
  std::string recipient_id;
};

/// One thing a conversation.updated event says changed. `from` and `to` are JSON values
/// as text ("\"UNRESOLVED\"", "true", "null"), written verbatim.
struct Change {
  std::string field;
  std::string from;
  std::string to;
};

/// `data` of a parley event: the normalized fields plus the platform's own payload.
struct EventData {
  std::string platform;        ///< "justanswer", "cao", "talkjs", "directly"
  std::string source_name;     ///< data.source: the source's name (sources.<name>)
  std::string platform_event;  ///< the platform's own event name, verbatim
  Conversation conversation;   ///< omitted when its id is empty
  std::optional<Message> message;
  std::optional<Receipt> receipt;
  std::optional<User> user;
  std::optional<Notification> notification;
  std::vector<Change> changes;  ///< conversation.updated: what changed; empty = omitted
  std::string raw_json;         ///< the original payload as compact JSON; empty = omitted
};

/// A CloudEvents 1.0 event as parley publishes it. A plain value.
/// An optional field normalization dropped (unusable value) or resolved (two spellings
/// that disagree). Counted and logged, never encoded: the value stays in `raw`.
struct FieldWarning {
  std::string field;    ///< the field's path as the platform names it ("AgentImageURL")
  std::string problem;  ///< what was wrong and what parley did
};

struct CloudEvent {
  std::string id;
  std::string source;         ///< "/parley/<source>" (TalkJS: "/parley/<source>/<appId>")
  std::string type;           ///< one of type::*
  std::string subject;        ///< conversation id (user events: the user id)
  std::string time;           ///< RFC 3339, when the platform says it happened
  std::string partition_key;  ///< "<source>:<conversation id>", also the Kafka record key
  EventData data;
  std::vector<FieldWarning> field_warnings;  ///< not part of the encoded event
};

/// The event as a Kafka record: key, value (structured-mode JSON) and headers.
struct EncodedEvent {
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// Appends `message` as the JSON object of data.message (shared with enriched
/// conversations, so a message looks the same wherever it appears).
void append_message(std::string& out, const Message& message);

/// Structured-mode JSON of the whole event (value of the Kafka record).
std::string to_json(const CloudEvent& event);

/// Where parley's JSON Schemas live: `$id` = this + the file's path under schemas/.
inline constexpr std::string_view kSchemaBase = "https://parley.dev/schemas/";
/// The `dataschema` of an event of `type`: the `$id` of schemas/events/<type>.v1.json. The
/// version changes only with a breaking change to the type's schema (docs/events.md, "What a
/// consumer can rely on").
std::string dataschema_of(std::string_view type);

/// Key, structured JSON value, and the content-type and ce_* headers consumers route on.
EncodedEvent encode(const CloudEvent& event);

}  // namespace parley::events
