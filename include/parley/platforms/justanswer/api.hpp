#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "parley/common/result.hpp"
#include "parley/config/config.hpp"
#include "parley/enrich/conversation.hpp"
#include "parley/enrich/platform_api.hpp"
#include "parley/upstream/request.hpp"

// JustAnswer's REST API (seeds: OAuth2 client credentials, then GET /api/v2/questions/{token}), as
// enrichment uses it.
namespace parley::enrich {

/// The client of the source named `source` (sources.<source>.api); errors name the key
/// ("sources.justanswer.api.base_url: must start with http:// or https://"). Owned by the caller;
/// used only from `executor`'s strand.
Result<std::unique_ptr<PlatformApi>, std::string> make_justanswer_api(
    const boost::asio::any_io_executor& executor, std::string_view source,
    const config::JustAnswerSource::Api& api, const ApiOptions& options);

/// The client-credentials token request of `api` (POST /connect/token, form-encoded), which
/// the enrichment client and the command sender (justanswer/send.hpp) both send. Pure.
upstream::HttpRequest justanswer_token_request(const config::JustAnswerSource::Api& api);

// The reader of its answers: pure; thread-safe (per-thread parser); errors as described in
// platforms/api_support.hpp.

/// A JustAnswer date as a time: "2022-02-02 12:12:12" in UTC (its reference says so), also
/// with a 'T', fractions or an offset (read by CAO's ISO-like rules, sources::parse_cao_date);
/// nullopt when it is none of these.
std::optional<std::chrono::system_clock::time_point> parse_justanswer_time(std::string_view text);

/// JustAnswer `GET /api/v2/questions/{token}` body (`{status, message, data: {question,
/// messages, experts}}`). The question text becomes the first message (id = question
/// token, role customer, sentAt = postedDate, the question's attachments); each message's
/// author is the expert (role expert, id/name/avatar from `expert` {token, name,
/// getSmallestPhotoUri}, else id = authorId) when isExpertMessage, else the customer
/// (`customer_id`). Message text is `text` or `textMessage`, its date `posted` or
/// `postedDate` ("2022-02-02 12:12:12", UTC). `accepted` is written when a message carries
/// isMessageExpertAcceptedAnswer: true when any is true. status "closed"/"open" and
/// `closed` from isClosed, when sent. Participants: the customer (when `customer_id` is
/// not empty), then each of `experts` (avatarUrlSmall). `status: false` is an error
/// carrying JustAnswer's `message`.
Result<FetchedConversation, std::string> parse_justanswer_question(std::string_view body,
                                                                   std::string_view customer_id);

}  // namespace parley::enrich
