#pragma once

#include <simdjson.h>

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "parley/commands/platform_sender.hpp"
#include "parley/common/error.hpp"
#include "parley/common/result.hpp"
#include "parley/enrich/conversation.hpp"
#include "parley/enrich/platform_api.hpp"
#include "parley/sources/json.hpp"
#include "parley/upstream/http_client.hpp"
#include "parley/upstream/token_cache.hpp"

// What every platform's REST clients (platforms/<name>/api.cpp for enrichment, send.cpp for
// commands) and the readers of their answers (api_responses.cpp, send_responses.cpp) share.
// Free functions; thread-safe unless they take a client or a token cache.
namespace parley::platforms {

// --- the client ---

/// The pool settings of a client of `base`: one timeout for connect and each exchange.
upstream::HttpClientOptions client_options(const upstream::BaseUrl& base,
                                           const enrich::ApiOptions& options);

/// What every platform client holds: its source's api settings and its connection pool.
template <class Settings>
class ClientBase : public enrich::PlatformApi {
 public:
  ClientBase(const boost::asio::any_io_executor& executor, Settings api,
             const upstream::BaseUrl& base, const enrich::ApiOptions& options)
      : api_(std::move(api)), client_(executor, client_options(base, options), options.tls) {}

  const upstream::HttpClient& client() const final { return client_; }

 protected:
  const Settings api_;
  upstream::HttpClient client_;
};

/// sources.<source>.api.base_url parsed; an error names the key ("sources.cao-eu.api.
/// base_url: is required for enrichment").
Result<upstream::BaseUrl, std::string> api_base_url(std::string_view source,
                                                    const std::string& url);

/// "sources.<source>.api.<key>: is required for enrichment".
std::string required_for_enrichment(std::string_view source, std::string_view key);

/// The answer of one request on `client` (used only from the client's strand), or a
/// retryable error saying `what` failed.
boost::asio::awaitable<Result<upstream::HttpResponse, upstream::UpstreamError>> send(
    upstream::HttpClient& client, const upstream::HttpRequest& request, std::string_view what);

/// send(), then upstream::judge(): the body of a 2xx answer, else an error saying whether a
/// retry can help.
boost::asio::awaitable<Result<std::string, upstream::UpstreamError>> fetch_body(
    upstream::HttpClient& client, const upstream::HttpRequest& request, std::string_view what);

/// A body that does not read as `what` should: not retryable, the same body would return.
upstream::UpstreamError unreadable(std::string_view what, const std::string& problem);

/// fetch_body() of a client-credentials token request, read as an OAuth token answer.
boost::asio::awaitable<Result<upstream::AccessToken, upstream::UpstreamError>> fetch_token(
    upstream::HttpClient& client, const upstream::HttpRequest& request, std::string_view what);

// --- the readers of its answers (pure) ---
//
// Platform responses -> FetchedConversation. Errors name the field that is missing or of
// the wrong type ("field data.question.token: is required", "field Messages[2].TimeStamp:
// unrecognized date ...") or say which body is not JSON. Platforms are loose, so ids may be
// strings or integers, optional fields may be null and a missing array is empty; an array
// (or TalkJS's participants object) of more than 10000 items is refused naming the limit.
// Dates become RFC 3339 UTC.

/// `body` as a JSON object; an error says it is the body of `what`.
Result<simdjson::dom::object, Error> parse_body(std::string_view body, std::string_view what);

/// {url (required), <name_field> (optional)} as an attachment.
Result<events::Attachment, Error> read_attachment(const sources::FieldReader& attachment,
                                                  std::string_view name_field);

/// The readers share sources' Error; a platform's parse_* function answers its message.
Result<enrich::FetchedConversation, std::string> with_message(
    Result<enrich::FetchedConversation, Error> read);

// --- sending commands (platforms/<name>/send.cpp) ---

/// A platform's clock may run this far behind parley's: a read-back match may be this much
/// older than the moment its command's first call was recorded.
inline constexpr std::chrono::minutes kClockSkew{2};

/// One answer of a send API, or why none came (judged by commands::judge_call).
using SendAnswer = Result<upstream::HttpResponse, upstream::SendError>;

/// "sources.<source>.api.<key>: is required to send commands".
std::string required_to_send(std::string_view source, std::string_view key);

/// Builds the request to send with access token `token`.
using RequestWithToken = std::function<upstream::HttpRequest(const std::string& token)>;

/// The answer to `build(token)` sent on `client` with the current token of `tokens`. A 401
/// invalidates that token and sends once more with a new one: a 401 performed nothing. An
/// error when no token could be had (the request was then not sent). Use only from the
/// client's strand; `build` is called there.
boost::asio::awaitable<Result<SendAnswer, upstream::UpstreamError>> send_with_token(
    upstream::HttpClient& client, upstream::TokenCache& tokens, RequestWithToken build);

/// The outcome of a call made without the access token it needed (nothing was sent):
/// retry_later when the token request can succeed later (its Retry-After kept), else
/// unauthorized (the credentials are refused). `what` names the call.
commands::CallOutcome token_outcome(std::string_view what, const upstream::UpstreamError& error);

/// A ReadBack of `kind` saying what was `checked`.
commands::ReadBack read_back(commands::ReadBack::Kind kind, std::string checked,
                             commands::PlatformIds ids = {});

/// The ReadBack of a read that brought no usable answer; nullopt for a 2xx, whose body the
/// caller reads. No answer, 408, 429 and 5xx: retry_later (Retry-After kept); any other
/// status (a 401 after the refresh, 403, 404, ...): undecided, naming the status.
std::optional<commands::ReadBack> failed_read(std::string_view what, const SendAnswer& answer);

/// The ReadBack of a read made without the access token it needed: retry_later when the
/// token request can succeed later, else undecided.
commands::ReadBack token_read_back(std::string_view what, const upstream::UpstreamError& error);

/// How a platform's write answer reads: `refused` gives the platform's refusal in a body
/// (nullopt when it says nothing of the kind); `ids` gives the ids of a done call, noting a
/// problem in `message`.
struct WriteBody {
  std::function<std::optional<std::string>(const sources::FieldReader& body)> refused;
  std::string_view says;  ///< before the refusal in the message ("CAO says")
  std::function<commands::PlatformIds(const sources::FieldReader& body, std::string& message)> ids;
};

/// commands::judge_call of a write that is not idempotent, then its JSON body: a refusal
/// turns a done call into rejected (a doubt stays a doubt: a server failing after the write
/// may still send a failure body, and only reading back can tell); a done call's ids are
/// read; a body that is not JSON leaves the judgement, noted in the message.
commands::CallOutcome judge_write_body(std::string_view what, const SendAnswer& answer,
                                       const WriteBody& body);

/// `text` without the blanks (space, tab, CR, LF) around it: platforms may trim what they
/// store, so read-backs compare texts this way.
std::string_view trim_blanks(std::string_view text);

}  // namespace parley::platforms
