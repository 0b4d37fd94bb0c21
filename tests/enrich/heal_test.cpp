// What `parley replay` and `parley backfill` publish, record by record.
#include "parley/enrich/heal.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "parley/events/cloud_event.hpp"

namespace parley::enrich {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string header(const kafka::Record& record, std::string_view name) {
  for (const auto& [key, value] : record.headers) {
    if (key == name) return value;
  }
  return "(absent)";
}

/// A dead letter as the stage writes it: the enriched event (failed) plus the reason.
kafka::ConsumedRecord dead_letter(const std::string& platform, const std::string& conversation,
                                  std::int64_t timestamp_ms, const std::string& reason) {
  const events::CloudEvent event{.id = platform + ":message:m1",
                                 .source = "/parley/" + platform,
                                 .type = std::string(events::type::kMessageCreated),
                                 .subject = conversation,
                                 .time = "2026-12-01T10:00:00.000Z",
                                 .partition_key = platform + ":" + conversation,
                                 .data = {.platform = platform,
                                          .platform_event = "ReceiveMessage",
                                          .conversation = {.id = conversation},
                                          .message = events::Message{.id = "m1", .text = "hi"}}};
  auto encoded = events::encode(event);
  const auto failed = splice_enrichment(
      encoded.value, {}, to_json(Enrichment{.status = "failed", .attempts = 5, .error = reason}));
  auto headers = encoded.headers;
  headers.emplace_back("parley_deadletter_reason", reason);
  headers.emplace_back("parley_attempts", "5");
  return kafka::ConsumedRecord{.topic = "parley.deadletter.v1",
                               .partition = 2,
                               .offset = 41,
                               .timestamp_ms = timestamp_ms,
                               .key = encoded.key,
                               .value = failed.value(),
                               .headers = std::move(headers)};
}

TEST(Replay, TheOriginalEventGoesBackWithItsIdAndWithoutTheDeadLetterHeaders) {
  const auto dead = dead_letter("cao", "v1", 1000, "CAO answered 503");
  auto replay = replay_of(dead, {}, "parley.events.v1");
  ASSERT_TRUE(replay.ok()) << replay.error();
  ASSERT_TRUE(replay.value());
  const auto& out = *replay.value();
  EXPECT_EQ(out.id, "cao:message:m1");
  EXPECT_EQ(out.reason, "CAO answered 503");
  EXPECT_EQ(out.record.topic, "parley.events.v1");
  EXPECT_EQ(out.record.key, "cao:v1");
  EXPECT_THAT(out.record.value, Not(HasSubstr("enrichment")));
  EXPECT_THAT(out.record.value, HasSubstr(R"("id":"cao:message:m1")"));
  EXPECT_EQ(header(out.record, "parley_deadletter_reason"), "(absent)");
  EXPECT_EQ(header(out.record, "parley_attempts"), "(absent)");
  EXPECT_EQ(header(out.record, "ce_id"), "cao:message:m1");
  EXPECT_EQ(header(out.record, "parley_replay_of"), "parley.deadletter.v1/2/41");
}

TEST(Replay, FiltersByPlatformConversationTimeAndReason) {
  const auto dead = dead_letter("cao", "v1", 1000, "CAO answered 503");
  const auto chosen = [&](const ReplayFilter& filter) {
    auto replay = replay_of(dead, filter, "events");
    EXPECT_TRUE(replay.ok());
    return replay.ok() && replay.value().has_value();
  };
  EXPECT_TRUE(chosen({.platform = "cao", .conversation = "v1"}));
  EXPECT_FALSE(chosen({.platform = "talkjs"}));
  EXPECT_FALSE(chosen({.conversation = "v2"}));
  EXPECT_TRUE(chosen({.since_ms = 1000, .until_ms = 1001}));  // since inclusive
  EXPECT_FALSE(chosen({.since_ms = 1001}));
  EXPECT_FALSE(chosen({.until_ms = 1000}));  // until exclusive
  EXPECT_TRUE(chosen({.reason = "503"}));
  EXPECT_FALSE(chosen({.reason = "circuit open"}));
}

TEST(Replay, ADeadLetterThatIsNoParleyEventCannotBeReplayed) {
  kafka::ConsumedRecord dead{.topic = "parley.deadletter.v1", .key = "k", .value = "not json"};
  const auto replay = replay_of(dead, {}, "events");
  ASSERT_FALSE(replay.ok());
  EXPECT_THAT(replay.error(), HasSubstr("not a parley event"));
}

TEST(Backfill, EveryMessageWithAPlatformIdThenTheEnrichedConversation) {
  const EventRef about{.source = "/parley/talkjs/app1",
                       .platform = "talkjs",
                       .conversation_id = "c1",
                       .customer_id = ""};
  FetchedConversation conversation{.id = "c1", .made_up_ids = {"c1:1"}};
  conversation.messages = {events::Message{.id = "msg_a", .sent_at = "2026-12-01T10:00:00.000Z"},
                           events::Message{.id = "c1:1"}, events::Message{.id = "msg_b"}};
  const auto records =
      backfill_records(about, conversation, "2026-12-01T11:00:00.000Z", "events", "enriched");
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(header(records[0], "ce_id"), "talkjs:message:msg_a");
  EXPECT_EQ(header(records[1], "ce_id"), "talkjs:message:msg_b");
  for (const auto& message : {records[0], records[1]}) {
    EXPECT_EQ(message.topic, "events");
    EXPECT_EQ(message.key, "talkjs:c1");
    EXPECT_EQ(header(message, "ce_source"), "/parley/talkjs/app1");
    EXPECT_THAT(message.value, HasSubstr(R"("platformEvent":"backfill.discovered")"));
  }
  // A message without sentAt takes the fetch's time.
  EXPECT_THAT(records[1].value, HasSubstr(R"("time":"2026-12-01T11:00:00.000Z")"));
  const auto& updated = records[2];
  EXPECT_EQ(updated.topic, "enriched");
  EXPECT_EQ(updated.key, "talkjs:c1");
  EXPECT_EQ(header(updated, "ce_type"), "parley.conversation.updated");
  EXPECT_THAT(updated.value, HasSubstr(R"("platformEvent":"parley.backfill")"));
  EXPECT_THAT(updated.value, HasSubstr(R"("messages":[{"id":"msg_a")"));
  EXPECT_THAT(updated.value,
              HasSubstr(R"("enrichment":{"status":"ok","fetchedAt":"2026-12-01T11:00:00.000Z")"));
}

}  // namespace
}  // namespace parley::enrich
