#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
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

// JustAnswer's send API (seed 000) as the command executor uses it. Every call carries
// Authorization: Bearer (client credentials, as enrichment gets it), X-Api-Key and
// UserIdToken = the command's customer.id:
//   conversation.start  POST /api/v2/questions/post          {"message", "categoryName"}
//   message.send        POST /api/v2/questions/{q}/messages   {"text", "attachments"}
//   answer.accept       POST /api/v2/questions/{q}/messages/{m}/accept
//   answer.rate         POST /api/v2/questions/{q}/messages/{m}/feedback
//                                                     {"feedbackSettings": {"text",
//                                                     "feedbackLevel"}}
//   message.read        POST /api/v2/questions/{q}/messages/{m}/view
// user.upsert is not JustAnswer's.
namespace parley::platforms::justanswer {

/// The sender of the source named `source` (sources.<source>.api), never null; an error
/// names the key that is missing or malformed ("sources.justanswer.api.api_key: is required
/// to send commands"). Owned by the caller; used only from `executor`'s strand.
Result<std::unique_ptr<commands::PlatformSender>, std::string> make_sender(
    const boost::asio::any_io_executor& executor, std::string_view source,
    const config::JustAnswerSource::Api& api, const enrich::ApiOptions& options);

// --- requests and the reading of answers: pure; thread-safe (per-thread JSON parser) ---

/// What every call carries besides the customer.
struct Credentials {
  std::string_view access_token;
  std::string_view api_key;
};

/// Every command type but user.upsert.
bool supports(commands::CommandType type);

/// The first field a JustAnswer call of `command` needs and lacks: data.customer.id (the
/// UserIdToken of every call), data.text (start, message.send), subject (everything after
/// the start), data.messageId (accept, rate, read), data.rating 1..5 (rate).
std::optional<commands::FieldProblem> check(const commands::Command& command);

/// "JustAnswer POST /api/v2/questions/{q}/messages": the call `type` makes, for messages
/// (ids stay out of them).
std::string_view call_name(commands::CommandType type);

/// The write `command` makes (supports() and check() said yes): its path (ids as encoded
/// path segments), headers and JSON body. Never replay-safe.
upstream::HttpRequest write_request(const commands::Command& command,
                                    const Credentials& credentials);

/// commands::judge_call, then JustAnswer's body. `{"status": false, "message": ...}` is a
/// refusal whatever the HTTP status: a 2xx (or a 4xx) carrying it is rejected with
/// JustAnswer's message; other kinds keep theirs, with the message added. Ids of a done
/// call: conversationId and questionToken (data.questionToken) for a start, messageId
/// (data.messageId, as JustAnswer answers it: `<hex>_<n>`) for message.send, the command's
/// messageId for accept, rate and read. A done call whose body lacks its id stays done (it
/// was performed), its message saying what is missing.
commands::CallOutcome judge_write(const commands::Command& command, const SendAnswer& answer);

/// GET /api/v2/questions/{subject}: where a command on an existing question is read back.
upstream::HttpRequest question_request(const commands::Command& command,
                                       const Credentials& credentials);

/// Reads back `command` (not a start) in the body of question_request's 2xx answer, from
/// data.messages[] and data.question.lastMessage. message.send: found when a customer message
/// (isExpertMessage not true; authorId, when given, the command's customer) has the same
/// text (blanks around it aside) and was posted at or after `since` less kClockSkew; its
/// token becomes messageId without the `!` JustAnswer's GET wraps it in. accept, rate, read:
/// the message whose token is the command's messageId (`<hex>_<n>` and `!<hex>_<n>!` are
/// the same message) found with isMessageExpertAcceptedAnswer, hasFeedback or isMessageRead
/// true; not_found when it is false or the message is absent. A body about another question,
/// a `status: false` body or an unreadable one is undecided.
commands::ReadBack match_in_question(const commands::Command& command, std::string_view body,
                                     std::chrono::system_clock::time_point since);

/// Questions per page of questions_request; JustAnswer allows up to 100.
inline constexpr unsigned kQuestionsPageSize = 100;

/// GET /api/v2/questions?page=<page>&pageSize=kQuestionsPageSize: the questions of the
/// command's customer, where a start is read back.
upstream::HttpRequest questions_request(const commands::Command& command, unsigned page,
                                        const Credentials& credentials);

/// One page of the customer's questions, as a start's read-back needs it.
struct QuestionsPage {
  std::optional<std::string> match;  ///< the token of the question the start posted
  std::size_t questions = 0;         ///< how many the page listed
  unsigned total_pages = 0;          ///< data.totalPages; 0 when JustAnswer does not say
};

/// Reads a 2xx answer of questions_request: `match` is a question whose text is the start's
/// (text, else title; blanks around it aside) posted at or after `since` less kClockSkew.
/// An error names what is unreadable (or carries JustAnswer's `status: false` message).
Result<QuestionsPage, std::string> read_questions_page(const commands::Command& command,
                                                       std::string_view body,
                                                       std::chrono::system_clock::time_point since);

/// A message token without the `!...!` JustAnswer's GET wraps it in: "!ab_1!" -> "ab_1".
std::string_view bare_token(std::string_view token);

}  // namespace parley::platforms::justanswer
