#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "parley/common/result.hpp"
#include "parley/config/config.hpp"
#include "parley/enrich/conversation.hpp"
#include "parley/enrich/platform_api.hpp"

// ContactAtOnce!'s REST API (Basic api key, GET .../GetTranscript/{VisitId}), as enrichment uses
// it.
namespace parley::enrich {

/// The client of the source named `source` (sources.<source>.api); errors name the key
/// ("sources.cao.api.base_url: must start with http:// or https://"). Owned by the caller;
/// used only from `executor`'s strand.
Result<std::unique_ptr<PlatformApi>, std::string> make_cao_api(
    const boost::asio::any_io_executor& executor, std::string_view source,
    const config::CaoSource::Api& api, const ApiOptions& options);

// The reader of its answers: pure; thread-safe (per-thread parser); errors as described in
// platforms/api_support.hpp.

/// CAO `GetTranscript/{VisitId}` body. SpeakerRole Agent -> agent, Customer/Consumer ->
/// customer (the author id is then ConsumerId), any other role -> system; message id =
/// MessageId when present, else "<VisitId>:<index>" (listed in made_up_ids); MediaURL non-empty ->
/// one attachment; TimeStamp parsed with sources' CAO date rules. Required: VisitId and each
/// message's TimeStamp, SpeakerRole and Message (may be empty). A body with a non-zero
/// Status is an error carrying FailureDescription. Participants: distinct speakers, in
/// order of appearance.
Result<FetchedConversation, std::string> parse_cao_transcript(std::string_view body);

}  // namespace parley::enrich
