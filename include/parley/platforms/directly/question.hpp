#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/common/result.hpp"
#include "parley/events/cloud_event.hpp"

namespace parley::directly {

/// True for a UUID in Directly's 8-4-4-4-12 hex form (either case).
bool is_uuid(std::string_view text);

/// The name of the Directly source when there is one: its watch records are keyed by the
/// bare uuid, as before sources had names.
inline constexpr std::string_view kDefaultSource = "directly";

/// The watch-list key of question `uuid` of source `source`: the uuid for the default
/// source, "<source>:<uuid>" for any other (several accounts share one watch topic).
std::string watch_key(std::string_view source, std::string_view uuid);

/// The source watch-list key `key` belongs to: what precedes its ':', else the default.
std::string_view watch_owner(std::string_view key);

/// The uuid of watch-list key `key` when it belongs to `source`; nullopt for another
/// source's key or one that holds no uuid.
std::optional<std::string> watched_uuid(std::string_view source, std::string_view key);

/// A system message: Directly's signal of a state change (seed 001, "System Messages").
struct SystemMessage {
  std::string type;  ///< e.g. ACCEPTED_RESPONSE_SYSTEM_MESSAGE
  std::string created_at;
  auto operator<=>(const SystemMessage&) const = default;
};

/// Everything about a question except its messages: what conversation.updated reports.
struct QuestionState {
  std::string status;  ///< Directly's own value ("UNRESOLVED"), verbatim
  bool answered = false;
  bool closed = false;
  bool rerouted = false;
  std::string accepted_response;               ///< uuid of the accepted response; empty when none
  std::vector<SystemMessage> system_messages;  ///< sorted
  bool operator==(const QuestionState&) const = default;
};

/// A user or expert message, normalized, with its JSON as Directly sent it.
struct QuestionMessage {
  events::Message message;
  std::string raw_json;
};

/// One question as GET /questions/{uuid} returns it (`data` of the envelope).
struct Question {
  std::string uuid;
  std::string updated_at;
  std::string customer_id;  ///< conversation.author.uuid
  /// The question's own text first (id = the question's uuid), then every response's
  /// messages in order.
  std::vector<QuestionMessage> messages;
  QuestionState state;
  std::string state_json;  ///< `data.state`, compact

  /// Closed or expired: nothing will happen to it any more, so it is unwatched.
  bool finished() const;
};

/// Parses a 200 answer (`{meta, data, error}`); the error names the field.
Result<Question, std::string> parse_question(const std::string& body);

/// What was published about a question: a hash per message and the last state. Small,
/// so many questions fit in memory; rebuilt from the first poll after a restart.
struct KnownQuestion {
  std::vector<std::uint64_t> message_hashes;  ///< sorted
  QuestionState state;
};

KnownQuestion remember(const Question& question);

/// The events a polled question means given what was published before (`known` null:
/// nothing is known, after a watch or a restart). In order: parley.message.created for
/// each message not published yet, then one parley.conversation.updated listing what
/// changed when the state differs. Ids are deterministic (a message's uuid; a hash of the
/// state), so what a restart publishes again carries the ids consumers already have.
/// `source` names the events (source /parley/<source>, keys and ids "<source>:...").
std::vector<events::CloudEvent> question_events(const Question& question,
                                                const KnownQuestion* known, bool include_raw,
                                                std::string_view source = kDefaultSource);

}  // namespace parley::directly
