#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::sim {

/// The VisitId `send` uses without --conversation (the seed's ReceiveMessage sample).
inline constexpr std::string_view kDefaultVisit = "12617187";

/// Who takes part in a visit, derived from its VisitId.
struct CaoVisit {
  std::string visit_id;
  std::string consumer_id;  ///< 15 digits
  std::string session_id;
  std::string consumer_name;
  std::string agent_name;
  std::string agent_image_url;
};

/// One transcript message. Even indices are the consumer's (carrying the publisher's
/// ExternalMessageId), odd ones the agent's.
struct CaoMessage {
  std::string message_id;           ///< 9 digits, CAO's id
  std::string external_message_id;  ///< the publisher's id; empty on agent messages
  std::string time_stamp;           ///< "6/15/2024 4:13 PM"
  std::string speaker_name;
  std::string speaker_role;  ///< "Customer" or "Agent"
  std::string text;
  std::string media_url;  ///< empty when none
  int status;             ///< 1 delivered, 2 read
};

/// A visit started through Start: who takes part, as the publisher said.
struct CaoStart {
  std::string advertiser_id;
  std::string consumer_id;
  std::string session_id;
  std::string external_message_id;  ///< of the Start's message
  std::string consumer_name;        ///< ConsumerFirstName; "Customer" when absent
};

/// What writes changed in a visit; a default one is the generated visit as is.
struct CaoVisitState {
  std::optional<CaoStart> start;    ///< set: no generated history, ids as started
  std::vector<CaoMessage> extra;    ///< after the generated ones: continuations and sends
  std::size_t generated_added = 0;  ///< continuations added through /_sim/cao/visits
};

CaoVisit cao_visit(std::string_view visit_id);
/// The visit as `state` makes it: a started visit's consumer and session are the Start's.
CaoVisit cao_visit(std::string_view visit_id, const CaoVisitState& state);

/// How many messages the transcript holds: 3 to 6.
std::size_t cao_message_count(std::string_view visit_id);

/// Message `index` of the visit. Defined for every index so that webhooks sent beyond the
/// transcript's length continue the same sequence; GetTranscript returns the first
/// cao_message_count().
CaoMessage cao_message(const CaoVisit& visit, std::size_t index);

/// A message the publisher sent (Start, SendMessage) at `now` (unix seconds): the
/// consumer's, with CAO's MessageId derived from the visit and `ordinal`, delivered.
CaoMessage cao_sent_message(const CaoVisit& visit, std::string external_message_id,
                            std::string text, std::int64_t now, std::size_t ordinal);

/// The body of GET /api/v1.0/AsyncConversation/GetTranscript/{visit_id} (digits): the
/// visit's generated messages (none for a started visit), then `state.extra`.
std::string cao_transcript_json(std::string_view visit_id, const CaoVisitState& state = {});

/// The body of GET /api/v1.0/AsyncConversation/GetConversations/{consumer_id}: one item per
/// visit in `visits` (VisitId, state), each with the seed's members and, a simulator
/// extension, the Start's ExternalMessageId.
std::string cao_conversations_json(std::string_view consumer_id,
                                   std::span<const std::pair<std::string, CaoVisitState>> visits);

}  // namespace parley::sim
