#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace parley::events {

/// A UUIDv7 (RFC 9562): 48-bit Unix milliseconds then 74 random bits, so ids sort by
/// time and never repeat. For platforms whose webhooks carry no natural id.
/// Thread-safe (one generator per thread).
std::string make_uuid_v7(std::chrono::system_clock::time_point now);

// Event ids (docs/events.md, "Ids and duplicates"). Consumers drop repeats by source and id,
// so two different events must never share an id. Every id parley derives from platform
// values is `<source>:<kind>:<platform part>`: the source's name holds no ':' (config
// checks it), each kind below is a fixed word, and in a platform part made of several
// values every value but the last is escaped (escape_id_part), so no platform value can make
// an id of one kind look like an id of another kind or of another event. JustAnswer's
// UUIDv7 ids hold no ':' and so equal no derived id.

/// The id of the `parley.message.created` event of one platform message:
/// `<source>:message:<message id>` (the message id verbatim, last). Every path that publishes
/// a message (its webhook, a fetch that discovered it, reconciliation, backfill) uses it, so
/// consumers that drop repeats by source and id see each message once. Only message.created
/// events use the kind `message`. Pure.
std::string message_event_id(std::string_view source, std::string_view message_id);

/// The id of an event the platform names with an id of its own (a TalkJS webhook's `id`):
/// `<source>:event:<platform event id>`. Pure.
std::string platform_event_id(std::string_view source, std::string_view event_id);

/// The id of a receipt (delivered / read) of one message in one status:
/// `<source>:receipt:<escaped message id>:<status>`. Pure.
std::string receipt_event_id(std::string_view source, std::string_view message_id,
                             std::string_view status);

/// The id of a conversation state parley observed (Directly polling):
/// `<source>:state:<escaped conversation id>:<digest>`. Pure.
std::string state_event_id(std::string_view source, std::string_view conversation_id,
                           std::string_view digest);

/// `text` with '%' written as "%25" and ':' as "%3A", so it holds no ':' and the first ':'
/// after it ends it; text without either (every id seen in practice) is unchanged. Pure.
std::string escape_id_part(std::string_view text);

}  // namespace parley::events
