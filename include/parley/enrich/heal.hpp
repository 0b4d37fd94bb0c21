#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/common/result.hpp"
#include "parley/enrich/conversation.hpp"
#include "parley/kafka/consumer.hpp"
#include "parley/kafka/producer.hpp"

namespace parley::enrich {

// What `parley replay` and `parley backfill` publish (docs/operations.md, "Replay and
// backfill"). Pure functions; thread-safe.

/// Which dead letters `parley replay` sends back. Empty members match everything.
struct ReplayFilter {
  std::string platform;                  ///< data.platform
  std::string conversation;              ///< data.conversation.id
  std::optional<std::int64_t> since_ms;  ///< the dead letter's timestamp >= this
  std::optional<std::int64_t> until_ms;  ///< the dead letter's timestamp < this
  std::string reason;                    ///< a substring of its parley_deadletter_reason
};

/// A dead letter that matched: what goes back to the events topic.
struct Replay {
  std::string id;      ///< the event's id (unchanged)
  std::string reason;  ///< why it was dead-lettered
  kafka::Record record;
};

/// What `parley replay` does with one record of the dead-letter topic: nullopt when the
/// filter leaves it out; else the original event (data.enrichment removed, every other
/// byte as the stage read it), same key, the original headers without the dead-letter
/// ones plus parley_replay_of = "<topic>/<partition>/<offset>", for `events_topic`.
/// Errors when the record is not a parley event (a dead letter of an unreadable event:
/// replaying it cannot succeed), naming the field.
Result<std::optional<Replay>, std::string> replay_of(const kafka::ConsumedRecord& deadletter,
                                                     const ReplayFilter& filter,
                                                     const std::string& events_topic);

/// `parley backfill`'s records for a conversation fetched at `fetched_at` (RFC 3339):
/// every message as parley.message.created (platformEvent backfill.discovered, the
/// message's own id, to `events_topic`; ids parley made up are left out), then one
/// enriched parley.conversation.updated (platformEvent parley.backfill, a new UUIDv7 id,
/// data.enrichment ok) to `enriched_topic`. `about` names the source, platform,
/// conversation and customer.
std::vector<kafka::Record> backfill_records(const EventRef& about,
                                            const FetchedConversation& conversation,
                                            const std::string& fetched_at,
                                            const std::string& events_topic,
                                            const std::string& enriched_topic);

}  // namespace parley::enrich
