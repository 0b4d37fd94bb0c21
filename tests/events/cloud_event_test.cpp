#include "parley/events/cloud_event.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace parley::events {
namespace {

CloudEvent sample_event() {
  CloudEvent event;
  event.id = "0190b5e4-7a3c-7d2e-9f01-23456789abcd";
  event.source = "/parley/justanswer";
  event.type = type::kConversationUpdated;
  event.subject = "12345";
  event.time = "2026-11-21T10:02:17.123Z";
  event.partition_key = "justanswer:12345";
  event.data.platform = "justanswer";
  event.data.platform_event = "1";
  event.data.conversation.id = "12345";
  event.data.conversation.customer_id = "abcde12345";
  event.data.raw_json = R"({"eventType":"1","questionId":"12345","userToken":"abcde12345"})";
  return event;
}

// Parses `json` strictly; the parser must outlive the returned element.
simdjson::dom::object parse(simdjson::dom::parser& parser, const std::string& json) {
  simdjson::dom::object object;
  const auto error = parser.parse(json).get(object);
  EXPECT_EQ(error, simdjson::SUCCESS) << simdjson::error_message(error) << "\n" << json;
  return object;
}

std::string string_at(simdjson::dom::object object, std::string_view pointer) {
  std::string_view value;
  const auto error = object.at_pointer(pointer).get(value);
  EXPECT_EQ(error, simdjson::SUCCESS) << pointer << ": " << simdjson::error_message(error);
  return std::string(value);
}

bool has(simdjson::dom::object object, std::string_view pointer) {
  return object.at_pointer(pointer).error() == simdjson::SUCCESS;
}

std::set<std::string> keys_of(simdjson::dom::object object) {
  std::set<std::string> keys;
  for (const auto field : object)
    keys.emplace(field.key);
  return keys;
}

TEST(CloudEventJson, HasEveryAttribute) {
  const std::string json = to_json(sample_event());
  simdjson::dom::parser parser;
  const auto event = parse(parser, json);

  EXPECT_EQ(string_at(event, "/specversion"), "1.0");
  EXPECT_EQ(string_at(event, "/id"), "0190b5e4-7a3c-7d2e-9f01-23456789abcd");
  EXPECT_EQ(string_at(event, "/source"), "/parley/justanswer");
  EXPECT_EQ(string_at(event, "/type"), "parley.conversation.updated");
  EXPECT_EQ(string_at(event, "/subject"), "12345");
  EXPECT_EQ(string_at(event, "/time"), "2026-11-21T10:02:17.123Z");
  EXPECT_EQ(string_at(event, "/partitionkey"), "justanswer:12345");
  EXPECT_EQ(string_at(event, "/datacontenttype"), "application/json");
  EXPECT_EQ(string_at(event, "/dataschema"),
            "https://parley.dev/schemas/events/parley.conversation.updated.v1.json");
  EXPECT_EQ(string_at(event, "/data/platform"), "justanswer");
  EXPECT_EQ(string_at(event, "/data/platformEvent"), "1");
  EXPECT_EQ(string_at(event, "/data/conversation/id"), "12345");
  EXPECT_EQ(string_at(event, "/data/conversation/customerId"), "abcde12345");

  EXPECT_EQ(keys_of(event),
            (std::set<std::string>{"specversion", "id", "source", "type", "subject", "time",
                                   "partitionkey", "datacontenttype", "dataschema", "data"}));
  simdjson::dom::object data;
  ASSERT_EQ(event["data"].get(data), simdjson::SUCCESS);
  EXPECT_EQ(keys_of(data),
            (std::set<std::string>{"platform", "platformEvent", "conversation", "raw"}));
}

TEST(CloudEventJson, ExactCompactLayout) {
  EXPECT_EQ(
      to_json(sample_event()),
      R"({"specversion":"1.0","id":"0190b5e4-7a3c-7d2e-9f01-23456789abcd",)"
      R"("source":"/parley/justanswer","type":"parley.conversation.updated",)"
      R"("subject":"12345","time":"2026-11-21T10:02:17.123Z",)"
      R"("partitionkey":"justanswer:12345","datacontenttype":"application/json",)"
      R"("dataschema":"https://parley.dev/schemas/events/parley.conversation.updated.v1.json",)"
      R"("data":{"platform":"justanswer","platformEvent":"1",)"
      R"("conversation":{"id":"12345","customerId":"abcde12345"},)"
      R"("raw":{"eventType":"1","questionId":"12345","userToken":"abcde12345"}}})");
}

// The command id a platform echoes for a message parley sent (docs/events.md, "Echoes of
// commands"), next to the message's own id; absent for every other message.
TEST(CloudEventJson, MessageExternalIdFollowsTheId) {
  auto event = sample_event();
  event.data.raw_json.clear();
  event.data.message = Message{.id = "m1", .text = "Hi", .external_id = "cmd-7"};
  EXPECT_NE(to_json(event).find(R"("message":{"id":"m1","externalId":"cmd-7","text":"Hi",)"),
            std::string::npos)
      << to_json(event);
  event.data.message->external_id.clear();
  EXPECT_EQ(to_json(event).find("externalId"), std::string::npos);
}

TEST(CloudEventJson, RawIsEmbeddedAsAJsonObjectNotAString) {
  auto event = sample_event();
  event.data.raw_json = R"({"n":42,"list":[true,null,"x"],"nested":{"k":"v"}})";
  const std::string json = to_json(event);
  simdjson::dom::parser parser;
  const auto parsed = parse(parser, json);

  simdjson::dom::element raw;
  ASSERT_EQ(parsed.at_pointer("/data/raw").get(raw), simdjson::SUCCESS);
  EXPECT_TRUE(raw.is_object());
  int64_t n = 0;
  ASSERT_EQ(parsed.at_pointer("/data/raw/n").get(n), simdjson::SUCCESS);
  EXPECT_EQ(n, 42);
  bool first = false;
  ASSERT_EQ(parsed.at_pointer("/data/raw/list/0").get(first), simdjson::SUCCESS);
  EXPECT_TRUE(first);
  EXPECT_TRUE(parsed.at_pointer("/data/raw/list/1").is_null());
  EXPECT_EQ(string_at(parsed, "/data/raw/nested/k"), "v");
  EXPECT_EQ(simdjson::minify(raw), event.data.raw_json);
}

TEST(CloudEventJson, RawOmittedWhenEmpty) {
  auto event = sample_event();
  event.data.raw_json.clear();
  const std::string json = to_json(event);
  simdjson::dom::parser parser;
  const auto parsed = parse(parser, json);
  EXPECT_FALSE(has(parsed, "/data/raw"));
  EXPECT_EQ(json.find("raw"), std::string::npos);
  EXPECT_EQ(string_at(parsed, "/data/conversation/id"), "12345");
}

TEST(CloudEventJson, CustomerIdOmittedWhenEmpty) {
  auto event = sample_event();
  event.data.conversation.customer_id.clear();
  const std::string json = to_json(event);
  simdjson::dom::parser parser;
  const auto parsed = parse(parser, json);
  EXPECT_FALSE(has(parsed, "/data/conversation/customerId"));
  EXPECT_EQ(string_at(parsed, "/data/conversation/id"), "12345");
}

TEST(CloudEventJson, EmptyAttributesAreOmittedAndTheJsonStaysValid) {
  CloudEvent event;  // every string empty
  const std::string json = to_json(event);
  simdjson::dom::parser parser;
  const auto parsed = parse(parser, json);
  EXPECT_EQ(string_at(parsed, "/specversion"), "1.0");
  EXPECT_FALSE(has(parsed, "/id"));
  EXPECT_FALSE(has(parsed, "/data/conversation"));
  EXPECT_FALSE(has(parsed, "/data/raw"));
}

TEST(CloudEventJson, HostileStringsRoundTrip) {
  const std::string nasty = std::string("q\"uote\\back/slash\n\r\t\b\f\x01\x1f") +
                            std::string(1, '\0') + "caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x80\xa8" +
                            R"(","injected":"x)";
  CloudEvent event = sample_event();
  event.id = nasty + "id";
  event.source = nasty + "source";
  event.type = nasty + "type";
  event.subject = nasty + "subject";
  event.time = nasty + "time";
  event.partition_key = nasty + "key";
  event.data.platform = nasty + "platform";
  event.data.platform_event = nasty + "event";
  event.data.conversation.id = nasty + "conversation";
  event.data.conversation.customer_id = nasty + "customer";

  const std::string json = to_json(event);
  simdjson::dom::parser parser;
  const auto parsed = parse(parser, json);
  EXPECT_EQ(string_at(parsed, "/id"), nasty + "id");
  EXPECT_EQ(string_at(parsed, "/source"), nasty + "source");
  EXPECT_EQ(string_at(parsed, "/type"), nasty + "type");
  EXPECT_EQ(string_at(parsed, "/subject"), nasty + "subject");
  EXPECT_EQ(string_at(parsed, "/time"), nasty + "time");
  EXPECT_EQ(string_at(parsed, "/partitionkey"), nasty + "key");
  EXPECT_EQ(string_at(parsed, "/data/platform"), nasty + "platform");
  EXPECT_EQ(string_at(parsed, "/data/platformEvent"), nasty + "event");
  EXPECT_EQ(string_at(parsed, "/data/conversation/id"), nasty + "conversation");
  EXPECT_EQ(string_at(parsed, "/data/conversation/customerId"), nasty + "customer");
  EXPECT_FALSE(has(parsed, "/injected"));
  for (const char c : json)
    EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "raw control char";
}

TEST(CloudEventEncode, KeyValueAndHeaders) {
  const auto event = sample_event();
  const auto encoded = encode(event);
  EXPECT_EQ(encoded.key, "justanswer:12345");
  EXPECT_EQ(encoded.value, to_json(event));

  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : encoded.headers) {
    EXPECT_TRUE(headers.emplace(name, value).second) << "duplicate header " << name;
  }
  EXPECT_EQ(headers["content-type"], "application/cloudevents+json; charset=utf-8");
  EXPECT_EQ(headers["ce_specversion"], "1.0");
  EXPECT_EQ(headers["ce_id"], event.id);
  EXPECT_EQ(headers["ce_type"], "parley.conversation.updated");
  EXPECT_EQ(headers["ce_source"], "/parley/justanswer");
  EXPECT_EQ(headers["ce_subject"], "12345");
  EXPECT_EQ(headers["ce_time"], "2026-11-21T10:02:17.123Z");
}

TEST(CloudEventEncode, HeadersFollowTheEvent) {
  auto event = sample_event();
  event.id = "another-id";
  event.type = "parley.message.created";
  event.source = "/parley/talkjs/app1";
  event.partition_key = "talkjs:conv9";
  const auto encoded = encode(event);
  EXPECT_EQ(encoded.key, "talkjs:conv9");
  std::map<std::string, std::string> headers(encoded.headers.begin(), encoded.headers.end());
  EXPECT_EQ(headers["ce_id"], "another-id");
  EXPECT_EQ(headers["ce_type"], "parley.message.created");
  EXPECT_EQ(headers["ce_source"], "/parley/talkjs/app1");
}

TEST(CloudEventEncode, ValueIsValidJsonWithTheSameAttributesAsTheHeaders) {
  const auto encoded = encode(sample_event());
  simdjson::dom::parser parser;
  const auto parsed = parse(parser, encoded.value);
  std::size_t compared = 0;
  for (const auto& [name, value] : encoded.headers) {
    if (!name.starts_with("ce_")) continue;
    ++compared;
    EXPECT_EQ(string_at(parsed, "/" + name.substr(3)), value) << name;
  }
  EXPECT_EQ(compared, 6u) << "ce_specversion, ce_id, ce_type, ce_source, ce_subject, ce_time";
  EXPECT_EQ(string_at(parsed, "/partitionkey"), encoded.key);
}

}  // namespace
}  // namespace parley::events
