#include "parley/platforms/talkjs/webhook.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>

#include "parley/common/json_writer.hpp"
#include "parley/common/time.hpp"
#include "parley/events/ids.hpp"
#include "parley/sources/errors.hpp"
#include "parley/sources/json.hpp"

namespace parley::sources {
namespace {

constexpr std::string_view kSignatureHeader = "X-TalkJS-Signature";
constexpr std::string_view kTimestampHeader = "X-TalkJS-Timestamp";

// The timestamp's unit is unconfirmed. 10^11 seconds is the year 5138 while 10^11
// milliseconds is 1973, so the two readings cannot be confused for any real delivery.
constexpr std::uint64_t kMillisecondsAbove = 100'000'000'000;

// createdAt values are unix milliseconds. Bounding them keeps the conversion to
// system_clock free of overflow (libstdc++ counts nanoseconds: the year 2262).
constexpr std::int64_t kMaxUnixMilliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(
                                                  std::chrono::system_clock::duration::max())
                                                  .count();

enum class Kind { message, message_read, conversation, user, notification, unmapped };

struct Mapping {
  std::string_view talkjs_type;
  std::string_view parley_type;
  Kind kind;
};

// TalkJS event type -> parley event type; docs/events.md documents each one.
constexpr std::array kMappings = {
    Mapping{"message.sent", events::type::kMessageCreated, Kind::message},
    Mapping{"message.updated", events::type::kMessageUpdated, Kind::message},
    Mapping{"message.deleted", events::type::kMessageDeleted, Kind::message},
    Mapping{"message.read", events::type::kMessageRead, Kind::message_read},
    Mapping{"conversation.deleted", events::type::kConversationDeleted, Kind::conversation},
    Mapping{"user.created", events::type::kUserCreated, Kind::user},
    Mapping{"user.updated", events::type::kUserUpdated, Kind::user},
    Mapping{"notification.triggered", events::type::kNotificationTriggered, Kind::notification},
    Mapping{"notification.sent", events::type::kNotificationSent, Kind::notification},
    Mapping{"notification.delivered", events::type::kNotificationDelivered, Kind::notification},
    Mapping{"notification.bounced", events::type::kNotificationBounced, Kind::notification},
    Mapping{"notification.opened", events::type::kNotificationOpened, Kind::notification},
    Mapping{"notification.link.clicked", events::type::kNotificationLinkClicked,
            Kind::notification},
};

Mapping mapping_for(std::string_view talkjs_type) {
  for (const auto& mapping : kMappings) {
    if (mapping.talkjs_type == talkjs_type) return mapping;
  }
  // TalkJS retries a delivery only once: refusing an event type added after this table
  // was written would lose it, so it is published for consumers to see.
  return Mapping{talkjs_type, events::type::kPlatformUnmapped, Kind::unmapped};
}

Error unauthorized(std::string message) {
  return Error{sources::Errc::unauthorized, std::move(message)};
}

// Digits only: a sign, spaces or a fraction mean the sender is not TalkJS as we know it.
std::optional<std::uint64_t> parse_timestamp(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Whole seconds between now and the timestamp, rounded up so that anything over the
// limit by even a millisecond reports more than the limit.
std::uint64_t seconds_away(std::uint64_t timestamp, std::chrono::system_clock::time_point now) {
  using std::chrono::floor;
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  const auto since_epoch = now.time_since_epoch();
  if (timestamp > kMillisecondsAbove) {
    const auto now_ms = static_cast<std::uint64_t>(
        std::max<std::int64_t>(0, floor<milliseconds>(since_epoch).count()));
    const std::uint64_t diff = now_ms > timestamp ? now_ms - timestamp : timestamp - now_ms;
    return diff / 1000 + (diff % 1000 != 0 ? 1 : 0);
  }
  // A timestamp in seconds was truncated by the sender: compare whole seconds, or a
  // delivery sent 300.9 s ago would count as 301 s away.
  const auto now_s =
      static_cast<std::uint64_t>(std::max<std::int64_t>(0, floor<seconds>(since_epoch).count()));
  return now_s > timestamp ? now_s - timestamp : timestamp - now_s;
}

Result<std::string, Error> rfc3339_from_ms(std::int64_t ms, std::string_view path) {
  if (ms < 0 || ms > kMaxUnixMilliseconds) {
    return field_error(path, "must be unix milliseconds between 0 and " +
                                 std::to_string(kMaxUnixMilliseconds) + ", got " +
                                 std::to_string(ms));
  }
  return format_rfc3339(std::chrono::system_clock::time_point(std::chrono::milliseconds(ms)));
}

Result<std::int64_t, Error> required_integer(const FieldReader& fields, std::string_view name) {
  auto value = fields.optional_integer(name);
  if (!value) return value.error();
  if (!value.value()) return field_error(fields.path_of(name), "is required");
  return *value.value();
}

// TalkJS user email: a string, an array of strings, or null (its REST API takes both).
Result<std::vector<std::string>, Error> read_emails(const FieldReader& user) {
  std::vector<std::string> emails;
  auto member = user.member("email");
  if (!member) return member.error();
  if (!member.value() || member.value()->is_null()) return emails;
  const auto element = *member.value();
  const std::string path = user.path_of("email");
  auto check = [&](simdjson::dom::element value, const std::string& where) -> std::optional<Error> {
    if (!value.is_string()) {
      return field_error(where,
                         "must be a string, got " + std::string(json_type_name(value.type())));
    }
    const std::string_view text = value.get_string().value_unsafe();
    if (text.size() > kMaxIdBytes) {
      return field_error(where, "longer than " + std::to_string(kMaxIdBytes) + " bytes");
    }
    if (!text.empty()) emails.emplace_back(text);  // an empty address says nothing
    return std::nullopt;
  };
  if (element.is_string()) {
    if (auto error = check(element, path)) return *error;
    return emails;
  }
  if (!element.is_array()) {
    return field_error(path, "must be a string, an array of strings or null, got " +
                                 std::string(json_type_name(element.type())));
  }
  std::size_t index = 0;
  const simdjson::dom::array items = element.get_array().value_unsafe();
  for (const auto item : items) {
    if (auto error = check(item, path + "[" + std::to_string(index) + "]")) return *error;
    ++index;
  }
  return emails;
}

// data.conversation {id, subject}, when present.
std::optional<Error> read_conversation(const FieldReader& data, events::Conversation& out,
                                       TolerantReader& tolerant) {
  auto conversation = data.optional_object("conversation");
  if (!conversation) return conversation.error();
  if (!conversation.value()) return std::nullopt;
  auto id = key_or_empty(*conversation.value(), "id");
  if (!id) return id.error();
  out.id = std::move(id).value();
  out.subject = tolerant.string(*conversation.value(), "subject");
  return std::nullopt;
}

// The `id` of the object data.<name>, or "" when the object or its id is absent. Such ids
// (the recipient) can become the record key and subject.
Result<std::string, Error> nested_id(const FieldReader& data, std::string_view name) {
  auto object = data.optional_object(name);
  if (!object) return object.error();
  if (!object.value()) return std::string();
  return key_or_empty(*object.value(), "id");
}

// custom.parleyCommandId: the command id parley gives a message it sends for a command
// (platforms/talkjs/send.hpp, kCommandIdKey), so consumers can join the message to the
// command's result. Optional like any custom field: an unusable one is dropped, not refused.
std::string command_id(const FieldReader& message, TolerantReader& tolerant) {
  auto custom = message.optional_object("custom");
  if (!custom) {
    tolerant.note(message.path_of("custom"), custom.error().message + "; dropped");
    return {};
  }
  if (!custom.value()) return {};
  return tolerant.string(*custom.value(), "parleyCommandId");
}

std::string_view author_role(const std::map<std::string, std::string_view, std::less<>>& roles,
                             std::string_view message_type, std::string_view sender_role) {
  if (message_type == "SystemMessage") return events::role::kSystem;
  const auto found = roles.find(sender_role);
  return found == roles.end() ? events::role::kCustomer : found->second;
}

// message.*: data.message (required), data.sender and data.conversation (optional).
std::optional<Error> read_message_event(
    const FieldReader& data, const std::map<std::string, std::string_view, std::less<>>& roles,
    bool read_receipt, events::CloudEvent& event) {
  auto message = data.required_object("message");
  if (!message) return message.error();
  const FieldReader& m = message.value();
  TolerantReader tolerant(event.field_warnings);

  auto id = m.required_key("id");
  if (!id) return id.error();
  auto conversation_id = key_or_empty(m, "conversationId");
  if (!conversation_id) return conversation_id.error();
  auto sender_id = string_or_empty(m, "senderId");
  if (!sender_id) return sender_id.error();
  auto text = string_or_empty(m, "text", kMaxTextBytes);
  if (!text) return text.error();
  auto type = string_or_empty(m, "type");
  if (!type) return type.error();
  auto created_at = m.optional_integer("createdAt");
  if (!created_at) return created_at.error();
  auto attachment = m.optional_object("attachment");
  if (!attachment) return attachment.error();

  events::Message out;
  out.id = id.value();
  out.text = std::move(text).value();
  if (created_at.value()) {
    auto sent_at = rfc3339_from_ms(*created_at.value(), m.path_of("createdAt"));
    if (!sent_at) return sent_at.error();
    out.sent_at = std::move(sent_at).value();
  }
  if (attachment.value()) {
    auto url = attachment.value()->required_string("url", kMaxUrlBytes);
    if (!url) return url.error();
    out.attachments.push_back(events::Attachment{
        .url = std::string(url.value()), .name = tolerant.string(*attachment.value(), "filename")});
  }

  out.external_id = command_id(m, tolerant);

  std::string sender_role;
  auto sender = data.optional_object("sender");
  if (!sender) return sender.error();
  if (sender.value()) {
    const FieldReader& s = *sender.value();
    auto sender_object_id = string_or_empty(s, "id");
    if (!sender_object_id) return sender_object_id.error();
    // The message's own senderId wins: the sender object describes the user as it is
    // now, the message who wrote it.
    out.author.id = std::move(sender_object_id).value();
    out.author.name = tolerant.string(s, "name");
    out.author.avatar_url = tolerant.string(s, "photoUrl");
    sender_role = tolerant.string(s, "role");
  }
  if (!sender_id.value().empty()) out.author.id = sender_id.value();
  out.author.role = author_role(roles, type.value(), sender_role);

  if (auto error = read_conversation(data, event.data.conversation, tolerant)) return error;
  if (event.data.conversation.id.empty()) event.data.conversation.id = conversation_id.value();
  if (event.data.conversation.id.empty()) {
    return field_error(m.path_of("conversationId"),
                       "is required when data.conversation.id is absent");
  }

  if (read_receipt) {
    auto reader_id = nested_id(data, "recipient");
    if (!reader_id) return reader_id.error();
    event.data.receipt = events::Receipt{.message_id = out.id,
                                         .status = std::string(events::receipt_status::kRead),
                                         .reader_id = std::move(reader_id).value()};
  }
  event.data.message = std::move(out);
  return std::nullopt;
}

std::optional<Error> read_user_event(const FieldReader& data, events::CloudEvent& event) {
  auto user = data.required_object("user");
  if (!user) return user.error();
  const FieldReader& u = user.value();
  auto id = u.required_key("id");
  if (!id) return id.error();
  auto emails = read_emails(u);
  if (!emails) return emails.error();
  TolerantReader tolerant(event.field_warnings);
  event.data.user = events::User{.id = std::string(id.value()),
                                 .name = tolerant.string(u, "name"),
                                 .role = tolerant.string(u, "role"),
                                 .avatar_url = tolerant.string(u, "photoUrl"),
                                 .emails = std::move(emails).value()};
  return std::nullopt;
}

std::optional<Error> read_notification_event(const FieldReader& data, events::CloudEvent& event) {
  auto notification_id = string_or_empty(data, "notificationId");
  if (!notification_id) return notification_id.error();
  // TalkJS documents notificationId; an object data.notification {id} has been seen in
  // examples too, so either is read.
  auto object_id = nested_id(data, "notification");
  if (!object_id) return object_id.error();
  auto recipient_id = nested_id(data, "recipient");
  if (!recipient_id) return recipient_id.error();
  TolerantReader tolerant(event.field_warnings);
  if (auto error = read_conversation(data, event.data.conversation, tolerant)) return error;
  event.data.notification = events::Notification{.id = notification_id.value().empty()
                                                           ? std::move(object_id).value()
                                                           : std::move(notification_id).value(),
                                                 .recipient_id = std::move(recipient_id).value()};
  return std::nullopt;
}

// An event type parley does not know has an unknown shape: read what looks like a
// conversation or a user, ignore anything shaped otherwise, and never refuse it.
std::string_view lenient_string(simdjson::dom::object data,
                                std::initializer_list<std::string_view> path) {
  simdjson::dom::object object = data;
  std::size_t depth = 0;
  for (const auto name : path) {
    simdjson::dom::element at;
    if (object.at_key(name).get(at) != simdjson::SUCCESS) return {};
    if (++depth < path.size()) {
      if (at.get_object().get(object) != simdjson::SUCCESS) return {};
      continue;
    }
    std::string_view text;
    if (at.get_string().get(text) != simdjson::SUCCESS || text.size() > kMaxIdBytes) return {};
    // Ignored like any value of an unexpected shape: it could become the record key.
    if (check_key({}, text)) return {};
    return text;
  }
  return {};
}

void read_unmapped_event(simdjson::dom::object data, events::CloudEvent& event,
                         std::string& user_key) {
  auto& conversation = event.data.conversation;
  conversation.id = lenient_string(data, {"conversation", "id"});
  if (conversation.id.empty())
    conversation.id = lenient_string(data, {"message", "conversationId"});
  if (conversation.id.empty()) conversation.id = lenient_string(data, {"conversationId"});
  if (!conversation.id.empty()) {
    const auto subject = lenient_string(data, {"conversation", "subject"});
    conversation.subject = subject;
  }
  const auto user_id = lenient_string(data, {"user", "id"});
  if (!user_id.empty()) {
    event.data.user = events::User{.id = std::string(user_id),
                                   .name = std::string(lenient_string(data, {"user", "name"}))};
    user_key = user_id;
  } else {
    user_key = lenient_string(data, {"recipient", "id"});
  }
}

}  // namespace

TalkJs::TalkJs(const config::TalkJsSource& source, bool include_raw,
               std::function<std::chrono::system_clock::time_point()> now, std::string name)
    : secret_keys_(source.webhook.secret_keys),
      max_skew_(source.webhook.max_skew),
      allow_unauthenticated_(source.webhook.allow_unauthenticated),
      name_(std::move(name)),
      event_source_("/parley/" + name_ + "/" + source.api.app_id),
      include_raw_(include_raw),
      now_(std::move(now)) {
  // The config loader refuses other values; anything else would still be a customer.
  for (const auto& [talkjs_role, author_role] : source.webhook.roles) {
    for (const auto known : {events::role::kCustomer, events::role::kExpert, events::role::kAgent,
                             events::role::kSystem}) {
      if (author_role == known) roles_.emplace(talkjs_role, known);
    }
  }
}

bool TalkJs::signature_matches(std::string_view timestamp, std::string_view body,
                               const Digest& signature) const {
  std::string signed_text;
  signed_text.reserve(timestamp.size() + 1 + body.size());
  signed_text.append(timestamp).append(".").append(body);
  bool matched = false;
  for (const auto& key : secret_keys_) {
    matched |= sources::signature_matches(key, signed_text, signature);  // no early exit
  }
  return matched;
}

std::optional<Error> TalkJs::verify(const http::Request& request) const {
  if (secret_keys_.empty()) {
    if (allow_unauthenticated_) return std::nullopt;
    // The config loader refuses this; the source must not turn it into "accept all".
    return unauthorized("no secret_keys configured for TalkJS, and allow_unauthenticated is off");
  }

  const std::string_view timestamp_text = request.headers[kTimestampHeader];
  if (timestamp_text.empty()) return unauthorized("X-TalkJS-Timestamp: missing");
  const auto timestamp = parse_timestamp(timestamp_text);
  if (!timestamp) {
    return unauthorized("X-TalkJS-Timestamp: malformed, expected a unix time (digits only)");
  }

  const std::string_view signature_text = request.headers[kSignatureHeader];
  if (signature_text.empty()) return unauthorized("X-TalkJS-Signature: missing");
  const auto signature = parse_hex_digest(signature_text);
  if (!signature) return unauthorized("X-TalkJS-Signature: malformed, expected 64 hex digits");
  if (!signature_matches(timestamp_text, request.body, *signature)) {
    return unauthorized(
        "X-TalkJS-Signature: does not match timestamp.body under any configured secret key");
  }

  // After the signature, so a skew error means an authentic but stale (replayed or
  // clock-drifted) delivery, which is what an operator needs to tell apart.
  const std::uint64_t away = seconds_away(*timestamp, now_());
  const auto limit = static_cast<std::uint64_t>(std::max<std::int64_t>(0, max_skew_.count()));
  if (away > limit) {
    return unauthorized("X-TalkJS-Timestamp: " + std::to_string(away) +
                        " s away from now, over max_skew_seconds (" + std::to_string(limit) + ")");
  }
  return std::nullopt;
}

Result<http::HeadProof, Error> TalkJs::verify_head(const http::Request& head) const {
  if (secret_keys_.empty()) {
    if (auto refused = verify(head)) return *refused;
    return http::HeadProof::verified;
  }
  // Everything but the signature's match can be refused before the body.
  const std::string_view timestamp_text = head.headers[kTimestampHeader];
  if (timestamp_text.empty()) return unauthorized("X-TalkJS-Timestamp: missing");
  if (!parse_timestamp(timestamp_text)) {
    return unauthorized("X-TalkJS-Timestamp: malformed, expected a unix time (digits only)");
  }
  const std::string_view signature_text = head.headers[kSignatureHeader];
  if (signature_text.empty()) return unauthorized("X-TalkJS-Signature: missing");
  if (!parse_hex_digest(signature_text)) {
    return unauthorized("X-TalkJS-Signature: malformed, expected 64 hex digits");
  }
  return http::HeadProof::in_body;
}

Result<events::CloudEvent, Error> TalkJs::normalize(
    const http::Request& request, std::chrono::system_clock::time_point /*received*/) const {
  auto object = parse_object(request.body);
  if (!object) return object.error();
  const FieldReader envelope(object.value());
  auto id = envelope.required_key("id");
  if (!id) return id.error();
  auto created_at = required_integer(envelope, "createdAt");
  if (!created_at) return created_at.error();
  auto time = rfc3339_from_ms(created_at.value(), "createdAt");
  if (!time) return time.error();
  auto type = envelope.required_string("type");
  if (!type) return type.error();
  auto data = envelope.required_object("data");
  if (!data) return data.error();

  const Mapping mapping = mapping_for(type.value());
  events::CloudEvent event;
  // Under its own kind: a TalkJS event id such as "message:m1" must not become the id of
  // message m1's parley.message.created (docs/events.md, "Ids and duplicates").
  event.id = events::platform_event_id(name_, id.value());
  event.source = event_source_;
  event.type = mapping.parley_type;
  event.time = std::move(time).value();
  event.data.platform = config::TalkJsSource::kPlatform;
  event.data.source_name = name_;
  event.data.platform_event = type.value();

  // Who the event is about when no conversation is: the user of user events, the
  // recipient of notifications.
  std::string user_key;
  std::optional<Error> error;
  switch (mapping.kind) {
    case Kind::message:
    case Kind::message_read:
      error = read_message_event(data.value(), roles_, mapping.kind == Kind::message_read, event);
      break;
    case Kind::conversation: {
      TolerantReader tolerant(event.field_warnings);
      error = read_conversation(data.value(), event.data.conversation, tolerant);
      break;
    }
    case Kind::user:
      error = read_user_event(data.value(), event);
      if (!error) user_key = event.data.user->id;
      break;
    case Kind::notification:
      error = read_notification_event(data.value(), event);
      if (!error) user_key = event.data.notification->recipient_id;
      break;
    case Kind::unmapped: {
      simdjson::dom::object raw_data;
      if (object.value().at_key("data").get_object().get(raw_data) == simdjson::SUCCESS) {
        read_unmapped_event(raw_data, event, user_key);
      }
      break;
    }
  }
  if (error) return *error;
  // One id per message on every path (webhook, discovery, backfill): consumers drop the
  // repeat when a fetch finds the message this webhook announced.
  if (event.type == events::type::kMessageCreated && event.data.message) {
    event.id = events::message_event_id(name_, event.data.message->id);
  }

  if (!event.data.conversation.id.empty()) {
    event.subject = event.data.conversation.id;
    event.partition_key = name_ + ":" + event.subject;
  } else if (!user_key.empty()) {
    event.subject = user_key;
    event.partition_key = name_ + ":user:" + user_key;
  } else {
    // Nothing identifies a conversation or user: the event is its own partition key.
    event.partition_key = name_ + ":event:" + std::string(id.value());
  }
  if (include_raw_) event.data.raw_json = received_json(request.body);
  return event;
}

std::string TalkJs::accepted_body() const {
  return R"({"status":"ok"})";
}

std::string TalkJs::error_body(const Error& error) const {
  std::string body = R"({"error":)";
  json::append_string(body, error.message);
  body += "}";
  return body;
}

}  // namespace parley::sources
