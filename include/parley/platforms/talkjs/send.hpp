#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "parley/commands/platform_sender.hpp"
#include "parley/common/result.hpp"
#include "parley/config/config.hpp"
#include "parley/enrich/platform_api.hpp"
#include "parley/platforms/api_support.hpp"
#include "parley/upstream/request.hpp"

// TalkJS's REST API (seed 003) as the command executor uses it, with
// `Authorization: Bearer <secret key>`:
//   user.upsert         PUT  /v1/{appId}/users/{user.id}   {name, email[], photoUrl, role, custom}
//   conversation.start  PUT  /v1/{appId}/conversations/{id}  {participants[], subject = title},
//                       then, when it has text, POST its first message as message.send does.
//                       TalkJS conversation ids are the caller's to choose: {id} is the
//                       command's subject, else its id (a repeated start names the same
//                       conversation either way).
//   message.send        POST /v1/{appId}/conversations/{subject}/messages
//                       [{text, sender = author.id, type: "UserMessage",
//                         custom: {"parleyCommandId": <command id>}}]
// The two PUTs are idempotent upserts (the seed says so); the POST is not. TalkJS answers
// no ids: a message's id comes back only through GET .../messages or the message.sent
// webhook, whose event carries custom.parleyCommandId as data.message.externalId.
namespace parley::platforms::talkjs {

/// The sender of the source named `source` (sources.<source>.api), never null; an error
/// names the key that is missing or malformed. Owned by the caller; used only from
/// `executor`'s strand.
Result<std::unique_ptr<commands::PlatformSender>, std::string> make_sender(
    const boost::asio::any_io_executor& executor, std::string_view source,
    const config::TalkJsSource::Api& api, const enrich::ApiOptions& options);

// --- requests and the reading of answers: pure; thread-safe (per-thread JSON parser) ---

/// The command id parley gives TalkJS in a message's `custom`, echoed by its webhooks.
inline constexpr std::string_view kCommandIdKey = "parleyCommandId";

/// Messages a read-back looks at: the newest page of GET .../messages (TalkJS's largest).
inline constexpr unsigned kReadBackMessages = 100;

/// conversation.start, message.send and user.upsert.
bool supports(commands::CommandType type);

/// The first field a TalkJS call of `command` needs and lacks: data.author.id and data.text
/// (message.send), a sender (data.author.id, else data.customer.id) for a start with text,
/// data.user.id (user.upsert); data.attachments are refused (TalkJS takes files, not URLs).
std::optional<commands::FieldProblem> check(const commands::Command& command);

/// True for user.upsert and a start without text: only idempotent PUTs.
bool idempotent(const commands::Command& command);

/// The conversation `command` acts on: its subject; for a start without one, the command id.
std::string_view conversation_id(const commands::Command& command);

/// PUT /v1/{appId}/users/{data.user.id}. Replay-safe.
upstream::HttpRequest user_request(const commands::Command& command,
                                   const config::TalkJsSource::Api& api);

/// PUT /v1/{appId}/conversations/{conversation_id}: participants (data.participants, then
/// the customer and the sender when missing) and subject (data.title). Replay-safe.
upstream::HttpRequest conversation_request(const commands::Command& command,
                                           const config::TalkJsSource::Api& api);

/// POST /v1/{appId}/conversations/{conversation_id}/messages: one UserMessage from the
/// sender (data.author.id, else data.customer.id) with custom.parleyCommandId. Not
/// replay-safe.
upstream::HttpRequest message_request(const commands::Command& command,
                                      const config::TalkJsSource::Api& api);

/// commands::judge_call of one call named `what`; for a call not done, TalkJS's error body
/// (`{"error": "..."}`, `{"error": {"message"}}`, `{"message"}` or `{"errorCode"}`) is added
/// to the message.
commands::CallOutcome judge_answer(std::string_view what, const SendAnswer& answer,
                                   bool idempotent);

/// The ids of a done `command`: userId (user.upsert), conversationId (start); none for
/// message.send (TalkJS answers none).
commands::PlatformIds ids_of(const commands::Command& command);

/// GET /v1/{appId}/conversations/{conversation_id}/messages?limit=kReadBackMessages.
upstream::HttpRequest messages_request(const commands::Command& command,
                                       const config::TalkJsSource::Api& api);

/// Reads back the message of message.send or a start in a 2xx body of messages_request
/// (`{"data": [Message...]}`). When any message carries custom.parleyCommandId, only that
/// marker counts: found when it is the command id. Else (TalkJS dropped `custom`): found
/// when a message has the same text (blanks around it aside), the sender's senderId and a
/// createdAt at or after `since` less kClockSkew. Ids: conversationId (a start), messageId.
/// An unreadable body is undecided.
commands::ReadBack match_in_messages(const commands::Command& command, std::string_view body,
                                     std::chrono::system_clock::time_point since);

}  // namespace parley::platforms::talkjs
