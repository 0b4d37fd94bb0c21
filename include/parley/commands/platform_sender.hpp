#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string_view>

#include "parley/commands/command.hpp"
#include "parley/common/result.hpp"
#include "parley/upstream/http_client.hpp"

namespace parley::commands {

/// One source's send API as the command executor uses it: each platform's folder
/// implements it (platforms/<name>/send.cpp) next to its fetch client, and the platform
/// table's make_sender builds it. Calls go only to the source's configured base URL with the
/// source's own credentials; ids from commands are percent-encoded path segments and text
/// travels only in JSON bodies. Not thread-safe: created on the executor's strand and used
/// only from it.
class PlatformSender {
 public:
  virtual ~PlatformSender() = default;

  /// "justanswer", "cao", "talkjs", "directly".
  virtual std::string_view platform() const = 0;

  /// Whether this platform has `type` (a "—" in the contract's table: false).
  virtual bool supports(CommandType type) const = 0;

  /// The fields this platform needs beyond what parse_command checked (JustAnswer: the
  /// customer.id every call carries as UserIdToken; TalkJS message.send: author.id); the
  /// first one missing or unusable. Pure.
  virtual std::optional<FieldProblem> check(const Command& command) const = 0;

  /// True when performing `command` twice cannot do it twice (TalkJS's PUT upserts): such a
  /// command is resent after a doubt without reading back.
  virtual bool idempotent(const Command& command) const = 0;

  /// Performs `command` once. A 401 refreshes the token and is sent once more (a 401 cannot
  /// have performed anything); no other call is ever repeated inside. For a start, `ids`
  /// holds "conversationId" (the new conversation) when the platform says it.
  virtual boost::asio::awaitable<CallOutcome> perform(const Command& command) = 0;

  /// After a doubt: reads the conversation back and says whether `command` was performed.
  /// `since` is when its first call was recorded as about to happen: a match must be newer
  /// (less the platform's clock skew). Matches by a marker the platform echoes (CAO's
  /// ExternalMessageId = command id), else by text + author + time.
  virtual boost::asio::awaitable<ReadBack> read_back(
      const Command& command, std::chrono::system_clock::time_point since) = 0;
};

/// The common judgement of one send API call: transport errors and HTTP statuses as a
/// CallOutcome kind. refused → invalid; unreached → retry_later; unanswered → doubt (or
/// retry_later when `idempotent`); 2xx → done (the caller still reads the body for a
/// failure body and ids); 401/403 → unauthorized; 408/429/503 → retry_later with
/// Retry-After; other 5xx → doubt (retry_later when `idempotent`); other 4xx → rejected.
/// `what` names the call in messages. Pure; thread-safe.
CallOutcome judge_call(std::string_view what,
                       const Result<upstream::HttpResponse, upstream::SendError>& answer,
                       bool idempotent);

}  // namespace parley::commands
