#include "parley/enrich/heal.hpp"

#include <chrono>

#include "parley/events/cloud_event.hpp"
#include "parley/events/ids.hpp"
#include "parley/kafka/event_record.hpp"

namespace parley::enrich {
namespace {

constexpr std::string_view kReasonHeader = "parley_deadletter_reason";
constexpr std::string_view kAttemptsHeader = "parley_attempts";
constexpr std::string_view kReplayOfHeader = "parley_replay_of";

std::string header(const kafka::ConsumedRecord& record, std::string_view name) {
  for (const auto& [key, value] : record.headers) {
    if (key == name) return value;
  }
  return {};
}

bool matches(const kafka::ConsumedRecord& record, const EventRef& event, const std::string& reason,
             const ReplayFilter& filter) {
  // --platform names a platform or one source of it.
  if (!filter.platform.empty() && event.platform != filter.platform &&
      event.source_name != filter.platform) {
    return false;
  }
  if (!filter.conversation.empty() && event.conversation_id != filter.conversation) return false;
  if (filter.since_ms && record.timestamp_ms < *filter.since_ms) return false;
  if (filter.until_ms && record.timestamp_ms >= *filter.until_ms) return false;
  return filter.reason.empty() || reason.find(filter.reason) != std::string::npos;
}

}  // namespace

Result<std::optional<Replay>, std::string> replay_of(const kafka::ConsumedRecord& deadletter,
                                                     const ReplayFilter& filter,
                                                     const std::string& events_topic) {
  auto event = read_event(deadletter.value);
  if (!event) return "not a parley event (" + event.error() + ")";
  const auto reason = header(deadletter, kReasonHeader);
  if (!matches(deadletter, event.value(), reason, filter)) return std::optional<Replay>();
  auto original = strip_enrichment(deadletter.value);
  if (!original) return original.error().message;
  Replay replay{
      .id = event.value().id,
      .reason = reason,
      .record = {
          .topic = events_topic, .key = deadletter.key, .value = std::move(original).value()}};
  for (const auto& [key, value] : deadletter.headers) {
    if (key != kReasonHeader && key != kAttemptsHeader && key != kReplayOfHeader) {
      replay.record.headers.emplace_back(key, value);
    }
  }
  replay.record.headers.emplace_back(kReplayOfHeader, deadletter.topic + "/" +
                                                          std::to_string(deadletter.partition) +
                                                          "/" + std::to_string(deadletter.offset));
  return std::optional<Replay>(std::move(replay));
}

std::vector<kafka::Record> backfill_records(const EventRef& about,
                                            const FetchedConversation& conversation,
                                            const std::string& fetched_at,
                                            const std::string& events_topic,
                                            const std::string& enriched_topic) {
  std::vector<kafka::Record> records;
  for (const auto& message : conversation.messages) {
    if (conversation.made_up_ids.contains(message.id)) continue;
    records.push_back(kafka::event_record(
        events_topic, message_created_event(about, message, fetched_at, "backfill.discovered")));
  }
  auto updated = kafka::event_record(
      enriched_topic,
      events::CloudEvent{.id = events::make_uuid_v7(std::chrono::system_clock::now()),
                         .source = about.source,
                         .type = std::string(events::type::kConversationUpdated),
                         .subject = about.conversation_id,
                         .time = fetched_at,
                         .partition_key = conversation_key(about),
                         .data = {.platform = about.platform,
                                  .source_name = about.name(),
                                  .platform_event = "parley.backfill",
                                  .conversation = {.id = about.conversation_id,
                                                   .customer_id = about.customer_id}}});
  // The event was just built by encode(), so splicing into it cannot fail.
  updated.value = splice_enrichment(
                      updated.value, to_json(conversation),
                      to_json(Enrichment{.status = "ok", .fetched_at = fetched_at, .attempts = 1}))
                      .value();
  records.push_back(std::move(updated));
  return records;
}

}  // namespace parley::enrich
