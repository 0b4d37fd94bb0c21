#include "cao_data.hpp"

#include <array>

#include "deterministic.hpp"
#include "json_out.hpp"

namespace parley::sim {
namespace {

constexpr std::array<std::string_view, 6> kConsumerTexts = {
    "Hi, is the 2021 RAV4 on your lot still available?",
    "Do you offer special financing on this vehicle?",
    "Could I come by for a test drive on Saturday morning?",
    "What would my monthly payment be with $3,000 down?",
    "Does it come with a warranty?",
    "Great, see you then!"};

constexpr std::array<std::string_view, 6> kAgentTexts = {
    "Hi! Yes, it is still available. Would you like to see it?",
    "We do: 1.9% APR for 60 months for qualified buyers.",
    "Saturday works. Does 10:00 AM suit you?",
    "With $3,000 down it would be about $389 a month.",
    "It has the remaining factory warranty plus our 90-day dealer warranty.",
    "See you at 10:00. Ask for me at the front desk."};

constexpr std::array<std::string_view, 4> kAdvertisers = {"Nalley Lexus", "Sunset Honda",
                                                          "Lakeside Ford", "Metro Toyota"};

constexpr std::int64_t kMessageSpacing = std::int64_t{7} * 60;

}  // namespace

CaoVisit cao_visit(std::string_view visit_id) {
  const auto agent = person_name(pick(visit_id, "agent"));
  std::string slug;
  for (const char c : agent)
    slug.push_back(c == ' ' ? '-' : static_cast<char>(c | 0x20));
  return CaoVisit{
      .visit_id = std::string(visit_id),
      .consumer_id = decimal_id(pick(visit_id, "consumer"), 15),
      .session_id = "sess-" + hex64(pick(visit_id, "session")).substr(0, 8),
      .consumer_name = std::string(choose(kFirstNames, pick(visit_id, "consumer-name"))),
      .agent_name = agent,
      .agent_image_url = "https://media.cao.invalid/agents/" + slug + ".png"};
}

std::size_t cao_message_count(std::string_view visit_id) {
  return 3 + pick(visit_id, "count") % 4;
}

CaoMessage cao_message(const CaoVisit& visit, std::size_t index) {
  const std::string_view id = visit.visit_id;
  const bool consumer = index % 2 == 0;
  // Whole minutes, as CAO writes them, strictly increasing with the index.
  const std::int64_t at = start_time(pick(id, "start")) +
                          static_cast<std::int64_t>(index) * kMessageSpacing +
                          static_cast<std::int64_t>(pick(id, "gap", index) % 5) * 60;
  // Whatever was answered has been read; the latest message may not have been yet.
  const bool latest = index + 1 >= cao_message_count(id);
  // Each side's texts in order: the lists are written as one dialogue.
  const auto turn = pick(id, "text") + index / 2;
  CaoMessage message{
      .message_id = decimal_id(pick(id, "message", index), 9),
      .external_message_id = consumer ? decimal_id(pick(id, "external", index), 9) : "",
      .time_stamp = cao_date(at),
      .speaker_name = consumer ? visit.consumer_name : visit.agent_name,
      .speaker_role = consumer ? "Customer" : "Agent",
      .text = std::string(consumer ? choose(kConsumerTexts, turn) : choose(kAgentTexts, turn)),
      .status = latest ? 1 : 2};
  if (!consumer && pick(id, "media", index) % 4 == 0) {
    message.media_url =
        "https://media.cao.invalid/visits/" + visit.visit_id + "/" + std::to_string(index) + ".png";
  }
  return message;
}

CaoVisit cao_visit(std::string_view visit_id, const CaoVisitState& state) {
  auto visit = cao_visit(visit_id);
  if (state.start) {
    visit.consumer_id = state.start->consumer_id;
    visit.session_id = state.start->session_id;
    visit.consumer_name = state.start->consumer_name;
  }
  return visit;
}

CaoMessage cao_sent_message(const CaoVisit& visit, std::string external_message_id,
                            std::string text, std::int64_t now, std::size_t ordinal) {
  return CaoMessage{.message_id = decimal_id(pick(visit.visit_id, "sent", ordinal), 9),
                    .external_message_id = std::move(external_message_id),
                    .time_stamp = cao_date(now),
                    .speaker_name = visit.consumer_name,
                    .speaker_role = "Customer",
                    .text = std::move(text),
                    .status = 1};
}

std::string cao_transcript_json(std::string_view visit_id, const CaoVisitState& state) {
  const auto visit = cao_visit(visit_id, state);
  const std::size_t generated = state.start ? 0 : cao_message_count(visit_id);
  const std::size_t count = generated + state.extra.size();
  std::size_t unread = 0;
  std::string body;
  {
    json::ObjectWriter transcript(body);
    auto& list = transcript.key("Messages");
    list += '[';
    for (std::size_t i = 0; i < count; ++i) {
      const auto message = i < generated ? cao_message(visit, i) : state.extra[i - generated];
      if (message.speaker_role == "Customer" && message.status != 2) ++unread;
      if (i > 0) list += ',';
      json::ObjectWriter object(list);
      put_string(object, "TimeStamp", message.time_stamp);
      put_string(object, "SpeakerName", message.speaker_name);
      put_string(object, "SpeakerRole", message.speaker_role);
      put_string(object, "Message", message.text);
      put_string(object, "MediaURL", message.media_url);
      put_string(object, "MessageId", message.message_id);
      put_string(object, "ExternalMessageId", message.external_message_id);
      put_int(object, "Status", message.status);
    }
    list += ']';
    put_int(transcript, "NumMessages", static_cast<long long>(count));
    put_int(transcript, "TotalUnreadConsumerMessages", static_cast<long long>(unread));
    put_raw(transcript, "VisitId", visit_id);  // an Int in CAO's reference
    put_string(transcript, "ConsumerId", visit.consumer_id);
    put_string(transcript, "SessionId", visit.session_id);
    put_int(transcript, "Status", 0);
    put_raw(transcript, "FailureDescription", "null");
  }
  return body;
}

std::string cao_conversations_json(std::string_view consumer_id,
                                   std::span<const std::pair<std::string, CaoVisitState>> visits) {
  std::string body;
  {
    json::ObjectWriter answer(body);
    auto& list = answer.key("Conversations");
    list += '[';
    for (std::size_t i = 0; i < visits.size(); ++i) {
      const auto& [visit_id, state] = visits[i];
      const auto visit = cao_visit(visit_id, state);
      const auto last = state.extra.empty() ? cao_message(visit, cao_message_count(visit_id) - 1)
                                            : state.extra.back();
      if (i > 0) list += ',';
      json::ObjectWriter item(list);
      put_string(item, "AdvertiserId",
                 state.start ? state.start->advertiser_id
                             : "adv-" + hex64(pick(visit_id, "adv")).substr(0, 6));
      put_string(item, "AdvertiserName", std::string(choose(kAdvertisers, pick(visit_id, "adv"))));
      put_string(item, "AgentName", visit.agent_name);
      put_string(item, "SessionId", visit.session_id);
      put_string(item, "VisitId", visit_id);  // a string in the seed's sample
      put_string(item, "LastMessageDateTime", last.time_stamp);
      put_string(item, "LastMessage", last.text);
      put_string(item, "Status", "0");
      put_string(item, "ExternalMessageId",
                 state.start ? state.start->external_message_id : std::string());
    }
    list += ']';
    put_string(answer, "ConsumerId", consumer_id);
    put_int(answer, "Status", 0);
    put_raw(answer, "FailureDescription", "null");
  }
  return body;
}

}  // namespace parley::sim
