#include "parley/platforms/cao/webhook.hpp"

#include <array>

#include "parley/common/json_writer.hpp"
#include "parley/common/time.hpp"
#include "parley/events/ids.hpp"
#include "parley/sources/errors.hpp"
#include "parley/sources/json.hpp"

namespace parley::sources {
namespace {

constexpr std::string_view kAuthorizationHeader = "Authorization";

Error unauthorized(std::string message) {
  return Error{sources::Errc::unauthorized, std::move(message)};
}

bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

std::string_view trim_blanks(std::string_view text) {
  while (!text.empty() && is_blank(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back()))
    text.remove_suffix(1);
  return text;
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

// HTTP auth schemes are case-insensitive (RFC 9110 section 11.1).
bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

// Standard base64 (RFC 4648 section 4), padded or not; nullopt on any other character or an
// impossible length. Only used to unwrap a credential, so leniency about unused bits is
// harmless: the result still has to be a configured key.
std::optional<std::string> decode_base64(std::string_view text) {
  static constexpr auto kValues = [] {
    std::array<int, 256> values{};
    values.fill(-1);
    constexpr std::string_view kAlphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
      values[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
    }
    return values;
  }();
  if (text.size() % 4 == 0 && text.ends_with("==")) {
    text.remove_suffix(2);
  } else if (text.size() % 4 == 0 && text.ends_with('=')) {
    text.remove_suffix(1);
  }
  if (text.empty() || text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const int value = kValues[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    buffer = ((buffer << 6) | static_cast<unsigned>(value)) & 0xFFFFu;  // spent bits dropped
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

std::string accepted_answer() {
  return R"({"Status":0,"FailureDescription":""})";
}

std::string error_answer(const Error& error) {
  std::string body = R"({"Status":1,"FailureDescription":)";
  json::append_string(body, error.message);
  body += "}";
  return body;
}

// The conversation ids both payloads carry: VisitId (required), SessionId, ConsumerId
// (optional: an unusable one is dropped, not refused).
Result<events::Conversation, Error> read_conversation(const FieldReader& fields,
                                                      TolerantReader& tolerant) {
  auto visit_id = fields.required_id("VisitId");
  if (!visit_id) return visit_id.error();
  return events::Conversation{.id = std::move(visit_id.value()),
                              .customer_id = tolerant.id(fields, "ConsumerId"),
                              .session_id = tolerant.id(fields, "SessionId")};
}

// The envelope both CAO events share.
events::CloudEvent cao_event(std::string_view source_name, const std::string& event_source,
                             std::string id, std::string_view type,
                             events::Conversation conversation, std::string time,
                             std::string_view platform_event) {
  events::CloudEvent event;
  event.id = std::move(id);
  event.source = event_source;
  event.type = type;
  event.subject = conversation.id;
  event.time = std::move(time);
  event.partition_key = std::string(source_name) + ":" + conversation.id;
  event.data.platform = config::CaoSource::kPlatform;
  event.data.source_name = source_name;
  event.data.platform_event = platform_event;
  event.data.conversation = std::move(conversation);
  return event;
}

// CAO's reference names the agent image AgentImageUrl in the field table and AgentImageURL
// in the sample, so either is read. When both carry different values the field table's
// spelling wins (docs/events.md) and the other is counted as a warning.
std::string read_agent_image(const FieldReader& fields, TolerantReader& tolerant) {
  auto table = tolerant.string(fields, "AgentImageUrl");
  auto sample = tolerant.string(fields, "AgentImageURL");
  if (!table.empty() && !sample.empty() && table != sample) {
    tolerant.note("AgentImageURL", "differs from AgentImageUrl; AgentImageUrl used");
  }
  return table.empty() ? sample : table;
}

// MessageStatus as its text: a string as sent, an integer in decimal. CAO documents a
// string but loose senders use numbers; unknown values are kept, not refused.
Result<std::string, Error> read_message_status(const FieldReader& fields) {
  constexpr std::string_view kName = "MessageStatus";
  auto member = fields.member(kName);
  if (!member) return member.error();
  if (!member.value() || member.value()->is_null()) return field_error(kName, "is required");
  const auto value = *member.value();
  if (value.is_int64()) return std::to_string(value.get_int64().value_unsafe());
  if (value.is_uint64()) return std::to_string(value.get_uint64().value_unsafe());
  if (!value.is_string()) {
    const bool fractional = value.type() == simdjson::dom::element_type::DOUBLE &&
                            json_type_name(value) == json_type_name(value.type());
    return field_error(
        kName, "must be a non-empty string or an integer, got " +
                   std::string(fractional ? "a non-integer number" : json_type_name(value)));
  }
  // Part of the event id, so a key like any other.
  auto text = fields.required_key(kName);
  if (!text) return text.error();
  return std::string(text.value());
}

struct StatusMapping {
  std::string_view type;
  std::string_view status;
};

// PLATFORMS.md: 0 Unknown, 1 Delivered, 2 Read. Anything else is kept as unknown so a new
// CAO status is published rather than refused.
StatusMapping map_status(std::string_view platform_status) {
  if (platform_status == "1")
    return {events::type::kMessageDelivered, events::receipt_status::kDelivered};
  if (platform_status == "2") return {events::type::kMessageRead, events::receipt_status::kRead};
  return {events::type::kMessageReceipt, events::receipt_status::kUnknown};
}

}  // namespace

// --- verification ---

CaoAuthorization::CaoAuthorization(const config::CaoSource::Webhook& webhook)
    : api_keys_(webhook.api_keys), allow_unauthenticated_(webhook.allow_unauthenticated) {}

std::optional<Error> CaoAuthorization::verify(const http::Request& request) const {
  if (api_keys_.empty()) {
    if (allow_unauthenticated_) return std::nullopt;
    // The config loader refuses this; fail closed rather than accept everything.
    return unauthorized("Authorization: no API key is configured (webhook.api_keys)");
  }
  const std::string_view header = trim_blanks(request.headers[kAuthorizationHeader]);
  if (header.empty())
    return unauthorized("Authorization: missing; send Authorization: Basic <api key>");

  const auto scheme_end = header.find_first_of(" \t");
  const std::string_view scheme = header.substr(0, scheme_end);
  if (!equals_ignoring_case(scheme, "Basic")) {
    return unauthorized("Authorization: not the Basic scheme; send Authorization: Basic <api key>");
  }
  const std::string_view credential = scheme_end == std::string_view::npos
                                          ? std::string_view{}
                                          : trim_blanks(header.substr(scheme_end));
  if (credential.empty()) {
    return unauthorized(
        "Authorization: Basic credential is empty; send Authorization: Basic <api key>");
  }

  // Every form is compared, without early exit, so timing does not tell which one matched.
  bool matched = api_keys_.contains(credential);
  if (const auto decoded = decode_base64(credential)) {
    std::string_view user = *decoded;
    if (user.ends_with(':')) user.remove_suffix(1);  // "key:" is Basic with an empty password
    matched |= !user.empty() && api_keys_.contains(user);
  }
  if (matched) return std::nullopt;
  return unauthorized("Authorization: Basic credential is not an accepted API key");
}

// --- shared by both endpoints ---

std::optional<Error> CaoEndpoint::verify(const http::Request& request) const {
  return authorization_.verify(request);
}

Result<http::HeadProof, Error> CaoEndpoint::verify_head(const http::Request& head) const {
  if (auto refused = authorization_.verify(head)) return *refused;
  return http::HeadProof::verified;
}

std::string CaoEndpoint::accepted_body() const {
  return accepted_answer();
}

std::string CaoEndpoint::error_body(const Error& error) const {
  return error_answer(error);
}

// --- ReceiveMessage ---

Result<events::CloudEvent, Error> CaoMessages::normalize(
    const http::Request& request, std::chrono::system_clock::time_point /*received*/) const {
  auto object = parse_object(request.body);
  if (!object) return object.error();
  const FieldReader fields(object.value());
  std::vector<events::FieldWarning> warnings;
  TolerantReader tolerant(warnings);

  auto conversation = read_conversation(fields, tolerant);
  if (!conversation) return conversation.error();
  auto date_text = fields.required_string("DateTime");
  if (!date_text) return date_text.error();
  auto sent_at = parse_cao_date(date_text.value(), "DateTime");
  if (!sent_at) return sent_at.error();
  auto message_id = fields.required_id("MessageId");
  if (!message_id) return message_id.error();
  auto text = fields.required_string("Message", kMaxTextBytes, /*allow_empty=*/true);
  if (!text) return text.error();
  const std::string media = tolerant.string(fields, "MediaURL");
  // A picture with no caption is a real message; an empty message with nothing is not.
  if (text.value().empty() && media.empty()) {
    return field_error("Message", "must be a non-empty string when MediaURL is absent or empty");
  }

  const std::string time = format_rfc3339(sent_at.value());
  auto event = cao_event(
      name(), event_source(), events::message_event_id(name(), message_id.value()),
      events::type::kMessageCreated, std::move(conversation.value()), time, "ReceiveMessage");
  events::Message message;
  message.id = std::move(message_id.value());
  message.text = text.value();
  message.author.role = events::role::kAgent;
  message.author.name = tolerant.string(fields, "AgentName");
  message.author.avatar_url = read_agent_image(fields, tolerant);
  message.sent_at = time;
  if (!media.empty()) message.attachments.push_back(events::Attachment{.url = media});
  event.data.message = std::move(message);
  if (include_raw()) event.data.raw_json = received_json(request.body);
  event.field_warnings = std::move(warnings);
  return event;
}

// --- read/delivery receipts ---

Result<events::CloudEvent, Error> CaoReceipts::normalize(
    const http::Request& request, std::chrono::system_clock::time_point received) const {
  auto object = parse_object(request.body);
  if (!object) return object.error();
  const FieldReader fields(object.value());
  std::vector<events::FieldWarning> warnings;
  TolerantReader tolerant(warnings);

  auto conversation = read_conversation(fields, tolerant);
  if (!conversation) return conversation.error();
  auto external_id = tolerant.id(fields, "ExternalMessageId");
  auto message_id = fields.required_id("MessageId");
  if (!message_id) return message_id.error();
  auto platform_status = read_message_status(fields);
  if (!platform_status) return platform_status.error();

  const auto mapping = map_status(platform_status.value());
  // The status is part of the id: "delivered" and "read" of one message are two events,
  // a redelivered "read" is the same one.
  auto event = cao_event(
      name(), event_source(),
      events::receipt_event_id(name(), message_id.value(), platform_status.value()), mapping.type,
      std::move(conversation.value()), format_rfc3339(received), "MessageStatus");
  events::Receipt receipt;
  receipt.message_id = std::move(message_id.value());
  receipt.status = mapping.status;
  receipt.platform_status = std::move(platform_status.value());
  receipt.external_message_id = std::move(external_id);
  event.data.receipt = std::move(receipt);
  if (include_raw()) event.data.raw_json = received_json(request.body);
  event.field_warnings = std::move(warnings);
  return event;
}

}  // namespace parley::sources
