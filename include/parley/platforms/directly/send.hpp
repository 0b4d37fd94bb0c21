#pragma once

#include <boost/asio/any_io_executor.hpp>
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

// Directly's Messaging API (seed 001) as the command executor uses it, with the Bearer token
// its poller's client gets (client credentials at api.token_path, directly/api.hpp):
//   conversation.start  POST /questions  {text, author: {name}}  -> 201, data.uuid
//   answer.accept       POST /responses/{data.messageId}/accept
// message.send stays unsupported until Directly's add-message path is confirmed
// (PLATFORMS.md). Answers use the envelope {meta, data, error: {message}}.
namespace parley::directly {

/// The sender of the source named `source` (sources.<source>.api), never null; an error
/// names the key that is missing or malformed. Owned by the caller; used only from
/// `executor`'s strand.
Result<std::unique_ptr<commands::PlatformSender>, std::string> make_sender(
    const boost::asio::any_io_executor& executor, std::string_view source,
    const config::DirectlySource::Api& api, const enrich::ApiOptions& options);

// --- requests and the reading of answers: pure; thread-safe (per-thread JSON parser) ---

/// conversation.start and answer.accept.
bool supports(commands::CommandType type);

/// The first field a Directly call of `command` needs and lacks: data.text (start),
/// data.messageId (accept: the response's uuid); data.attachments are refused.
std::optional<commands::FieldProblem> check(const commands::Command& command);

/// "Directly POST /questions", "Directly POST /responses/{uuid}/accept", for messages.
std::string_view call_name(commands::CommandType type);

/// The write `command` makes (supports() and check() said yes) with `access_token`: a
/// start's body has the text and, when the customer has a name, author.name (the body's
/// shape is parley-sim's; Directly's reference names no fields). Never replay-safe.
upstream::HttpRequest write_request(const commands::Command& command,
                                    std::string_view access_token);

/// commands::judge_call, with Directly's error.message added for a call not done. Ids of a
/// done call: conversationId = data.uuid (a start; a 201 without it stays done, its message
/// saying so), messageId = the accepted response's uuid (accept).
commands::CallOutcome judge_write(const commands::Command& command,
                                  const platforms::SendAnswer& answer);

/// Whether an accept can be read back: only when its subject names the question (Directly
/// reads responses only through their question, and lists no questions).
bool can_read_back(const commands::Command& command);

/// GET /questions/{subject}: where an accept is read back.
upstream::HttpRequest question_request(const commands::Command& command,
                                       std::string_view access_token);

/// Reads back an accept in a 2xx body of question_request: found when the question's
/// accepted response (isAccepted) is the command's messageId, else not_found; an unreadable
/// body is undecided.
commands::ReadBack match_accepted(const commands::Command& command, const std::string& body);

}  // namespace parley::directly
