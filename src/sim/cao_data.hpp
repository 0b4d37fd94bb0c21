#pragma once

#include <cstdint>
#include <string>
#include <string_view>

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

CaoVisit cao_visit(std::string_view visit_id);

/// How many messages the transcript holds: 3 to 6.
std::size_t cao_message_count(std::string_view visit_id);

/// Message `index` of the visit. Defined for every index so that webhooks sent beyond the
/// transcript's length continue the same sequence; GetTranscript returns the first
/// cao_message_count().
CaoMessage cao_message(const CaoVisit& visit, std::size_t index);

/// The body of GET /api/v1.0/AsyncConversation/GetTranscript/{visit_id} (digits): the
/// visit's messages plus `added` more (appended through /_sim/cao/visits/{id}/messages).
std::string cao_transcript_json(std::string_view visit_id, std::size_t added = 0);

}  // namespace parley::sim
