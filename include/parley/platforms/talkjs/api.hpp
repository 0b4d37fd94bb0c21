#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "parley/common/result.hpp"
#include "parley/config/config.hpp"
#include "parley/enrich/conversation.hpp"
#include "parley/enrich/platform_api.hpp"

// TalkJS's REST API (Bearer secret key, GET the conversation and its messages), as enrichment uses
// it.
namespace parley::enrich {

/// The client of the source named `source` (sources.<source>.api); errors name the key
/// ("sources.talkjs.api.base_url: must start with http:// or https://"). Owned by the caller;
/// used only from `executor`'s strand.
Result<std::unique_ptr<PlatformApi>, std::string> make_talkjs_api(
    const boost::asio::any_io_executor& executor, std::string_view source,
    const config::TalkJsSource::Api& api, const ApiOptions& options);

// The reader of its answers: pure; thread-safe (per-thread parser); errors as described in
// platforms/api_support.hpp.

/// TalkJS `GET /v1/{appId}/conversations/{id}` and `.../messages` bodies. Participants
/// from the `participants` object's keys (role customer: TalkJS conversations carry no
/// roles); subject; messages from `data[]` (createdAt unix ms; SystemMessage -> role
/// system, else customer with the senderId; createdAt required), sorted oldest first
/// (stable). `closed` is not written (TalkJS has no such state).
Result<FetchedConversation, std::string> parse_talkjs_conversation(
    std::string_view conversation_body, std::string_view messages_body);

}  // namespace parley::enrich
