#include "parley/enrich/conversation.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>

#include "parley/events/cloud_event.hpp"
#include "parley/sources/errors.hpp"

namespace parley::enrich {
namespace {

using ::testing::HasSubstr;

bool is_json(std::string_view text) {
  simdjson::dom::parser parser;
  return parser.parse(simdjson::padded_string(text)).error() == simdjson::SUCCESS;
}

events::CloudEvent message_event() {
  events::CloudEvent event;
  event.id = "cao:message:12345678";
  event.source = "/parley/cao";
  event.type = events::type::kMessageCreated;
  event.subject = "12617187";
  event.time = "2015-01-01T00:00:00.000Z";
  event.partition_key = "cao:12617187";
  event.data.platform = "cao";
  event.data.platform_event = "ReceiveMessage";
  event.data.conversation = {.id = "12617187", .customer_id = "128740954930930"};
  event.data.message = events::Message{.id = "12345678",
                                       .text = "that was a long message",
                                       .author = {.role = "agent", .name = "Sally"},
                                       .sent_at = "2015-01-01T00:00:00.000Z"};
  event.data.raw_json = R"({"VisitId":"12617187","MessageId":"12345678"})";
  return event;
}

// --- to_json ---

TEST(FetchedConversationJson, EmptyConversationStillHasBothArrays) {
  EXPECT_EQ(to_json(FetchedConversation{}), R"({"participants":[],"messages":[]})");
}

TEST(FetchedConversationJson, WritesEveryFieldInOrder) {
  FetchedConversation conversation{
      .id = "q1",
      .customer_id = "c1",
      .session_id = "s1",
      .subject = "Help \"now\"",
      .status = "closed",
      .platform_status = "1",
      .closed = true,
      .accepted = false,
      .participants = {{.id = "c1", .role = "customer"},
                       {.id = "e1", .name = "Eve", .role = "expert", .avatar_url = "https://a"}},
      .messages = {{.id = "m1",
                    .text = "hi",
                    .author = {.role = "customer", .id = "c1"},
                    .sent_at = "2022-02-02T12:12:12.000Z",
                    .attachments = {{.url = "https://f", .name = "f.png"}}}}};
  EXPECT_EQ(to_json(conversation),
            R"({"id":"q1","customerId":"c1","sessionId":"s1","subject":"Help \"now\"",)"
            R"("status":"closed","platformStatus":"1","closed":true,"accepted":false,)"
            R"("participants":[{"id":"c1","role":"customer"},)"
            R"({"id":"e1","name":"Eve","role":"expert","avatarUrl":"https://a"}],)"
            R"("messages":[{"id":"m1","text":"hi","author":{"role":"customer","id":"c1"},)"
            R"("sentAt":"2022-02-02T12:12:12.000Z",)"
            R"("attachments":[{"url":"https://f","name":"f.png"}]}]})");
}

TEST(FetchedConversationJson, MessagesLookLikeIngestMessages) {
  const auto message = *message_event().data.message;
  std::string expected;
  events::append_message(expected, message);
  EXPECT_THAT(to_json(FetchedConversation{.messages = {message}}), HasSubstr(expected));
}

TEST(EnrichmentJson, OmitsEmptyStringsButNotAttempts) {
  EXPECT_EQ(to_json(Enrichment{.status = "not_applicable"}),
            R"({"status":"not_applicable","attempts":0})");
  EXPECT_EQ(
      to_json(Enrichment{.status = "ok", .fetched_at = "2026-01-01T00:00:00.000Z", .attempts = 2}),
      R"({"status":"ok","fetchedAt":"2026-01-01T00:00:00.000Z","attempts":2})");
  EXPECT_EQ(to_json(Enrichment{.status = "failed", .attempts = 5, .error = "HTTP 503"}),
            R"({"status":"failed","attempts":5,"error":"HTTP 503"})");
}

// --- read_event ---

TEST(ReadEvent, ReadsAMessageEventAsIngestWritesIt) {
  auto event = read_event(events::to_json(message_event()));
  ASSERT_TRUE(event.ok()) << event.error();
  EXPECT_EQ(event.value().id, "cao:message:12345678");
  EXPECT_EQ(event.value().source, "/parley/cao");
  EXPECT_EQ(event.value().type, "parley.message.created");
  EXPECT_EQ(event.value().platform, "cao");
  EXPECT_EQ(event.value().conversation_id, "12617187");
  EXPECT_EQ(event.value().customer_id, "128740954930930");
  EXPECT_EQ(event.value().message_id, "12345678");
}

TEST(ReadEvent, ReadsTheReceiptsMessageId) {
  auto source = message_event();
  source.data.message.reset();
  source.data.receipt = events::Receipt{.message_id = "987654322", .status = "read"};
  auto event = read_event(events::to_json(source));
  ASSERT_TRUE(event.ok()) << event.error();
  EXPECT_EQ(event.value().message_id, "987654322");
}

TEST(ReadEvent, UserEventsHaveNoConversation) {
  events::CloudEvent source;
  source.id = "talkjs:evt_1";
  source.source = "/parley/talkjs/app";
  source.type = events::type::kUserCreated;
  source.data.platform = "talkjs";
  source.data.user = events::User{.id = "8029", .name = "Bob"};
  auto event = read_event(events::to_json(source));
  ASSERT_TRUE(event.ok()) << event.error();
  EXPECT_EQ(event.value().platform, "talkjs");
  EXPECT_EQ(event.value().conversation_id, "");
  EXPECT_EQ(event.value().customer_id, "");
  EXPECT_EQ(event.value().message_id, "");
}

TEST(ReadEvent, RefusesWhatIsNotAnEvent) {
  struct Case {
    std::string_view json;
    std::string_view names;
  };
  const Case cases[] = {
      {"", "not valid JSON"},
      {"{\"id\":", "not valid JSON"},
      {"[1]", "must be a JSON object"},
      {R"({"source":"/s","type":"t","data":{"platform":"cao"}})", "field id: is required"},
      {R"({"id":"1","source":"/s","type":"t"})", "field data: is required"},
      {R"({"id":"1","source":"/s","type":"t","data":"x"})", "field data: must be an object"},
      {R"({"id":"1","source":"/s","type":"t","data":{}})", "field data.platform: is required"},
      {R"({"id":"1","source":"/s","type":"t","data":{"platform":7}})", "field data.platform"},
      {R"({"id":"1","source":"/s","type":"t","data":{"platform":"cao","conversation":{}}})",
       "field data.conversation.id: is required"},
      {R"({"id":"1","source":"/s","type":"t","data":{"platform":"cao","message":{"id":1}}})",
       "field data.message.id"},
  };
  for (const auto& c : cases) {
    auto event = read_event(c.json);
    ASSERT_FALSE(event.ok()) << c.json;
    EXPECT_THAT(event.error(), HasSubstr(c.names)) << c.json;
  }
}

// --- splice_enrichment ---

constexpr std::string_view kEnrichment = R"({"status":"ok","attempts":1})";

TEST(SpliceEnrichment, ReplacesConversationAndAppendsEnrichment) {
  const std::string event = R"({"specversion":"1.0","id":"e1","data":{"platform":"cao",)"
                            R"("conversation":{"id":"1"},"message":{"id":"m"},"raw":{"a":[1,2]}},)"
                            R"("after":true})";
  auto spliced = splice_enrichment(event, R"({"id":"1","messages":[]})", kEnrichment);
  ASSERT_TRUE(spliced.ok()) << spliced.error().message;
  EXPECT_EQ(spliced.value(),
            R"({"specversion":"1.0","id":"e1","data":{"platform":"cao",)"
            R"("conversation":{"id":"1","messages":[]},"message":{"id":"m"},"raw":{"a":[1,2]},)"
            R"("enrichment":{"status":"ok","attempts":1}},"after":true})");
}

TEST(SpliceEnrichment, KeepsTheConversationWhenNoneWasFetched) {
  const std::string event = R"({"id":"e1","data":{"conversation":{"id":"1"}}})";
  auto spliced = splice_enrichment(event, "", kEnrichment);
  ASSERT_TRUE(spliced.ok()) << spliced.error().message;
  EXPECT_EQ(spliced.value(), R"({"id":"e1","data":{"conversation":{"id":"1"},)"
                             R"("enrichment":{"status":"ok","attempts":1}}})");
}

TEST(SpliceEnrichment, AddsAConversationToAnEventWithout) {
  auto spliced = splice_enrichment(R"({"data":{"user":{"id":"u"}}})", R"({"id":"c"})", kEnrichment);
  ASSERT_TRUE(spliced.ok()) << spliced.error().message;
  EXPECT_EQ(spliced.value(), R"({"data":{"user":{"id":"u"},"conversation":{"id":"c"},)"
                             R"("enrichment":{"status":"ok","attempts":1}}})");
}

TEST(SpliceEnrichment, ReplacesAnEarlierEnrichmentAtTheEnd) {
  const std::string event =
      R"({"data":{"enrichment":{"status":"failed","attempts":5},"platform":"cao"}})";
  auto spliced = splice_enrichment(event, "", kEnrichment);
  ASSERT_TRUE(spliced.ok()) << spliced.error().message;
  EXPECT_EQ(spliced.value(),
            R"({"data":{"platform":"cao","enrichment":{"status":"ok","attempts":1}}})");
}

TEST(SpliceEnrichment, CopiesMemberValuesAsWrittenAsValidJson) {
  const std::string event =
      "{ \"k\\\"ey\" : \"a\\u0001b\\n\" ,\n \"data\" : { \"n\" : [ 1.5 , null , true ] } }";
  auto spliced = splice_enrichment(event, "", kEnrichment);
  ASSERT_TRUE(spliced.ok()) << spliced.error().message;
  EXPECT_TRUE(is_json(spliced.value())) << spliced.value();
  EXPECT_EQ(spliced.value(), R"({"k\"ey":"a\u0001b\n","data":{"n":[ 1.5 , null , true ],)"
                             R"("enrichment":{"status":"ok","attempts":1}}})");
}

TEST(SpliceEnrichment, KeepsRawByteForByte) {
  // raw is what the platform sent: numbers no parser holds, -0, 1E2 and spacing survive
  // enrichment (and stripping it again) unchanged.
  const std::string raw =
      R"({ "n": 123456789012345678901234567890, "z": -0, "e": 1E2, "f": 1e400, "s": "\u00e9" })";
  const std::string event = R"({"id":"talkjs:event:e1","source":"/parley/talkjs/a",)"
                            R"("type":"parley.conversation.deleted","data":{"platform":"talkjs",)"
                            R"("conversation":{"id":"c1"},"raw":)" +
                            raw + "}}";
  auto spliced = splice_enrichment(event, R"({"id":"c1","messages":[]})", kEnrichment);
  ASSERT_TRUE(spliced.ok()) << spliced.error().message;
  EXPECT_THAT(spliced.value(), HasSubstr(R"("raw":)" + raw + R"(,"enrichment":)"));
  auto read = read_event(spliced.value());
  ASSERT_TRUE(read.ok()) << read.error();
  EXPECT_EQ(read.value().conversation_id, "c1");

  const auto stripped =
      strip_enrichment(splice_enrichment(event, "", R"({"status":"failed","attempts":5})").value());
  ASSERT_TRUE(stripped.ok()) << stripped.error().message;
  EXPECT_EQ(stripped.value(), event);
}

TEST(SpliceEnrichment, EnrichesAWholeIngestEvent) {
  const auto source = message_event();
  FetchedConversation conversation{.id = "12617187", .messages = {*source.data.message}};
  auto spliced = splice_enrichment(events::to_json(source), to_json(conversation), kEnrichment);
  ASSERT_TRUE(spliced.ok()) << spliced.error().message;
  ASSERT_TRUE(is_json(spliced.value())) << spliced.value();
  // What the enricher reads of an event it published itself is unchanged.
  auto event = read_event(spliced.value());
  ASSERT_TRUE(event.ok()) << event.error();
  EXPECT_EQ(event.value().id, source.id);
  EXPECT_EQ(event.value().conversation_id, "12617187");
  EXPECT_EQ(event.value().customer_id, "");  // the fetched conversation replaced it
  EXPECT_EQ(event.value().message_id, "12345678");
  EXPECT_THAT(spliced.value(), HasSubstr(R"("raw":{"VisitId":"12617187","MessageId":"12345678"})"));
}

TEST(SpliceEnrichment, RefusesEventsWithoutAnObjectData) {
  struct Case {
    std::string_view json;
    std::string_view names;
  };
  const Case cases[] = {
      {"not json", "not valid JSON"},
      {"[]", "must be a JSON object"},
      {R"({"id":"e1"})", "field data: is required"},
      {R"({"data":[]})", "field data: must be an object, got array"},
      {R"({"data":{},"data":{}})", "field data: appears more than once"},
      {R"({"data":{"conversation":{},"conversation":{}}})",
       "field data.conversation: appears more than once"},
  };
  for (const auto& c : cases) {
    auto spliced = splice_enrichment(c.json, "", kEnrichment);
    ASSERT_FALSE(spliced.ok()) << c.json;
    EXPECT_EQ(spliced.error().code, sources::Errc::invalid) << c.json;
    EXPECT_THAT(spliced.error().message, HasSubstr(c.names)) << c.json;
  }
}

TEST(StripEnrichment, GivesBackTheEventAsIngestPublishedIt) {
  const auto original = events::to_json(message_event());
  const auto enriched = splice_enrichment(original, {}, R"({"status":"failed","attempts":5})");
  ASSERT_TRUE(enriched.ok());
  const auto stripped = strip_enrichment(enriched.value());
  ASSERT_TRUE(stripped.ok()) << stripped.error().message;
  EXPECT_EQ(stripped.value(), original);
}

TEST(StripEnrichment, RefusesWhatHasNoDataObject) {
  const auto stripped = strip_enrichment(R"({"id":"x","data":[]})");
  ASSERT_FALSE(stripped.ok());
  EXPECT_THAT(stripped.error().message, HasSubstr("data"));
}

}  // namespace
}  // namespace parley::enrich
