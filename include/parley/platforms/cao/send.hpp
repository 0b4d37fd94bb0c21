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

// ContactAtOnce!'s send API (seed 002, In App Messaging) as the command executor uses it.
// Every call carries `Authorization: Basic <api key>` and `Accept: version=2`, as the
// enrichment client's:
//   conversation.start  POST /api/v1.0/AsyncConversation/Start        {AdvertiserId,
//                       ConsumerId = customer.id, SessionId = ExternalMessageId = the command
//                       id, Message = text, ConsumerFirstName, ConsumerLastName,
//                       ConsumerPhoneNumber}
//   message.send        POST /api/v1.0/AsyncConversation/SendMessage  {VisitId = subject,
//                       MessageId = ExternalMessageId = the command id, Message = text}
// The command id is the marker CAO echoes: in GetTranscript (ExternalMessageId per message),
// GetConversations (SessionId of a started visit) and its receipts (ExternalMessageId).
// SendMessage's MessageId is documented as "assigned by ContactAtOnce", which no publisher
// can know before the message exists; the command id is sent instead, the one id unique to
// the message that stays the same when a send is repeated after a doubt. SendMessage's
// SessionId (documented required, but "if provided") is left out: a command names no session,
// and another value could re-label the visit. Answers `{VisitId, ConsumerId, SessionId,
// Status, FailureDescription}`; Status 1 is a refusal whatever the HTTP status, but a
// 5xx stays a doubt to read back (judge_write).
namespace parley::platforms::cao {

/// The sender of the source named `source` (sources.<source>.api), never null; an error
/// names the key that is missing or malformed. Owned by the caller; used only from
/// `executor`'s strand.
Result<std::unique_ptr<commands::PlatformSender>, std::string> make_sender(
    const boost::asio::any_io_executor& executor, std::string_view source,
    const config::CaoSource::Api& api, const enrich::ApiOptions& options);

// --- requests and the reading of answers: pure; thread-safe (per-thread JSON parser) ---

/// conversation.start and message.send.
bool supports(commands::CommandType type);

/// The first field a CAO call of `command` needs and lacks: data.text (Message),
/// data.customer.id (ConsumerId) and data.advertiserId (AdvertiserId) for a start; subject
/// as a VisitId (digits, no leading zero, at most 18) for message.send; data.attachments
/// are refused, SendMessage and Start carry none.
std::optional<commands::FieldProblem> check(const commands::Command& command);

/// "CAO POST Start", "CAO POST SendMessage": the call `type` makes, for messages.
std::string_view call_name(commands::CommandType type);

/// The write `command` makes (supports() and check() said yes). Never replay-safe.
upstream::HttpRequest write_request(const commands::Command& command, std::string_view api_key);

/// commands::judge_call, then CAO's body: a Status other than 0 turns a 2xx into rejected with
/// FailureDescription, and a 4xx stays rejected with it. Every other kind keeps its own, the
/// description added: a 5xx stays a doubt (a server that fails after the write may still say
/// Status 1, so only reading back can tell), 401/403 unauthorized, 408/429/503 retry_later.
/// Ids of a done call: conversationId (a start's VisitId), visitId, consumerId, sessionId, as
/// answered.
commands::CallOutcome judge_write(const commands::Command& command, const SendAnswer& answer);

/// GET /api/v1.0/AsyncConversation/GetTranscript/{subject}: where message.send is read back.
upstream::HttpRequest transcript_request(const commands::Command& command,
                                         std::string_view api_key);

/// Reads back message.send in a 2xx transcript body. When any message carries an
/// ExternalMessageId (newer CAO versions; the publisher's own messages have theirs, agents'
/// an empty one), only the marker counts: found when one equals the command id (ids
/// visitId, messageId = its MessageId when given). Without the field anywhere: found when a
/// Customer/Consumer message has the same text (blanks around it aside) and a TimeStamp at
/// or after `since` less kClockSkew (CAO's minute precision is within it). A Status other
/// than 0 or an unreadable body is undecided.
commands::ReadBack match_in_transcript(const commands::Command& command, std::string_view body,
                                       std::chrono::system_clock::time_point since);

/// GET /api/v1.0/AsyncConversation/GetConversations/{customer.id}: where a start is read back.
upstream::HttpRequest conversations_request(const commands::Command& command,
                                            std::string_view api_key);

/// Reads back a start in a 2xx GetConversations body: found when a conversation's SessionId
/// (or ExternalMessageId, which parley-sim adds) is the command id (ids conversationId and
/// visitId = its VisitId, consumerId, sessionId). A Status other than 0 or an unreadable
/// body is undecided.
commands::ReadBack match_in_conversations(const commands::Command& command, std::string_view body);

}  // namespace parley::platforms::cao
