#pragma once

#include <simdjson.h>

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "parley/common/error.hpp"
#include "parley/common/result.hpp"
#include "parley/enrich/conversation.hpp"
#include "parley/enrich/platform_api.hpp"
#include "parley/sources/json.hpp"
#include "parley/upstream/http_client.hpp"

// What every platform's REST client (platforms/<name>/api.cpp) and its response readers
// (api_responses.cpp) share. Free functions; thread-safe unless they take a client.
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

}  // namespace parley::platforms
