#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parley/common/result.hpp"

// A command: what a downstream system asks parley to do on a platform (DESIGN.md, "Commands:
// the way back"). Plain values; thread-safe to copy and read.
namespace parley::commands {

/// The command types of the contract's table (`parley.command.` + name()).
enum class CommandType {
  conversation_start,
  message_send,
  answer_accept,
  answer_rate,
  message_read,
  user_upsert,
};

inline constexpr std::string_view kTypePrefix = "parley.command.";

/// "conversation.start", "message.send", ... (without the prefix).
std::string_view type_name(CommandType type);

/// The type of a CloudEvent `type` ("parley.command.message.send"); nullopt when unknown.
std::optional<CommandType> parse_type(std::string_view cloud_event_type);

/// Every type, in the table's order.
inline constexpr CommandType kAllTypes[] = {
    CommandType::conversation_start, CommandType::message_send, CommandType::answer_accept,
    CommandType::answer_rate,        CommandType::message_read, CommandType::user_upsert,
};

struct Person {
  std::string id;
  std::string first_name;
  std::string last_name;
  std::string phone;
};

struct Attachment {
  std::string url;
  std::string name;
};

/// `data.user` of user.upsert (TalkJS's user fields).
struct User {
  std::string id;
  std::string name;
  std::vector<std::string> email;
  std::string photo_url;
  std::string role;
  std::string custom_json;  ///< `custom` as a JSON object's text; empty when absent
};

/// `data` of a command: every field of the contract's table, empty when absent. Which are
/// required depends on the type (parse_command) and on the platform (PlatformSender::check).
struct CommandData {
  std::string source;  ///< the parley source (account) to act as
  std::string text;
  std::vector<Attachment> attachments;
  std::string author_id;  ///< author.id
  Person customer;        ///< customer.{id, firstName, lastName, phone}
  std::string category;
  std::string advertiser_id;
  std::vector<std::string> participants;
  std::string title;
  std::string message_id;  ///< messageId
  int rating = 0;          ///< 1..5 for answer.rate, else 0
  std::optional<User> user;
};

struct Command {
  std::string id;      ///< the caller's idempotency key: 1-200 printable ASCII characters
  std::string caller;  ///< the CloudEvent `source` (the caller, e.g. "/crm/agent-desk")
  CommandType type = CommandType::message_send;
  std::string subject;  ///< the conversation id; empty for conversation.start, user.upsert
  std::string key;      ///< partitionkey (filled by parse_command when absent)
  std::optional<std::chrono::system_clock::time_point> expiry;  ///< expirytime
  std::string platform;  ///< the platform of data.source (filled by the caller that knows it)
  CommandData data;
};

/// Why a command is invalid: the field ("data.text", "type", "id") and what is wrong.
struct FieldProblem {
  std::string field;
  std::string message;
  /// "field data.text: is required"
  std::string to_string() const;
};

/// Parses a command (a structured CloudEvent 1.0 JSON object) and checks the envelope and
/// the fields its type needs on every platform; the platform's own needs are
/// PlatformSender::check's. The first problem found is returned, naming its field.
/// Pure; thread-safe.
Result<Command, FieldProblem> parse_command(std::string_view json);

/// The platform's ids of what a call created or touched, in the order the platform gave
/// them: {"conversationId", "123"}, {"messageId", "abc_1"}, {"visitId", ...}. Written to a
/// result's data.platformIds.
using PlatformIds = std::vector<std::pair<std::string, std::string>>;

/// What one call to a platform's send API came to.
struct CallOutcome {
  enum class Kind {
    done,          ///< the platform performed it (2xx and no failure body)
    rejected,      ///< the platform refused it (4xx, or a failure body): not repeated
    unauthorized,  ///< 401/403 after one token refresh
    invalid,       ///< parley would not send it (a field the request cannot carry)
    retry_later,   ///< nothing was performed (not sent, 408/429/503): try again later
    doubt,         ///< it may have been performed (timeout, 5xx, dropped after writing)
  };
  Kind kind = Kind::done;
  PlatformIds ids;
  unsigned status = 0;                       ///< the HTTP status, 0 when no answer came
  std::string message;                       ///< why, for everything but done
  std::chrono::milliseconds retry_after{0};  ///< the platform's Retry-After, 0 if none
};

/// What reading a conversation back after a doubt found.
struct ReadBack {
  enum class Kind {
    found,        ///< the command was performed: `ids` are what it created
    not_found,    ///< it was not: it may be performed (again)
    undecided,    ///< nothing the platform offers can tell (the `unknown` result)
    retry_later,  ///< the read itself failed; read again later
  };
  Kind kind = Kind::undecided;
  PlatformIds ids;
  std::string checked;  ///< what was read, for the result and logs ("GET .../messages")
  std::chrono::milliseconds retry_after{0};
};

}  // namespace parley::commands
