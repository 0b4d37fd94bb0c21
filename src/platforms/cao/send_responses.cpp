#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "parley/common/json_writer.hpp"
#include "parley/common/time.hpp"
#include "parley/platforms/cao/send.hpp"
#include "parley/platforms/cao/webhook.hpp"
#include "parley/sources/json.hpp"

namespace parley::platforms::cao {
namespace {

namespace bhttp = boost::beast::http;
using commands::CallOutcome;
using commands::Command;
using commands::CommandType;
using commands::FieldProblem;
using commands::PlatformIds;
using commands::ReadBack;
using sources::FieldReader;
using sources::kMaxTextBytes;
using sources::string_or_empty;
using Clock = std::chrono::system_clock;

constexpr std::string_view kConversation = "/api/v1.0/AsyncConversation/";
// A VisitId is an Int in CAO's reference; 18 digits always fit a 64-bit integer.
constexpr std::size_t kMaxVisitIdDigits = 18;

std::vector<std::pair<std::string, std::string>> headers(std::string_view api_key) {
  return {{"Authorization", "Basic " + std::string(api_key)}, {"Accept", "version=2"}};
}

bool is_visit_id(std::string_view text) {
  return !text.empty() && text.size() <= kMaxVisitIdDigits && text.front() != '0' &&
         std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<FieldProblem> require(std::string_view value, std::string_view field,
                                    std::string_view why) {
  if (!value.empty()) return std::nullopt;
  return FieldProblem{.field = std::string(field), .message = "is required: " + std::string(why)};
}

std::string start_body(const Command& command) {
  std::string body;
  {
    json::ObjectWriter w(body);
    w.string("AdvertiserId", command.data.advertiser_id);
    w.string("ConsumerId", command.data.customer.id);
    // The publisher's to choose (PLATFORMS.md): the command id marks the visit in
    // GetConversations and the message in GetTranscript and CAO's receipts.
    w.string("SessionId", command.id);
    w.string("ExternalMessageId", command.id);
    w.string("Message", command.data.text);
    w.string("ConsumerFirstName", command.data.customer.first_name);
    w.string("ConsumerLastName", command.data.customer.last_name);
    w.string("ConsumerPhoneNumber", command.data.customer.phone);
  }
  return body;
}

std::string send_message_body(const Command& command) {
  std::string body;
  {
    json::ObjectWriter w(body);
    w.key("VisitId") += command.subject;  // digits (check()): a JSON integer, as documented
    // CAO documents MessageId as its own, which cannot be known before the message exists;
    // the command id stays the same when a send is repeated after a doubt.
    w.string("MessageId", command.id);
    w.string("ExternalMessageId", command.id);
    w.string("Message", command.data.text);
  }
  return body;
}

// An id CAO may send as a string (possibly empty) or an integer; nullopt when absent or
// null. Unlike FieldReader's id readers it takes "" (agents' messages carry an empty
// ExternalMessageId).
Result<std::optional<std::string>, Error> loose_id(const FieldReader& object,
                                                   std::string_view name) {
  auto member = object.member(name);
  if (!member) return member.error();
  if (!member.value() || member.value()->is_null()) return std::optional<std::string>{};
  const auto value = *member.value();
  std::string text;
  if (value.is_string()) {
    text = value.get_string().value_unsafe();
  } else if (value.is_int64()) {
    text = std::to_string(value.get_int64().value_unsafe());
  } else if (value.is_uint64()) {
    text = std::to_string(value.get_uint64().value_unsafe());
  } else {
    return sources::field_error(
        object.path_of(name),
        "must be a string or an integer, got " + std::string(sources::json_type_name(value)));
  }
  return std::optional<std::string>(std::move(text));
}

// "Status 1: <FailureDescription>" when the body carries a failure Status.
std::optional<std::string> failure(const FieldReader& body) {
  auto status = loose_id(body, "Status");
  if (!status || status.value().value_or("0") == "0") return std::nullopt;
  auto description = string_or_empty(body, "FailureDescription", kMaxTextBytes);
  return "Status " + *status.value() + ": " +
         (description && !description.value().empty() ? description.value()
                                                      : std::string("(no FailureDescription)"));
}

// The ids of a done call, as CAO answered them.
PlatformIds ids_of(const Command& command, const FieldReader& root, std::string& message) {
  PlatformIds ids;
  auto visit_id = root.optional_id("VisitId");
  if (visit_id && visit_id.value()) {
    if (command.type == CommandType::conversation_start) {
      ids.emplace_back("conversationId", *visit_id.value());
    }
    ids.emplace_back("visitId", *visit_id.value());
  } else if (command.type == CommandType::conversation_start) {
    message = "performed, but the answer carries no usable VisitId";
  }
  for (const auto& [name, key] :
       {std::pair{"ConsumerId", "consumerId"}, std::pair{"SessionId", "sessionId"}}) {
    auto id = root.optional_id(name);
    if (id && id.value()) ids.emplace_back(key, *id.value());
  }
  return ids;
}

ReadBack unreadable(const std::string& what, const std::string& problem) {
  return read_back(ReadBack::Kind::undecided, what + " unreadable: " + problem);
}

// The body of a read, as a reader; undecided (naming `what`) when unreadable or refused.
struct ReadBody {
  std::optional<FieldReader> root;
  std::optional<ReadBack> undecided;
};

ReadBody read_body(std::string_view body, const std::string& what) {
  auto object = sources::parse_object(std::string(body));
  if (!object) {
    return {.undecided = unreadable(what, object.error().message)};
  }
  FieldReader root(object.value());
  if (auto refused = failure(root)) {
    return {.undecided = read_back(ReadBack::Kind::undecided, what + " answered " + *refused)};
  }
  return {.root = root};
}

// CAO's transcript names the publisher's side Customer or Consumer (PLATFORMS.md).
bool is_customer(std::string_view speaker_role) {
  return boost::beast::iequals(speaker_role, "Customer") ||
         boost::beast::iequals(speaker_role, "Consumer");
}

// One transcript message, as much as a read-back looks at.
struct SeenMessage {
  std::optional<std::string> marker;  // ExternalMessageId; nullopt when the field is absent
  std::optional<std::string> message_id;
  std::string text;
  bool by_customer = false;
  std::optional<Clock::time_point> sent_at;
};

Result<SeenMessage, Error> read_message(const FieldReader& m) {
  SeenMessage seen;
  auto marker = loose_id(m, "ExternalMessageId");
  if (!marker) return marker.error();
  seen.marker = std::move(marker).value();
  auto message_id = m.optional_id("MessageId");
  if (!message_id) return message_id.error();
  seen.message_id = std::move(message_id).value();
  auto text = string_or_empty(m, "Message", kMaxTextBytes);
  if (!text) return text.error();
  seen.text = std::move(text).value();
  auto role = string_or_empty(m, "SpeakerRole");
  if (!role) return role.error();
  seen.by_customer = is_customer(role.value());
  auto timestamp = m.optional_string("TimeStamp");
  if (!timestamp) return timestamp.error();
  if (timestamp.value()) {
    auto time = sources::parse_cao_date(*timestamp.value(), m.path_of("TimeStamp"));
    if (!time) return time.error();
    seen.sent_at = time.value();
  }
  return seen;
}

ReadBack find_sent(const Command& command, const std::vector<SeenMessage>& messages,
                   Clock::time_point since, const std::string& what) {
  const auto found = [&](const SeenMessage& m, std::string how) {
    PlatformIds ids = {{"visitId", command.subject}};
    if (m.message_id) ids.emplace_back("messageId", *m.message_id);
    return read_back(ReadBack::Kind::found, what + ": " + std::move(how), std::move(ids));
  };
  const bool marked =
      std::ranges::any_of(messages, [](const SeenMessage& m) { return m.marker.has_value(); });
  if (marked) {
    for (const auto& m : messages) {
      if (m.marker == command.id) {
        return found(m, "a message with ExternalMessageId = the command id");
      }
    }
    return read_back(ReadBack::Kind::not_found,
                     what + ": no message with ExternalMessageId = the command id");
  }
  // An older CAO version without ExternalMessageId in transcripts: text, speaker and time.
  const auto earliest = since - kClockSkew;
  const auto text = trim_blanks(command.data.text);
  for (const auto& m : messages) {
    if (m.by_customer && trim_blanks(m.text) == text && m.sent_at && *m.sent_at >= earliest) {
      return found(m, "a consumer message with the same text, sent " + format_rfc3339(*m.sent_at));
    }
  }
  return read_back(ReadBack::Kind::not_found,
                   what + ": no consumer message with the same text sent since " +
                       format_rfc3339(earliest) + " (the transcript carries no ExternalMessageId)");
}

}  // namespace

bool supports(CommandType type) {
  return type == CommandType::conversation_start || type == CommandType::message_send;
}

std::optional<FieldProblem> check(const Command& command) {
  if (!command.data.attachments.empty()) {
    return FieldProblem{.field = "data.attachments",
                        .message = "CAO's Start and SendMessage carry no attachments"};
  }
  if (auto missing = require(command.data.text, "data.text", "it is CAO's Message")) {
    return missing;
  }
  if (command.type == CommandType::conversation_start) {
    if (auto missing =
            require(command.data.customer.id, "data.customer.id", "it is CAO's ConsumerId")) {
      return missing;
    }
    return require(command.data.advertiser_id, "data.advertiserId", "it is CAO's AdvertiserId");
  }
  if (command.type == CommandType::message_send && !is_visit_id(command.subject)) {
    return FieldProblem{.field = "subject",
                        .message = "must be a CAO VisitId: up to 18 digits, no leading zero"};
  }
  return std::nullopt;
}

std::string_view call_name(CommandType type) {
  if (type == CommandType::conversation_start) return "CAO POST Start";
  if (type == CommandType::message_send) return "CAO POST SendMessage";
  return "CAO (no such call)";
}

upstream::HttpRequest write_request(const Command& command, std::string_view api_key) {
  upstream::HttpRequest request{
      .method = bhttp::verb::post, .headers = headers(api_key), .replay_safe = false};
  request.headers.emplace_back("Content-Type", "application/json");
  if (command.type == CommandType::conversation_start) {
    request.target = std::string(kConversation) + "Start";
    request.body = start_body(command);
  } else if (command.type == CommandType::message_send) {
    request.target = std::string(kConversation) + "SendMessage";
    request.body = send_message_body(command);
  }
  // Any other type is not CAO's (supports()): the empty target is refused before sending.
  return request;
}

CallOutcome judge_write(const Command& command, const SendAnswer& answer) {
  const WriteBody body{.refused = failure,
                       .says = "CAO says",
                       .ids = [&command](const FieldReader& root, std::string& message) {
                         return ids_of(command, root, message);
                       }};
  return judge_write_body(call_name(command.type), answer, body);
}

upstream::HttpRequest transcript_request(const Command& command, std::string_view api_key) {
  return upstream::HttpRequest{.target = std::string(kConversation) + "GetTranscript/" +
                                         upstream::encode_path_segment(command.subject),
                               .headers = headers(api_key),
                               .replay_safe = true};
}

ReadBack match_in_transcript(const Command& command, std::string_view body,
                             Clock::time_point since) {
  const std::string what = "CAO GET GetTranscript/{VisitId}";
  auto read = read_body(body, what);
  if (read.undecided) return std::move(*read.undecided);
  auto items = sources::object_array(*read.root, "Messages");
  if (!items) return unreadable(what, items.error().message);
  std::vector<SeenMessage> messages;
  for (const auto& item : items.value()) {
    auto message = read_message(item);
    if (!message) return unreadable(what, message.error().message);
    messages.push_back(std::move(message).value());
  }
  return find_sent(command, messages, since, what);
}

upstream::HttpRequest conversations_request(const Command& command, std::string_view api_key) {
  return upstream::HttpRequest{.target = std::string(kConversation) + "GetConversations/" +
                                         upstream::encode_path_segment(command.data.customer.id),
                               .headers = headers(api_key),
                               .replay_safe = true};
}

ReadBack match_in_conversations(const Command& command, std::string_view body) {
  const std::string what = "CAO GET GetConversations/{ConsumerId}";
  auto read = read_body(body, what);
  if (read.undecided) return std::move(*read.undecided);
  auto items = sources::object_array(*read.root, "Conversations");
  if (!items) return unreadable(what, items.error().message);
  for (const auto& item : items.value()) {
    auto session = loose_id(item, "SessionId");
    auto marker = loose_id(item, "ExternalMessageId");
    auto visit_id = item.optional_id("VisitId");
    if (!session || !marker || !visit_id) {
      const auto& error = !session ? session.error() : !marker ? marker.error() : visit_id.error();
      return unreadable(what, error.message);
    }
    if (session.value() != command.id && marker.value() != command.id) continue;
    if (!visit_id.value()) {
      return read_back(ReadBack::Kind::undecided,
                       what + ": the visit marked with the command id has no VisitId");
    }
    return read_back(ReadBack::Kind::found, what + ": a visit marked with the command id",
                     {{"conversationId", *visit_id.value()},
                      {"visitId", *visit_id.value()},
                      {"consumerId", command.data.customer.id},
                      {"sessionId", command.id}});
  }
  return read_back(ReadBack::Kind::not_found,
                   what + ": no visit marked with the command id (SessionId)");
}

}  // namespace parley::platforms::cao
