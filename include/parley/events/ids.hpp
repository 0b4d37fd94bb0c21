#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace parley::events {

/// A UUIDv7 (RFC 9562): 48-bit Unix milliseconds then 74 random bits, so ids sort by
/// time and never repeat. For platforms whose webhooks carry no natural id.
/// Thread-safe (one generator per thread).
std::string make_uuid_v7(std::chrono::system_clock::time_point now);

/// The id of the `parley.message.created` event of one platform message:
/// `<source>:message:<message id>`. Every path that publishes a message (its webhook, a
/// fetch that discovered it, reconciliation, backfill) uses it, so consumers that drop
/// repeats by source and id see each message once. Pure.
std::string message_event_id(std::string_view source, std::string_view message_id);

}  // namespace parley::events
