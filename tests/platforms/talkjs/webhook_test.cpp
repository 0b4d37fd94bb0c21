#include "parley/platforms/talkjs/webhook.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cctype>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parley/events/cloud_event.hpp"
#include "parley/http/message.hpp"
#include "parley/sources/errors.hpp"
#include "parley/sources/json.hpp"
#include "support/source_assertions.hpp"
#include "support/source_request.hpp"

namespace parley::sources {
namespace {

using testing::bad_request_naming;
using testing::contains;
using testing::describe;
using testing::unauthorized_naming;
namespace beast_http = boost::beast::http;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::system_clock;

// 2023-11-14T22:13:20.500Z: half a second past a whole second, so whole-second and
// millisecond timestamps are compared differently.
const Clock::time_point kNow{milliseconds(1'700'000'000'500)};
constexpr std::int64_t kNowSeconds = 1'700'000'000;
constexpr std::int64_t kNowMs = 1'700'000'000'500;

constexpr std::string_view kOldKey = "sk_test_9Hbq0E6xKr2Tq5oRCr0X6WBf";
constexpr std::string_view kNewKey = "sk_test_Lw8VqzN3cd1Kq0P0yTtBs7AE";
constexpr std::string_view kAppId = "tPqqr5zU";

// --- sample payloads, from the field lists of PLATFORMS.md ---

constexpr std::string_view kMessageSent = R"({
  "id": "evt_AVZJ5rYE0Gb9Qqsdk",
  "createdAt": 1700000000123,
  "type": "message.sent",
  "data": {
    "sender": {
      "id": "user_8029", "name": "Sebastian Expert", "email": ["sebastian@example.com"],
      "phone": null, "photoUrl": "https://cdn.example.com/users/8029.png", "role": "expert",
      "locale": "en-US", "custom": {"plan": "pro"}, "createdAt": 1690000000000,
      "availabilityText": null, "welcomeMessage": "Hi, how can I help?"
    },
    "conversation": {
      "id": "order_391_fc", "subject": "What a lovely day!", "topicId": null, "photoUrl": null,
      "custom": {"category": "order_inquiry"},
      "participants": {"12081": {"access": "ReadWrite", "notify": true},
                       "user_8029": {"access": "ReadWrite", "notify": true}},
      "createdAt": 1699999000000, "welcomeMessages": null, "lastMessage": null
    },
    "message": {
      "id": "msg_4YsrGe5aEkJZjTP2uRJLMB", "conversationId": "order_391_fc",
      "senderId": "user_8029", "text": "Hello Alice!", "type": "UserMessage", "origin": "rest",
      "readBy": [], "createdAt": 1700000000100, "editedAt": null, "attachment": null,
      "location": null, "custom": {}, "referencedMessageId": null
    }
  }
})";

constexpr std::string_view kMessageSentWithAttachment = R"({
  "id": "evt_file_1", "createdAt": 1700000000123, "type": "message.sent",
  "data": {
    "sender": {"id": "12081", "name": "Alice", "email": null, "photoUrl": null, "role": "buyer"},
    "conversation": {"id": "order_391_fc", "subject": null},
    "message": {
      "id": "msg_file_1", "conversationId": "order_391_fc", "senderId": "12081", "text": "",
      "type": "UserMessage", "origin": "web", "readBy": ["user_8029"], "createdAt": 1700000000001,
      "attachment": {"url": "https://talkjs.com/api/v0/tPqqr5zU/file/invoice.pdf",
                     "size": 20480, "filename": "invoice.pdf"},
      "location": null, "custom": {"orderId": "391"}
    }
  }
})";

constexpr std::string_view kSystemMessage = R"({
  "id": "evt_system_1", "createdAt": 1700000000123, "type": "message.sent",
  "data": {
    "conversation": {"id": "order_391_fc", "subject": "Order 391"},
    "message": {
      "id": "msg_system_1", "conversationId": "order_391_fc", "senderId": null,
      "text": "Alice joined the conversation", "type": "SystemMessage", "origin": "rest",
      "readBy": [], "createdAt": 1700000000050, "attachment": null
    }
  }
})";

constexpr std::string_view kMessageUpdated = R"json({
  "id": "evt_updated_1", "createdAt": 1700000100000, "type": "message.updated",
  "data": {
    "sender": {"id": "12081", "name": "Alice", "role": "buyer"},
    "conversation": {"id": "order_391_fc", "subject": "What a lovely day!"},
    "message": {
      "id": "msg_4YsrGe5aEkJZjTP2uRJLMB", "conversationId": "order_391_fc",
      "senderId": "12081", "text": "Hello Alice! (edited)", "type": "UserMessage",
      "origin": "web", "readBy": ["user_8029"], "createdAt": 1700000000100,
      "editedAt": 1700000099000, "attachment": null
    }
  }
})json";

constexpr std::string_view kMessageDeleted = R"({
  "id": "evt_deleted_1", "createdAt": 1700000200000, "type": "message.deleted",
  "data": {
    "conversation": {"id": "order_391_fc"},
    "message": {"id": "msg_4YsrGe5aEkJZjTP2uRJLMB", "conversationId": "order_391_fc",
                "senderId": "12081", "text": null, "type": "UserMessage",
                "createdAt": 1700000000100}
  }
})";

constexpr std::string_view kMessageRead = R"({
  "id": "evt_read_1", "createdAt": 1700000300000, "type": "message.read",
  "data": {
    "sender": {"id": "user_8029", "name": "Sebastian Expert", "role": "expert"},
    "recipient": {"id": "12081", "name": "Alice", "email": ["alice@example.com"],
                  "role": "buyer"},
    "conversation": {"id": "order_391_fc", "subject": "What a lovely day!"},
    "message": {"id": "msg_4YsrGe5aEkJZjTP2uRJLMB", "conversationId": "order_391_fc",
                "senderId": "user_8029", "text": "Hello Alice!", "type": "UserMessage",
                "readBy": ["12081"], "createdAt": 1700000000100}
  }
})";

constexpr std::string_view kConversationDeleted = R"({
  "id": "evt_conv_deleted_1", "createdAt": 1700000400000, "type": "conversation.deleted",
  "data": {"conversation": {"id": "order_391_fc", "subject": "What a lovely day!",
                            "custom": {}, "participants": {}, "createdAt": 1699999000000}}
})";

constexpr std::string_view kUserCreated = R"json({
  "id": "evt_user_1", "createdAt": 1700000500000, "type": "user.created",
  "data": {"user": {
    "id": "12081", "name": "Alice", "email": ["alice@example.com", "alice@work.example"],
    "phone": ["+15550100"], "photoUrl": "https://yoursite.com/userpictures/12081.png",
    "role": "buyer", "locale": "nl-NL", "custom": {"country": "nl"},
    "welcomeMessage": "Hey there! :-)", "createdAt": 1700000499000
  }}
})json";

constexpr std::string_view kUserUpdated = R"({
  "id": "evt_user_2", "createdAt": 1700000600000, "type": "user.updated",
  "data": {"user": {"id": "12081", "name": "Alice B.", "email": "alice@example.com",
                    "phone": null, "photoUrl": null, "role": null, "locale": null,
                    "custom": {}, "createdAt": 1700000499000}}
})";

// notification.*: {notificationId, recipient, sender, conversation, messages[]}.
std::string notification_body(std::string_view type) {
  return R"({"id": "evt_ntf_1", "createdAt": 1700000700000, "type": ")" + std::string(type) +
         R"(",
  "data": {
    "notificationId": "ntf_7Qm2x",
    "recipient": {"id": "12081", "name": "Alice", "email": ["alice@example.com"], "role": "buyer"},
    "sender": {"id": "user_8029", "name": "Sebastian Expert", "role": "expert"},
    "conversation": {"id": "order_391_fc", "subject": "What a lovely day!"},
    "messages": [{"id": "msg_4YsrGe5aEkJZjTP2uRJLMB", "conversationId": "order_391_fc",
                  "senderId": "user_8029", "text": "Hello Alice!", "type": "UserMessage",
                  "createdAt": 1700000000100}]
  }})";
}

// --- requests ---

// The shared test request, with this platform's seed body and path by default.
struct TestRequest : testing::SourceRequest {
  explicit TestRequest(std::string_view body_text = kMessageSent)
      : SourceRequest(body_text, "/v1/webhooks/talkjs") {}
};

// What TalkJS sends: uppercase hex of HMAC-SHA256(key, timestamp "." body).
std::string talkjs_signature(std::string_view key, std::string_view timestamp,
                             std::string_view body, bool upper = true) {
  return to_hex(hmac_sha256(key, std::string(timestamp) + "." + std::string(body)), upper);
}

TestRequest signed_request(std::string_view body, std::string_view timestamp,
                           std::string_view key = kOldKey, bool upper = true) {
  TestRequest request(body);
  request.header("X-TalkJS-Timestamp", timestamp);
  request.header("X-TalkJS-Signature", talkjs_signature(key, timestamp, body, upper));
  return request;
}

config::TalkJsSource make_config() {
  config::TalkJsSource source;
  source.webhook.secret_keys = {std::string(kOldKey), std::string(kNewKey)};
  source.webhook.max_skew = seconds(300);
  source.webhook.roles = {
      {"expert", "expert"}, {"support", "agent"}, {"bot", "system"}, {"buyer", "customer"}};
  source.api.app_id = std::string(kAppId);
  return source;
}

TalkJs make_source(const config::TalkJsSource& source = make_config(), bool include_raw = true) {
  return TalkJs(source, include_raw, [] { return kNow; });
}

std::optional<Error> verify(const TestRequest& request, const TalkJs& source = make_source()) {
  return source.verify(request.request());
}

const std::string kTimestampSeconds = std::to_string(kNowSeconds);
const std::string kTimestampMs = std::to_string(kNowMs);
constexpr std::string_view kBadSignatureMessage =
    "X-TalkJS-Signature: does not match timestamp.body under any configured secret key";

// --- verification: signature ---

TEST(TalkJsVerify, UppercaseHexSignatureAccepted) {
  const auto request = signed_request(kMessageSent, kTimestampSeconds, kOldKey, true);
  EXPECT_FALSE(verify(request)) << describe(verify(request));
}

TEST(TalkJsVerify, LowercaseHexSignatureAccepted) {
  const auto request = signed_request(kMessageSent, kTimestampSeconds, kOldKey, false);
  EXPECT_FALSE(verify(request)) << describe(verify(request));
}

TEST(TalkJsVerify, MixedCaseHexSignatureAccepted) {
  auto request = signed_request(kMessageSent, kTimestampSeconds);
  std::string mixed = talkjs_signature(kOldKey, kTimestampSeconds, kMessageSent);
  for (std::size_t i = 0; i < mixed.size(); i += 2) {
    mixed[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(mixed[i])));
  }
  request.header("X-TalkJS-Signature", mixed);
  EXPECT_FALSE(verify(request)) << describe(verify(request));
}

TEST(TalkJsVerify, RotatedSecretAccepted) {
  for (const auto key : {kOldKey, kNewKey}) {
    const auto request = signed_request(kMessageSent, kTimestampSeconds, key);
    EXPECT_FALSE(verify(request)) << key << ": " << describe(verify(request));
  }
}

TEST(TalkJsVerify, WrongSecretRejected) {
  for (const std::string_view key : {"sk_test_other", "", "sk_test_9Hbq0E6xKr2Tq5oRCr0X6WB",
                                     "SK_TEST_9HBQ0E6XKR2TQ5ORCR0X6WBF"}) {
    const auto request = signed_request(kMessageSent, kTimestampSeconds, key);
    const auto error = verify(request);
    ASSERT_TRUE(unauthorized_naming(error, "X-TalkJS-Signature")) << key;
    EXPECT_EQ(error->message, kBadSignatureMessage);
  }
}

TEST(TalkJsVerify, AlteredBodyRejected) {
  auto request = signed_request(kMessageSent, kTimestampSeconds);
  request.body[request.body.find("Hello")] = 'J';
  EXPECT_TRUE(unauthorized_naming(verify(request), kBadSignatureMessage));

  auto appended = signed_request(kMessageSent, kTimestampSeconds);
  appended.body += "\n";
  EXPECT_TRUE(unauthorized_naming(verify(appended), kBadSignatureMessage));

  // Re-serialising the same JSON changes the bytes: the signature covers bytes.
  auto object = parse_object(std::string(kMessageSent));
  ASSERT_TRUE(object.ok());
  TestRequest compacted(compact(object.value()));
  compacted.headers = request.headers;
  compacted.header("X-TalkJS-Signature",
                   talkjs_signature(kOldKey, kTimestampSeconds, kMessageSent));
  EXPECT_TRUE(unauthorized_naming(verify(compacted), kBadSignatureMessage));
}

TEST(TalkJsVerify, AlteredTimestampRejected) {
  auto request = signed_request(kMessageSent, kTimestampSeconds);
  request.header("X-TalkJS-Timestamp", std::to_string(kNowSeconds - 1));
  EXPECT_TRUE(unauthorized_naming(verify(request), kBadSignatureMessage));
}

TEST(TalkJsVerify, SignatureOverBodyAloneRejected) {
  TestRequest request(kMessageSent);
  request.header("X-TalkJS-Timestamp", kTimestampSeconds);
  request.header("X-TalkJS-Signature", to_hex(hmac_sha256(kOldKey, kMessageSent), true));
  EXPECT_TRUE(unauthorized_naming(verify(request), kBadSignatureMessage));
}

TEST(TalkJsVerify, EmptyBodyCanBeVerified) {
  const auto request = signed_request("", kTimestampSeconds);
  EXPECT_FALSE(verify(request)) << describe(verify(request));
}

TEST(TalkJsVerify, HeaderNamesAreCaseInsensitive) {
  TestRequest request(kMessageSent);
  request.header("x-talkjs-timestamp", kTimestampSeconds);
  request.header("X-TALKJS-SIGNATURE", talkjs_signature(kNewKey, kTimestampSeconds, kMessageSent));
  EXPECT_FALSE(verify(request)) << describe(verify(request));
}

// --- verification: timestamp ---

TEST(TalkJsVerify, TimestampInSecondsWithinSkew) {
  for (const std::int64_t offset : {0, -1, 1, -299, 299, -300, 300}) {
    const auto request = signed_request(kMessageSent, std::to_string(kNowSeconds + offset));
    EXPECT_FALSE(verify(request)) << offset << ": " << describe(verify(request));
  }
}

TEST(TalkJsVerify, TimestampInSecondsJustOverSkew) {
  const auto stale = signed_request(kMessageSent, std::to_string(kNowSeconds - 301));
  auto error = verify(stale);
  ASSERT_TRUE(unauthorized_naming(error, "X-TalkJS-Timestamp"));
  EXPECT_EQ(error->message, "X-TalkJS-Timestamp: 301 s away from now, over max_skew_seconds (300)");

  const auto future = signed_request(kMessageSent, std::to_string(kNowSeconds + 301));
  error = verify(future);
  ASSERT_TRUE(unauthorized_naming(error, "X-TalkJS-Timestamp"));
  EXPECT_EQ(error->message, "X-TalkJS-Timestamp: 301 s away from now, over max_skew_seconds (300)");
}

TEST(TalkJsVerify, TimestampInSecondsComparesWholeSeconds) {
  // now is ...000.500: a timestamp 300 whole seconds back was sent at most 300.999 s ago
  // by a clock that truncates, so it counts as 300 s.
  const auto request = signed_request(kMessageSent, std::to_string(kNowSeconds - 300));
  EXPECT_FALSE(verify(request)) << describe(verify(request));
}

TEST(TalkJsVerify, TimestampInMillisecondsWithinSkew) {
  for (const std::int64_t offset : {0, -1, 1, -299'999, 299'999, -300'000, 300'000}) {
    const auto request = signed_request(kMessageSent, std::to_string(kNowMs + offset));
    EXPECT_FALSE(verify(request)) << offset << ": " << describe(verify(request));
  }
}

TEST(TalkJsVerify, TimestampInMillisecondsJustOverSkew) {
  for (const std::int64_t offset : {-300'001, 300'001}) {
    const auto request = signed_request(kMessageSent, std::to_string(kNowMs + offset));
    const auto error = verify(request);
    ASSERT_TRUE(unauthorized_naming(error, "X-TalkJS-Timestamp")) << offset;
    // Over by a millisecond reads as 301 s, never as "300 s ... over 300".
    EXPECT_EQ(error->message,
              "X-TalkJS-Timestamp: 301 s away from now, over max_skew_seconds (300)");
  }
}

TEST(TalkJsVerify, FarTimestampsReportTheDistance) {
  const auto hour_old = signed_request(kMessageSent, std::to_string(kNowSeconds - 3600));
  EXPECT_TRUE(unauthorized_naming(verify(hour_old), "X-TalkJS-Timestamp: 3600 s away from now"));
  const auto hour_ahead_ms = signed_request(kMessageSent, std::to_string(kNowMs + 3'600'000));
  EXPECT_TRUE(
      unauthorized_naming(verify(hour_ahead_ms), "X-TalkJS-Timestamp: 3600 s away from now"));
  const auto epoch = signed_request(kMessageSent, "0");
  EXPECT_TRUE(unauthorized_naming(verify(epoch), "X-TalkJS-Timestamp: 1700000000 s away"));
}

TEST(TalkJsVerify, UnitThresholdIsTenToTheEleven) {
  // 10^11 is read as seconds (year 5138), 10^11 + 1 as milliseconds (1973).
  const auto as_seconds = signed_request(kMessageSent, "100000000000");
  EXPECT_TRUE(unauthorized_naming(verify(as_seconds),
                                  std::to_string(100'000'000'000 - kNowSeconds) + " s away"));
  const auto as_ms = signed_request(kMessageSent, "100000000001");
  EXPECT_TRUE(unauthorized_naming(
      verify(as_ms), std::to_string((kNowMs - 100'000'000'001 + 999) / 1000) + " s away"));
}

TEST(TalkJsVerify, ConfiguredMaxSkewIsUsedAndNamed) {
  auto config = make_config();
  config.webhook.max_skew = seconds(60);
  const auto source = make_source(config);
  const auto inside = signed_request(kMessageSent, std::to_string(kNowSeconds - 60));
  EXPECT_FALSE(verify(inside, source)) << describe(verify(inside, source));
  const auto outside = signed_request(kMessageSent, std::to_string(kNowSeconds - 61));
  const auto error = verify(outside, source);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "X-TalkJS-Timestamp: 61 s away from now, over max_skew_seconds (60)");
}

TEST(TalkJsVerify, ClockIsReadOnEveryRequest) {
  auto now = kNow;
  const TalkJs source(make_config(), true, [&now] { return now; });
  const auto request = signed_request(kMessageSent, kTimestampSeconds);
  EXPECT_FALSE(source.verify(request.request()));
  now += seconds(301);
  EXPECT_TRUE(unauthorized_naming(source.verify(request.request()), "301 s away"));
}

TEST(TalkJsVerify, BadSignatureIsReportedBeforeSkew) {
  // A stale timestamp with a forged signature is a forgery, not clock drift.
  const std::string stale = std::to_string(kNowSeconds - 3600);
  const auto request = signed_request(kMessageSent, stale, "sk_test_other");
  EXPECT_TRUE(unauthorized_naming(verify(request), kBadSignatureMessage));
}

// --- verification: missing and malformed headers ---

TEST(TalkJsVerify, MissingTimestamp) {
  TestRequest request(kMessageSent);
  request.header("X-TalkJS-Signature", talkjs_signature(kOldKey, kTimestampSeconds, kMessageSent));
  const auto error = verify(request);
  ASSERT_TRUE(unauthorized_naming(error, "X-TalkJS-Timestamp"));
  EXPECT_EQ(error->message, "X-TalkJS-Timestamp: missing");

  request.header("X-TalkJS-Timestamp", "");
  EXPECT_TRUE(unauthorized_naming(verify(request), "X-TalkJS-Timestamp: missing"));
}

TEST(TalkJsVerify, MissingSignature) {
  TestRequest request(kMessageSent);
  request.header("X-TalkJS-Timestamp", kTimestampSeconds);
  const auto error = verify(request);
  ASSERT_TRUE(unauthorized_naming(error, "X-TalkJS-Signature"));
  EXPECT_EQ(error->message, "X-TalkJS-Signature: missing");
}

TEST(TalkJsVerify, NoHeadersAtAllNamesTheTimestamp) {
  TestRequest request(kMessageSent);
  EXPECT_TRUE(unauthorized_naming(verify(request), "X-TalkJS-Timestamp: missing"));
}

TEST(TalkJsVerify, MalformedTimestamps) {
  for (const std::string_view timestamp :
       {"abc", "-1700000000", "+1700000000", "1700000000.5", "1.7e9", "0x6553F100", "17000000OO",
        "99999999999999999999", "18446744073709551616", "1700000000,1700000000"}) {
    auto request = signed_request(kMessageSent, timestamp);
    const auto error = verify(request);
    ASSERT_TRUE(unauthorized_naming(error, "X-TalkJS-Timestamp: malformed")) << timestamp;
  }
}

TEST(TalkJsVerify, TimestampFormatIsCheckedBeforeTheSignature) {
  TestRequest request(kMessageSent);
  request.header("X-TalkJS-Timestamp", "yesterday");
  request.header("X-TalkJS-Signature", "not hex");
  EXPECT_TRUE(unauthorized_naming(verify(request), "X-TalkJS-Timestamp: malformed"));

  TestRequest no_signature(kMessageSent);
  no_signature.header("X-TalkJS-Timestamp", "yesterday");
  EXPECT_TRUE(unauthorized_naming(verify(no_signature), "X-TalkJS-Timestamp: malformed"));
}

TEST(TalkJsVerify, MalformedSignatures) {
  const std::string good = talkjs_signature(kOldKey, kTimestampSeconds, kMessageSent);
  std::string non_hex = good;
  non_hex[10] = 'G';
  for (const std::string& value :
       {"sha256=" + good, good.substr(0, 63), good + "0", non_hex, good.substr(0, 32),
        good + "," + good, " " + good.substr(1), std::string("not a signature")}) {
    auto request = signed_request(kMessageSent, kTimestampSeconds);
    request.header("X-TalkJS-Signature", value);
    const auto error = verify(request);
    ASSERT_TRUE(unauthorized_naming(error, "X-TalkJS-Signature: malformed")) << value;
  }
}

// --- verification: configuration ---

TEST(TalkJsVerify, AllowUnauthenticatedWithoutKeysPasses) {
  config::TalkJsSource config = make_config();
  config.webhook.secret_keys.clear();
  config.webhook.allow_unauthenticated = true;
  const auto source = make_source(config);
  TestRequest bare(kMessageSent);
  EXPECT_FALSE(verify(bare, source));
  TestRequest junk(kMessageSent);
  junk.header("X-TalkJS-Timestamp", "junk").header("X-TalkJS-Signature", "junk");
  EXPECT_FALSE(verify(junk, source));
}

TEST(TalkJsVerify, AllowUnauthenticatedDoesNotOverrideConfiguredKeys) {
  config::TalkJsSource config = make_config();
  config.webhook.allow_unauthenticated = true;
  const auto source = make_source(config);
  TestRequest bare(kMessageSent);
  EXPECT_TRUE(unauthorized_naming(verify(bare, source), "X-TalkJS-Timestamp: missing"));
  const auto wrong = signed_request(kMessageSent, kTimestampSeconds, "sk_test_other");
  EXPECT_TRUE(unauthorized_naming(verify(wrong, source), kBadSignatureMessage));
  const auto good = signed_request(kMessageSent, kTimestampSeconds);
  EXPECT_FALSE(verify(good, source));
}

TEST(TalkJsVerify, NoKeysFailsClosed) {
  config::TalkJsSource config = make_config();
  config.webhook.secret_keys.clear();
  const auto source = make_source(config);
  const auto request = signed_request(kMessageSent, kTimestampSeconds, "");
  const auto error = verify(request, source);
  EXPECT_TRUE(unauthorized_naming(error, "secret_keys"));
}

// --- normalization ---

Result<events::CloudEvent, Error> normalize(std::string_view body, bool include_raw = true) {
  const auto source = make_source(make_config(), include_raw);
  TestRequest request(body);
  return source.normalize(request.request(), kNow);
}

events::CloudEvent normalized(std::string_view body) {
  auto result = normalize(body);
  if (!result.ok()) {
    ADD_FAILURE() << "refused: " << result.error().message;
    return {};
  }
  return std::move(result).value();
}

// Parses the event's JSON; fails the test when it is not valid.
struct ParsedEvent {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string json;

  explicit ParsedEvent(const events::CloudEvent& event) : json(events::to_json(event)) {
    EXPECT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  }
  std::string_view string(std::string_view pointer) {
    std::string_view value;
    EXPECT_EQ(root.at_pointer(pointer).get(value), simdjson::SUCCESS) << pointer << " in " << json;
    return value;
  }
  bool has(std::string_view pointer) {
    return root.at_pointer(pointer).error() == simdjson::SUCCESS;
  }
};

TEST(TalkJsNormalize, MessageSent) {
  const auto event = normalized(kMessageSent);
  // The message's id, not the webhook's: a fetch that finds the message makes the same one.
  EXPECT_EQ(event.id, "talkjs:message:msg_4YsrGe5aEkJZjTP2uRJLMB");
  EXPECT_EQ(event.source, "/parley/talkjs/tPqqr5zU");
  EXPECT_EQ(event.type, events::type::kMessageCreated);
  EXPECT_EQ(event.subject, "order_391_fc");
  EXPECT_EQ(event.partition_key, "talkjs:order_391_fc");
  EXPECT_EQ(event.time, "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(event.data.platform, "talkjs");
  EXPECT_EQ(event.data.platform_event, "message.sent");
  EXPECT_EQ(event.data.conversation.id, "order_391_fc");
  EXPECT_EQ(event.data.conversation.subject, "What a lovely day!");
  ASSERT_TRUE(event.data.message);
  const auto& message = *event.data.message;
  EXPECT_EQ(message.id, "msg_4YsrGe5aEkJZjTP2uRJLMB");
  EXPECT_EQ(message.text, "Hello Alice!");
  EXPECT_EQ(message.author.role, events::role::kExpert);
  EXPECT_EQ(message.author.id, "user_8029");
  EXPECT_EQ(message.author.name, "Sebastian Expert");
  EXPECT_EQ(message.author.avatar_url, "https://cdn.example.com/users/8029.png");
  EXPECT_EQ(message.sent_at, "2023-11-14T22:13:20.100Z");
  EXPECT_TRUE(message.attachments.empty());
  EXPECT_FALSE(event.data.receipt);
  EXPECT_FALSE(event.data.user);
  EXPECT_FALSE(event.data.notification);
  // The body as received, byte for byte, not a serialization of it.
  EXPECT_EQ(event.data.raw_json, received_json(kMessageSent));
  EXPECT_TRUE(kMessageSent.find(event.data.raw_json) != std::string_view::npos);
}

TEST(TalkJsNormalize, MessageSentSerializesToValidJson) {
  ParsedEvent parsed(normalized(kMessageSent));
  EXPECT_EQ(parsed.string("/specversion"), "1.0");
  EXPECT_EQ(parsed.string("/id"), "talkjs:message:msg_4YsrGe5aEkJZjTP2uRJLMB");
  EXPECT_EQ(parsed.string("/source"), "/parley/talkjs/tPqqr5zU");
  EXPECT_EQ(parsed.string("/type"), "parley.message.created");
  EXPECT_EQ(parsed.string("/subject"), "order_391_fc");
  EXPECT_EQ(parsed.string("/partitionkey"), "talkjs:order_391_fc");
  EXPECT_EQ(parsed.string("/data/platform"), "talkjs");
  EXPECT_EQ(parsed.string("/data/platformEvent"), "message.sent");
  EXPECT_EQ(parsed.string("/data/conversation/subject"), "What a lovely day!");
  EXPECT_EQ(parsed.string("/data/message/author/role"), "expert");
  EXPECT_EQ(parsed.string("/data/message/author/avatarUrl"),
            "https://cdn.example.com/users/8029.png");
  EXPECT_EQ(parsed.string("/data/message/sentAt"), "2023-11-14T22:13:20.100Z");
  EXPECT_EQ(parsed.string("/data/raw/data/sender/locale"), "en-US");
  EXPECT_EQ(parsed.string("/data/raw/data/conversation/custom/category"), "order_inquiry");
}

TEST(TalkJsNormalize, SignedDeliveryVerifiesAndNormalizes) {
  const auto source = make_source();
  const auto request = signed_request(kMessageSent, kTimestampMs);
  ASSERT_FALSE(source.verify(request.request())) << describe(source.verify(request.request()));
  const auto result = source.normalize(request.request(), kNow);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().partition_key, "talkjs:order_391_fc");
}

TEST(TalkJsNormalize, MessageWithAttachment) {
  const auto event = normalized(kMessageSentWithAttachment);
  ASSERT_TRUE(event.data.message);
  const auto& message = *event.data.message;
  EXPECT_EQ(message.text, "");
  ASSERT_EQ(message.attachments.size(), 1u);
  EXPECT_EQ(message.attachments[0].url, "https://talkjs.com/api/v0/tPqqr5zU/file/invoice.pdf");
  EXPECT_EQ(message.attachments[0].name, "invoice.pdf");
  EXPECT_EQ(message.author.role, events::role::kCustomer);  // "buyer" -> customer
  EXPECT_EQ(message.author.avatar_url, "");
  EXPECT_EQ(event.data.conversation.subject, "");  // null subject
  EXPECT_EQ(message.sent_at, "2023-11-14T22:13:20.001Z");

  ParsedEvent parsed(event);
  EXPECT_EQ(parsed.string("/data/message/attachments/0/url"),
            "https://talkjs.com/api/v0/tPqqr5zU/file/invoice.pdf");
  EXPECT_EQ(parsed.string("/data/message/attachments/0/name"), "invoice.pdf");
  EXPECT_FALSE(parsed.has("/data/message/text"));
}

TEST(TalkJsNormalize, AttachmentWithoutFilename) {
  const auto event =
      normalized(R"({"id":"e","createdAt":1,"type":"message.sent","data":{"message":{"id":"m",)"
                 R"("conversationId":"c","attachment":{"url":"https://x.example/f","size":3}}}})");
  ASSERT_TRUE(event.data.message);
  ASSERT_EQ(event.data.message->attachments.size(), 1u);
  EXPECT_EQ(event.data.message->attachments[0].url, "https://x.example/f");
  EXPECT_EQ(event.data.message->attachments[0].name, "");
}

TEST(TalkJsNormalize, SystemMessage) {
  const auto event = normalized(kSystemMessage);
  ASSERT_TRUE(event.data.message);
  EXPECT_EQ(event.data.message->author.role, events::role::kSystem);
  EXPECT_EQ(event.data.message->author.id, "");
  EXPECT_EQ(event.data.message->text, "Alice joined the conversation");
  EXPECT_EQ(event.partition_key, "talkjs:order_391_fc");
  ParsedEvent parsed(event);
  EXPECT_EQ(parsed.string("/data/message/author/role"), "system");
  EXPECT_FALSE(parsed.has("/data/message/author/id"));
}

TEST(TalkJsNormalize, SystemMessageWinsOverSenderRole) {
  const auto event = normalized(
      R"({"id":"e","createdAt":1,"type":"message.sent","data":{"sender":{"id":"u",)"
      R"("role":"expert"},"message":{"id":"m","conversationId":"c","type":"SystemMessage"}}})");
  ASSERT_TRUE(event.data.message);
  EXPECT_EQ(event.data.message->author.role, events::role::kSystem);
  EXPECT_EQ(event.data.message->author.id, "u");
}

std::string message_with_sender(std::string_view sender_json) {
  return R"({"id":"e","createdAt":1,"type":"message.sent","data":{)" + std::string(sender_json) +
         R"("message":{"id":"m","conversationId":"c","senderId":"u","type":"UserMessage"}}})";
}

TEST(TalkJsNormalize, RolesMapping) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"("sender":{"id":"u","role":"expert"},)", events::role::kExpert},
      {R"("sender":{"id":"u","role":"support"},)", events::role::kAgent},
      {R"("sender":{"id":"u","role":"bot"},)", events::role::kSystem},
      {R"("sender":{"id":"u","role":"buyer"},)", events::role::kCustomer},
      {R"("sender":{"id":"u","role":"default"},)", events::role::kCustomer},  // unlisted
      {R"("sender":{"id":"u","role":"Expert"},)", events::role::kCustomer},   // case matters
      {R"("sender":{"id":"u","role":null},)", events::role::kCustomer},
      {R"("sender":{"id":"u"},)", events::role::kCustomer},
      {R"("sender":null,)", events::role::kCustomer},
      {"", events::role::kCustomer},
  };
  for (const auto& [sender, role] : cases) {
    const auto event = normalized(message_with_sender(sender));
    ASSERT_TRUE(event.data.message) << sender;
    EXPECT_EQ(event.data.message->author.role, role) << sender;
    EXPECT_EQ(event.data.message->author.id, "u") << sender;
  }
}

TEST(TalkJsNormalize, NoRolesConfiguredMeansCustomer) {
  auto config = make_config();
  config.webhook.roles.clear();
  const auto source = make_source(config);
  TestRequest request(kMessageSent);
  const auto result = source.normalize(request.request(), kNow);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().data.message->author.role, events::role::kCustomer);
}

TEST(TalkJsNormalize, AuthorIdFromSenderIdOrSender) {
  const auto from_sender =
      normalized(R"({"id":"e","createdAt":1,"type":"message.sent","data":{"sender":{"id":"s1",)"
                 R"("name":"Sam"},"message":{"id":"m","conversationId":"c"}}})");
  ASSERT_TRUE(from_sender.data.message);
  EXPECT_EQ(from_sender.data.message->author.id, "s1");
  EXPECT_EQ(from_sender.data.message->author.name, "Sam");

  const auto sender_id_wins =
      normalized(R"({"id":"e","createdAt":1,"type":"message.sent","data":{"sender":{"id":"s1"},)"
                 R"("message":{"id":"m","conversationId":"c","senderId":"s2"}}})");
  ASSERT_TRUE(sender_id_wins.data.message);
  EXPECT_EQ(sender_id_wins.data.message->author.id, "s2");
}

TEST(TalkJsNormalize, ConversationIdFallsBackToMessage) {
  const auto event = normalized(R"({"id":"e","createdAt":1,"type":"message.sent","data":)"
                                R"({"message":{"id":"m","conversationId":"from_message"}}})");
  EXPECT_EQ(event.data.conversation.id, "from_message");
  EXPECT_EQ(event.subject, "from_message");
  EXPECT_EQ(event.partition_key, "talkjs:from_message");

  const auto null_conversation =
      normalized(R"({"id":"e","createdAt":1,"type":"message.sent","data":{"conversation":null,)"
                 R"("message":{"id":"m","conversationId":"from_message"}}})");
  EXPECT_EQ(null_conversation.partition_key, "talkjs:from_message");

  const auto conversation_without_id = normalized(
      R"({"id":"e","createdAt":1,"type":"message.sent","data":{"conversation":{"subject":"S"},)"
      R"("message":{"id":"m","conversationId":"from_message"}}})");
  EXPECT_EQ(conversation_without_id.partition_key, "talkjs:from_message");
  EXPECT_EQ(conversation_without_id.data.conversation.subject, "S");

  const auto conversation_wins = normalized(
      R"({"id":"e","createdAt":1,"type":"message.sent","data":{"conversation":{"id":"conv"},)"
      R"("message":{"id":"m","conversationId":"from_message"}}})");
  EXPECT_EQ(conversation_wins.partition_key, "talkjs:conv");
}

// A message parley sent for a command carries the command id in custom.parleyCommandId
// (platforms/talkjs/send.hpp): its event exposes it so consumers can join it to the result.
TEST(TalkJsNormalize, CommandIdEchoBecomesExternalId) {
  const auto event = normalized(
      R"({"id":"e","createdAt":1,"type":"message.sent","data":{"message":{"id":"m",)"
      R"("conversationId":"c","text":"Hi","custom":{"parleyCommandId":"cmd-7","plan":"pro"}}}})");
  ASSERT_TRUE(event.data.message);
  EXPECT_EQ(event.data.message->external_id, "cmd-7");
  EXPECT_TRUE(event.field_warnings.empty());
  ParsedEvent parsed(event);
  EXPECT_EQ(parsed.string("/data/message/externalId"), "cmd-7");
}

TEST(TalkJsNormalize, NoCommandIdNoExternalId) {
  for (const std::string_view custom :
       {R"("custom":{})", R"("custom":null)", R"("custom":{"a":"b"})"}) {
    const auto event =
        normalized(R"({"id":"e","createdAt":1,"type":"message.sent","data":{"message":{"id":"m",)"
                   R"("conversationId":"c",)" +
                   std::string(custom) + "}}}");
    ASSERT_TRUE(event.data.message) << custom;
    EXPECT_EQ(event.data.message->external_id, "") << custom;
    EXPECT_TRUE(event.field_warnings.empty()) << custom;
    EXPECT_FALSE(ParsedEvent(event).has("/data/message/externalId")) << custom;
  }
  EXPECT_EQ(normalized(kMessageSent).data.message->external_id, "");
}

TEST(TalkJsNormalize, UnusableCommandIdIsDroppedNotRefused) {
  for (const std::string_view custom : {R"("custom":"x")", R"("custom":{"parleyCommandId":7})"}) {
    const auto event =
        normalized(R"({"id":"e","createdAt":1,"type":"message.sent","data":{"message":{"id":"m",)"
                   R"("conversationId":"c",)" +
                   std::string(custom) + "}}}");
    ASSERT_TRUE(event.data.message) << custom;
    EXPECT_EQ(event.data.message->external_id, "") << custom;
    ASSERT_EQ(event.field_warnings.size(), 1u) << custom;
  }
}

TEST(TalkJsNormalize, MessageUpdated) {
  const auto event = normalized(kMessageUpdated);
  EXPECT_EQ(event.type, events::type::kMessageUpdated);
  EXPECT_EQ(event.id, "talkjs:event:evt_updated_1");
  EXPECT_EQ(event.subject, "order_391_fc");
  EXPECT_EQ(event.partition_key, "talkjs:order_391_fc");
  EXPECT_EQ(event.time, "2023-11-14T22:15:00.000Z");
  ASSERT_TRUE(event.data.message);
  EXPECT_EQ(event.data.message->text, "Hello Alice! (edited)");
  EXPECT_EQ(event.data.message->author.role, events::role::kCustomer);
  EXPECT_EQ(event.data.message->author.name, "Alice");
  EXPECT_EQ(event.data.message->sent_at, "2023-11-14T22:13:20.100Z");
}

TEST(TalkJsNormalize, MessageDeleted) {
  const auto event = normalized(kMessageDeleted);
  EXPECT_EQ(event.type, events::type::kMessageDeleted);
  EXPECT_EQ(event.partition_key, "talkjs:order_391_fc");
  ASSERT_TRUE(event.data.message);
  EXPECT_EQ(event.data.message->id, "msg_4YsrGe5aEkJZjTP2uRJLMB");
  EXPECT_EQ(event.data.message->text, "");
  ParsedEvent parsed(event);
  EXPECT_EQ(parsed.string("/type"), "parley.message.deleted");
}

TEST(TalkJsNormalize, MessageRead) {
  const auto event = normalized(kMessageRead);
  EXPECT_EQ(event.type, events::type::kMessageRead);
  EXPECT_EQ(event.partition_key, "talkjs:order_391_fc");
  ASSERT_TRUE(event.data.message);
  EXPECT_EQ(event.data.message->author.id, "user_8029");
  ASSERT_TRUE(event.data.receipt);
  EXPECT_EQ(event.data.receipt->message_id, "msg_4YsrGe5aEkJZjTP2uRJLMB");
  EXPECT_EQ(event.data.receipt->status, events::receipt_status::kRead);
  EXPECT_EQ(event.data.receipt->reader_id, "12081");
  ParsedEvent parsed(event);
  EXPECT_EQ(parsed.string("/data/receipt/messageId"), "msg_4YsrGe5aEkJZjTP2uRJLMB");
  EXPECT_EQ(parsed.string("/data/receipt/status"), "read");
  EXPECT_EQ(parsed.string("/data/receipt/readerId"), "12081");
}

TEST(TalkJsNormalize, MessageReadWithoutRecipient) {
  const auto event = normalized(R"({"id":"e","createdAt":1,"type":"message.read","data":)"
                                R"({"message":{"id":"m","conversationId":"c"}}})");
  ASSERT_TRUE(event.data.receipt);
  EXPECT_EQ(event.data.receipt->message_id, "m");
  EXPECT_EQ(event.data.receipt->reader_id, "");
}

TEST(TalkJsNormalize, ConversationDeleted) {
  const auto event = normalized(kConversationDeleted);
  EXPECT_EQ(event.type, events::type::kConversationDeleted);
  EXPECT_EQ(event.id, "talkjs:event:evt_conv_deleted_1");
  EXPECT_EQ(event.subject, "order_391_fc");
  EXPECT_EQ(event.partition_key, "talkjs:order_391_fc");
  EXPECT_EQ(event.data.conversation.subject, "What a lovely day!");
  EXPECT_FALSE(event.data.message);
}

TEST(TalkJsNormalize, ConversationDeletedWithoutConversationIsKeyedByEvent) {
  const auto event =
      normalized(R"({"id":"evt_x","createdAt":1,"type":"conversation.deleted","data":{}})");
  EXPECT_EQ(event.type, events::type::kConversationDeleted);
  EXPECT_EQ(event.partition_key, "talkjs:event:evt_x");
  EXPECT_EQ(event.subject, "");
}

TEST(TalkJsNormalize, UserCreated) {
  const auto event = normalized(kUserCreated);
  EXPECT_EQ(event.type, events::type::kUserCreated);
  EXPECT_EQ(event.id, "talkjs:event:evt_user_1");
  EXPECT_EQ(event.subject, "12081");
  EXPECT_EQ(event.partition_key, "talkjs:user:12081");
  EXPECT_EQ(event.data.conversation.id, "");
  ASSERT_TRUE(event.data.user);
  EXPECT_EQ(event.data.user->id, "12081");
  EXPECT_EQ(event.data.user->name, "Alice");
  EXPECT_EQ(event.data.user->role, "buyer");
  EXPECT_EQ(event.data.user->avatar_url, "https://yoursite.com/userpictures/12081.png");
  EXPECT_EQ(event.data.user->emails,
            (std::vector<std::string>{"alice@example.com", "alice@work.example"}));
  ParsedEvent parsed(event);
  EXPECT_EQ(parsed.string("/data/user/emails/1"), "alice@work.example");
  EXPECT_FALSE(parsed.has("/data/conversation"));
}

TEST(TalkJsNormalize, UserUpdatedWithStringEmailAndNulls) {
  const auto event = normalized(kUserUpdated);
  EXPECT_EQ(event.type, events::type::kUserUpdated);
  EXPECT_EQ(event.partition_key, "talkjs:user:12081");
  ASSERT_TRUE(event.data.user);
  EXPECT_EQ(event.data.user->name, "Alice B.");
  EXPECT_EQ(event.data.user->emails, (std::vector<std::string>{"alice@example.com"}));
  EXPECT_EQ(event.data.user->role, "");
  EXPECT_EQ(event.data.user->avatar_url, "");
}

TEST(TalkJsNormalize, UserEmailNullOrEmpty) {
  for (const std::string_view email :
       {R"("email":null,)", R"("email":[],)", "", R"("email":"",)", R"("email":[""],)"}) {
    const auto event = normalized(R"({"id":"e","createdAt":1,"type":"user.created","data":)"
                                  R"({"user":{)" +
                                  std::string(email) + R"("id":"u1"}}})");
    ASSERT_TRUE(event.data.user) << email;
    EXPECT_TRUE(event.data.user->emails.empty()) << email;
  }
}

class NotificationTypes
    : public ::testing::TestWithParam<std::pair<std::string_view, std::string_view>> {};

TEST_P(NotificationTypes, WithConversation) {
  const auto [talkjs_type, parley_type] = GetParam();
  const auto event = normalized(notification_body(talkjs_type));
  EXPECT_EQ(event.type, parley_type);
  EXPECT_EQ(event.data.platform_event, talkjs_type);
  EXPECT_EQ(event.id, "talkjs:event:evt_ntf_1");
  EXPECT_EQ(event.subject, "order_391_fc");
  EXPECT_EQ(event.partition_key, "talkjs:order_391_fc");
  EXPECT_EQ(event.data.conversation.subject, "What a lovely day!");
  ASSERT_TRUE(event.data.notification);
  EXPECT_EQ(event.data.notification->id, "ntf_7Qm2x");
  EXPECT_EQ(event.data.notification->recipient_id, "12081");
  EXPECT_FALSE(event.data.message);
  ParsedEvent parsed(event);
  EXPECT_EQ(parsed.string("/type"), parley_type);
  EXPECT_EQ(parsed.string("/data/notification/id"), "ntf_7Qm2x");
  EXPECT_EQ(parsed.string("/data/notification/recipientId"), "12081");
  EXPECT_EQ(parsed.string("/data/raw/data/messages/0/text"), "Hello Alice!");
}

INSTANTIATE_TEST_SUITE_P(
    TalkJs, NotificationTypes,
    ::testing::Values(
        std::pair{std::string_view("notification.triggered"), events::type::kNotificationTriggered},
        std::pair{std::string_view("notification.sent"), events::type::kNotificationSent},
        std::pair{std::string_view("notification.delivered"), events::type::kNotificationDelivered},
        std::pair{std::string_view("notification.bounced"), events::type::kNotificationBounced},
        std::pair{std::string_view("notification.opened"), events::type::kNotificationOpened},
        std::pair{std::string_view("notification.link.clicked"),
                  events::type::kNotificationLinkClicked}));

TEST(TalkJsNormalize, NotificationWithoutConversationIsKeyedByRecipient) {
  const auto event = normalized(
      R"({"id":"evt_n","createdAt":1700000700000,"type":"notification.bounced","data":)"
      R"({"notificationId":"ntf_1","recipient":{"id":"12081","email":["a@example.com"]}}})");
  EXPECT_EQ(event.type, events::type::kNotificationBounced);
  EXPECT_EQ(event.subject, "12081");
  EXPECT_EQ(event.partition_key, "talkjs:user:12081");
  ASSERT_TRUE(event.data.notification);
  EXPECT_EQ(event.data.notification->id, "ntf_1");
}

TEST(TalkJsNormalize, NotificationIdFromNotificationObject) {
  const auto event =
      normalized(R"({"id":"evt_n","createdAt":1,"type":"notification.opened","data":)"
                 R"({"notification":{"id":"ntf_obj"},"recipient":{"id":"12081"}}})");
  ASSERT_TRUE(event.data.notification);
  EXPECT_EQ(event.data.notification->id, "ntf_obj");

  const auto both = normalized(R"({"id":"evt_n","createdAt":1,"type":"notification.opened","data":)"
                               R"({"notificationId":"ntf_flat","notification":{"id":"ntf_obj"}}})");
  ASSERT_TRUE(both.data.notification);
  EXPECT_EQ(both.data.notification->id, "ntf_flat");
}

TEST(TalkJsNormalize, NotificationWithNothingIdentifiableIsKeyedByEvent) {
  const auto event =
      normalized(R"({"id":"evt_n","createdAt":1,"type":"notification.sent","data":{}})");
  EXPECT_EQ(event.partition_key, "talkjs:event:evt_n");
  EXPECT_EQ(event.subject, "");
  ASSERT_TRUE(event.data.notification);
}

TEST(TalkJsNormalize, UnknownTypeIsPublishedUnmapped) {
  const auto event = normalized(
      R"({"id":"evt_new","createdAt":1700000800000,"type":"conversation.archived","data":)"
      R"({"conversation":{"id":"order_391_fc","subject":"What a lovely day!"},"by":"12081"}})");
  EXPECT_EQ(event.type, events::type::kPlatformUnmapped);
  EXPECT_EQ(event.data.platform_event, "conversation.archived");
  EXPECT_EQ(event.id, "talkjs:event:evt_new");
  EXPECT_EQ(event.subject, "order_391_fc");
  EXPECT_EQ(event.partition_key, "talkjs:order_391_fc");
  EXPECT_EQ(event.data.conversation.subject, "What a lovely day!");
  EXPECT_FALSE(event.data.raw_json.empty());
  ParsedEvent parsed(event);
  EXPECT_EQ(parsed.string("/type"), "parley.platform.unmapped");
  EXPECT_EQ(parsed.string("/data/raw/data/by"), "12081");
}

TEST(TalkJsNormalize, UnknownTypeWithMessageConversation) {
  const auto event = normalized(R"({"id":"evt_new","createdAt":1,"type":"message.reacted","data":)"
                                R"({"message":{"id":"m","conversationId":"c1"},"reaction":"+1"}})");
  EXPECT_EQ(event.type, events::type::kPlatformUnmapped);
  EXPECT_EQ(event.partition_key, "talkjs:c1");
}

TEST(TalkJsNormalize, UnknownTypeWithUser) {
  const auto event = normalized(R"({"id":"evt_new","createdAt":1,"type":"user.deleted","data":)"
                                R"({"user":{"id":"12081","name":"Alice"}}})");
  EXPECT_EQ(event.type, events::type::kPlatformUnmapped);
  EXPECT_EQ(event.subject, "12081");
  EXPECT_EQ(event.partition_key, "talkjs:user:12081");
  ASSERT_TRUE(event.data.user);
  EXPECT_EQ(event.data.user->id, "12081");
  EXPECT_EQ(event.data.user->name, "Alice");
}

TEST(TalkJsNormalize, UnknownTypeWithRecipient) {
  const auto event =
      normalized(R"({"id":"evt_new","createdAt":1,"type":"notification.unsubscribed","data":)"
                 R"({"recipient":{"id":"12081"}}})");
  EXPECT_EQ(event.partition_key, "talkjs:user:12081");
}

TEST(TalkJsNormalize, UnknownTypeWithNothingIdentifiable) {
  const auto event =
      normalized(R"({"id":"evt_new","createdAt":1,"type":"app.settings.changed","data":{}})");
  EXPECT_EQ(event.type, events::type::kPlatformUnmapped);
  EXPECT_EQ(event.subject, "");
  EXPECT_EQ(event.partition_key, "talkjs:event:evt_new");
  ParsedEvent parsed(event);
  EXPECT_FALSE(parsed.has("/subject"));
}

TEST(TalkJsNormalize, UnknownTypeOfAnyShapeIsNeverRefused) {
  // An unknown type's schema is unknown: odd shapes are ignored, not refused.
  const auto event = normalized(
      R"({"id":"evt_new","createdAt":1,"type":"something.new","data":{"conversation":"c1",)"
      R"("user":{"id":42},"message":[1,2],"recipient":null,"conversationId":7,)"
      R"("text":{"nested":true}}})");
  EXPECT_EQ(event.type, events::type::kPlatformUnmapped);
  EXPECT_EQ(event.partition_key, "talkjs:event:evt_new");
  EXPECT_FALSE(event.data.user);

  const auto flat = normalized(
      R"({"id":"evt_new","createdAt":1,"type":"something.new","data":{"conversationId":"c9"}})");
  EXPECT_EQ(flat.partition_key, "talkjs:c9");
}

TEST(TalkJsNormalize, TypeLookupIsExact) {
  for (const std::string_view type : {"Message.Sent", "message.sent ", "message", "message_sent"}) {
    const auto event =
        normalized(R"({"id":"e","createdAt":1,"type":")" + std::string(type) + R"(","data":{}})");
    EXPECT_EQ(event.type, events::type::kPlatformUnmapped) << type;
  }
}

TEST(TalkJsNormalize, EveryDocumentedTypeIsMapped) {
  const std::pair<std::string_view, std::string_view> table[] = {
      {"message.sent", "parley.message.created"},
      {"message.updated", "parley.message.updated"},
      {"message.deleted", "parley.message.deleted"},
      {"message.read", "parley.message.read"},
      {"conversation.deleted", "parley.conversation.deleted"},
      {"user.created", "parley.user.created"},
      {"user.updated", "parley.user.updated"},
      {"notification.triggered", "parley.notification.triggered"},
      {"notification.sent", "parley.notification.sent"},
      {"notification.delivered", "parley.notification.delivered"},
      {"notification.bounced", "parley.notification.bounced"},
      {"notification.opened", "parley.notification.opened"},
      {"notification.link.clicked", "parley.notification.link_clicked"},
  };
  const std::string data =
      R"({"message":{"id":"m","conversationId":"c"},"user":{"id":"u"},"conversation":{"id":"c"}})";
  for (const auto& [talkjs_type, parley_type] : table) {
    const auto event = normalized(R"({"id":"e","createdAt":1,"type":")" + std::string(talkjs_type) +
                                  R"(","data":)" + data + "}");
    EXPECT_EQ(event.type, parley_type) << talkjs_type;
    bool known = false;
    for (const auto type : events::type::kAll)
      known |= type == event.type;
    EXPECT_TRUE(known) << event.type;
  }
}

TEST(TalkJsNormalize, SameDeliveryTwiceHasTheSameId) {
  const auto first = normalized(kMessageSent);
  const auto second = normalized(kMessageSent);
  EXPECT_EQ(first.id, second.id);
  EXPECT_EQ(first.partition_key, second.partition_key);
  EXPECT_EQ(events::to_json(first), events::to_json(second));
}

TEST(TalkJsNormalize, TimeIsTheEnvelopeCreatedAtNotReceiveTime) {
  const auto source = make_source();
  TestRequest request(kMessageSent);
  const auto later = source.normalize(request.request(), kNow + std::chrono::hours(5));
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later.value().time, "2023-11-14T22:13:20.123Z");

  EXPECT_EQ(normalized(R"({"id":"e","createdAt":0,"type":"x","data":{}})").time,
            "1970-01-01T00:00:00.000Z");
  // The latest time system_clock (nanoseconds in libstdc++) can hold.
  EXPECT_EQ(normalized(R"({"id":"e","createdAt":9223372036854,"type":"x","data":{}})").time,
            "2262-04-11T23:47:16.854Z");
}

TEST(TalkJsNormalize, IncludeRawFalseOmitsRaw) {
  const auto result = normalize(kMessageSent, false);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.value().data.raw_json.empty());
  EXPECT_EQ(events::to_json(result.value()).find("\"raw\""), std::string::npos);
  EXPECT_EQ(result.value().partition_key, "talkjs:order_391_fc");
}

TEST(TalkJsNormalize, EscapedAndUnicodeStringsArePreserved) {
  const auto event = normalized(
      R"({"id":"evt_\u00e9","createdAt":1,"type":"message.sent","data":{"message":)"
      R"({"id":"m\u00e9","conversationId":"caf\u00e9 \"q\"","text":"line\nnext \ud83d\ude00 \\"}}})");
  EXPECT_EQ(event.id, "talkjs:message:m\xc3\xa9");
  EXPECT_EQ(event.partition_key, "talkjs:caf\xc3\xa9 \"q\"");
  ASSERT_TRUE(event.data.message);
  EXPECT_EQ(event.data.message->text, "line\nnext \xf0\x9f\x98\x80 \\");
  ParsedEvent parsed(event);
  EXPECT_EQ(parsed.string("/subject"), "caf\xc3\xa9 \"q\"");
  EXPECT_EQ(parsed.string("/data/message/text"), "line\nnext \xf0\x9f\x98\x80 \\");
  EXPECT_EQ(parsed.string("/data/raw/data/message/text"), "line\nnext \xf0\x9f\x98\x80 \\");
}

TEST(TalkJsNormalize, TextOverTheOldCapIsAccepted) {
  // Only limits.max_body_bytes bounds message text (it was capped at 256 KiB).
  const std::string text(262145, 'a');
  const auto event = normalized(R"({"id":"e","createdAt":1,"type":"message.sent","data":)"
                                R"({"message":{"id":"m","conversationId":"c","text":")" +
                                text + R"("}}})");
  ASSERT_TRUE(event.data.message);
  EXPECT_EQ(event.data.message->text.size(), text.size());
}

TEST(TalkJsNormalize, BodyWithoutPaddingIsParsedSafely) {
  const auto source = make_source();
  TestRequest request;
  request.body = std::string(kMessageSent);
  request.body.shrink_to_fit();
  const auto result = source.normalize(request.request(), kNow);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().subject, "order_391_fc");
}

// --- normalization errors ---

::testing::AssertionResult bad_request_with(const Result<events::CloudEvent, Error>& result,
                                            std::string_view expected, bool exact = false) {
  if (result.ok()) return ::testing::AssertionFailure() << "body was accepted";
  if (result.error().code != sources::Errc::invalid) {
    return ::testing::AssertionFailure()
           << "code " << result.error().code.message() << ": " << result.error().message;
  }
  if (exact ? result.error().message != expected : !contains(result.error().message, expected)) {
    return ::testing::AssertionFailure()
           << "message '" << result.error().message << "' lacks '" << expected << "'";
  }
  return ::testing::AssertionSuccess();
}

TEST(TalkJsNormalizeErrors, InvalidJson) {
  for (const std::string_view body : {R"({"id": })", "", "nope", R"({"id":"e",})",
                                      R"({"id":"e"} trailing)", "{\"id\":\"\xff\"}"}) {
    EXPECT_TRUE(bad_request_with(normalize(body), "body is not valid JSON")) << body;
  }
}

TEST(TalkJsNormalizeErrors, TruncatedJson) {
  for (std::size_t length = 1; length < kMessageDeleted.size(); length += 7) {
    EXPECT_TRUE(bad_request_with(normalize(kMessageDeleted.substr(0, length)), "not valid JSON"))
        << length;
  }
}

TEST(TalkJsNormalizeErrors, TopLevelMustBeAnObject) {
  for (const std::string_view body : {"[]", R"("s")", "42", "null", "true"}) {
    EXPECT_TRUE(bad_request_with(normalize(body), "body must be a JSON object")) << body;
  }
}

TEST(TalkJsNormalizeErrors, MissingEnvelopeFields) {
  EXPECT_TRUE(bad_request_with(normalize(R"({"createdAt":1,"type":"message.sent","data":{}})"),
                               "field id: is required", true));
  EXPECT_TRUE(bad_request_with(normalize(R"({"id":"e","type":"message.sent","data":{}})"),
                               "field createdAt: is required", true));
  EXPECT_TRUE(bad_request_with(normalize(R"({"id":"e","createdAt":1,"data":{}})"),
                               "field type: is required", true));
  EXPECT_TRUE(bad_request_with(normalize(R"({"id":"e","createdAt":1,"type":"message.sent"})"),
                               "field data: is required", true));
  EXPECT_TRUE(
      bad_request_with(normalize(R"({"id":"e","createdAt":1,"type":"message.sent","data":null})"),
                       "field data: is required", true));
  EXPECT_TRUE(bad_request_with(normalize("{}"), "field id: is required", true));
}

TEST(TalkJsNormalizeErrors, WrongEnvelopeTypes) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {R"({"id":7,"createdAt":1,"type":"x","data":{}})",
       "field id: must be a non-empty string, got number"},
      {R"({"id":["e"],"createdAt":1,"type":"x","data":{}})",
       "field id: must be a non-empty string, got array"},
      {R"({"id":"e","createdAt":"1700000000000","type":"x","data":{}})",
       "field createdAt: must be an integer, got string"},
      {R"({"id":"e","createdAt":1.7e12,"type":"x","data":{}})",
       "field createdAt: must be an integer, got number"},
      {R"({"id":"e","createdAt":1,"type":true,"data":{}})",
       "field type: must be a non-empty string, got boolean"},
      {R"({"id":"e","createdAt":1,"type":"x","data":[]})",
       "field data: must be an object, got array"},
      {R"({"id":"e","createdAt":1,"type":"x","data":"{}"})",
       "field data: must be an object, got string"},
  };
  for (const auto& [body, message] : cases) {
    EXPECT_TRUE(bad_request_with(normalize(body), message, true)) << body;
  }
}

TEST(TalkJsNormalizeErrors, EmptyAndOversizedIds) {
  EXPECT_TRUE(bad_request_with(normalize(R"({"id":"","createdAt":1,"type":"x","data":{}})"),
                               "field id: must be a non-empty string", true));
  EXPECT_TRUE(bad_request_with(normalize(R"({"id":"e","createdAt":1,"type":"","data":{}})"),
                               "field type: must be a non-empty string", true));
  const std::string long_id(kMaxIdBytes + 1, 'e');
  EXPECT_TRUE(bad_request_with(
      normalize(R"({"id":")" + long_id + R"(","createdAt":1,"type":"x","data":{}})"),
      "field id: longer than 512 bytes", true));
  const std::string max_id(kMaxIdBytes, 'e');
  EXPECT_EQ(normalized(R"({"id":")" + max_id + R"(","createdAt":1,"type":"x","data":{}})").id,
            "talkjs:event:" + max_id);
}

TEST(TalkJsNormalizeErrors, CreatedAtOutOfRange) {
  for (const std::string_view value :
       {"-1", "9223372036855", "253402300800000", "9223372036854775807", "-9223372036854775808"}) {
    EXPECT_TRUE(bad_request_with(
        normalize(R"({"id":"e","createdAt":)" + std::string(value) + R"(,"type":"x","data":{}})"),
        "field createdAt: must be unix milliseconds"))
        << value;
  }
  EXPECT_TRUE(bad_request_with(normalize(R"({"id":"e","createdAt":18446744073709551615,)"
                                         R"("type":"x","data":{}})"),
                               "field createdAt: must be an integer, got number"));
}

TEST(TalkJsNormalizeErrors, DuplicateKeys) {
  EXPECT_TRUE(bad_request_with(
      normalize(R"({"id":"e","id":"f","createdAt":1,"type":"message.sent","data":{}})"),
      "field id: appears more than once", true));
  EXPECT_TRUE(bad_request_with(
      normalize(R"({"id":"e","createdAt":1,"type":"message.sent","type":"user.created",)"
                R"("data":{}})"),
      "field type: appears more than once", true));
  EXPECT_TRUE(bad_request_with(
      normalize(R"({"id":"e","createdAt":1,"type":"message.sent","data":{"message":)"
                R"({"id":"m","conversationId":"c","text":"a","text":"b"}}})"),
      "field data.message.text: appears more than once", true));
  EXPECT_TRUE(bad_request_with(
      normalize(R"({"id":"e","createdAt":1,"type":"user.created","data":{"user":{"id":"u"},)"
                R"("user":{"id":"v"}}})"),
      "field data.user: appears more than once", true));
}

std::string message_event(std::string_view data_members) {
  return R"({"id":"e","createdAt":1,"type":"message.sent","data":{)" + std::string(data_members) +
         "}}";
}

TEST(TalkJsNormalizeErrors, MessageFieldsNameTheirPath) {
  const std::pair<std::string, std::string_view> cases[] = {
      {message_event(""), "field data.message: is required"},
      {message_event(R"("message":"hi")"), "field data.message: must be an object, got string"},
      {message_event(R"("message":{"conversationId":"c"})"), "field data.message.id: is required"},
      {message_event(R"("message":{"id":5,"conversationId":"c"})"),
       "field data.message.id: must be a non-empty string, got number"},
      {message_event(R"("message":{"id":"m"})"),
       "field data.message.conversationId: is required when data.conversation.id is absent"},
      {message_event(R"("message":{"id":"m","conversationId":"c","text":5})"),
       "field data.message.text: must be a string, got number"},
      {message_event(R"("message":{"id":"m","conversationId":"c","senderId":{}})"),
       "field data.message.senderId: must be a string, got object"},
      {message_event(R"("message":{"id":"m","conversationId":"c","type":1})"),
       "field data.message.type: must be a string, got number"},
      {message_event(R"("message":{"id":"m","conversationId":"c","createdAt":"now"})"),
       "field data.message.createdAt: must be an integer, got string"},
      {message_event(R"("message":{"id":"m","conversationId":"c","createdAt":-5})"),
       "field data.message.createdAt: must be unix milliseconds between 0 and "
       "9223372036854, got -5"},
      {message_event(R"("message":{"id":"m","conversationId":"c","attachment":"x"})"),
       "field data.message.attachment: must be an object, got string"},
      {message_event(R"("message":{"id":"m","conversationId":"c","attachment":{"size":1}})"),
       "field data.message.attachment.url: is required"},
      {message_event(R"("sender":"u","message":{"id":"m","conversationId":"c"})"),
       "field data.sender: must be an object, got string"},
      {message_event(R"("sender":{"id":8},"message":{"id":"m","conversationId":"c"})"),
       "field data.sender.id: must be a string, got number"},
      {message_event(R"("conversation":[],"message":{"id":"m","conversationId":"c"})"),
       "field data.conversation: must be an object, got array"},
      {message_event(R"("conversation":{"id":1},"message":{"id":"m","conversationId":"c"})"),
       "field data.conversation.id: must be a string, got number"},
  };
  for (const auto& [body, message] : cases) {
    EXPECT_TRUE(bad_request_with(normalize(body), message, true)) << body;
  }
}

TEST(TalkJsNormalizeErrors, MessageReadRecipient) {
  const std::string body =
      R"({"id":"e","createdAt":1,"type":"message.read","data":{"recipient":{"id":12081},)"
      R"("message":{"id":"m","conversationId":"c"}}})";
  EXPECT_TRUE(bad_request_with(normalize(body),
                               "field data.recipient.id: must be a string, got number", true));
}

TEST(TalkJsNormalizeErrors, OversizedFields) {
  const std::string url(kMaxUrlBytes + 1, 'u');
  EXPECT_TRUE(bad_request_with(
      normalize(message_event(R"("message":{"id":"m","conversationId":"c","attachment":)"
                              R"({"url":")" +
                              url + R"("}})")),
      "field data.message.attachment.url: longer than 4096 bytes", true));
  const std::string id(kMaxIdBytes + 1, 'i');
  EXPECT_TRUE(bad_request_with(
      normalize(message_event(R"("message":{"id":"m","conversationId":")" + id + R"("})")),
      "field data.message.conversationId: longer than 512 bytes", true));
}

std::string user_event(std::string_view user_json) {
  return R"({"id":"e","createdAt":1,"type":"user.updated","data":{"user":)" +
         std::string(user_json) + "}}";
}

TEST(TalkJsNormalizeErrors, UserFieldsNameTheirPath) {
  const std::pair<std::string, std::string_view> cases[] = {
      {R"({"id":"e","createdAt":1,"type":"user.created","data":{}})",
       "field data.user: is required"},
      {user_event(R"({"name":"Alice"})"), "field data.user.id: is required"},
      {user_event(R"({"id":""})"), "field data.user.id: must be a non-empty string"},
      {user_event(R"({"id":12081})"), "field data.user.id: must be a non-empty string, got number"},
      {user_event(R"({"id":"u","email":5})"),
       "field data.user.email: must be a string, an array of strings or null, got number"},
      {user_event(R"({"id":"u","email":{"a":"b"}})"),
       "field data.user.email: must be a string, an array of strings or null, got object"},
      {user_event(R"({"id":"u","email":["a@example.com",5]})"),
       "field data.user.email[1]: must be a string, got number"},
      {user_event(R"({"id":"u","email":[null]})"),
       "field data.user.email[0]: must be a string, got null"},
      {user_event(R"({"id":"u","email":")" + std::string(kMaxIdBytes + 1, 'e') + R"("})"),
       "field data.user.email: longer than 512 bytes"},
  };
  for (const auto& [body, message] : cases) {
    EXPECT_TRUE(bad_request_with(normalize(body), message, true)) << body;
  }
}

// Display fields are optional: an unusable value is dropped with a warning, never a 400.
TEST(TalkJsNormalize, UnusableOptionalFieldsAreDroppedWithAWarning) {
  const std::pair<std::string, std::string_view> cases[] = {
      {message_event(R"("message":{"id":"m","conversationId":"c","attachment":{"url":"u",)"
                     R"("filename":3}})"),
       "data.message.attachment.filename"},
      {message_event(R"("sender":{"role":["a"]},"message":{"id":"m","conversationId":"c"})"),
       "data.sender.role"},
      {message_event(R"("sender":{"photoUrl":true},"message":{"id":"m","conversationId":"c"})"),
       "data.sender.photoUrl"},
      {message_event(R"("conversation":{"subject":1},"message":{"id":"m","conversationId":"c"})"),
       "data.conversation.subject"},
      {user_event(R"({"id":"u","name":1})"), "data.user.name"},
      {user_event(R"({"id":"u","photoUrl":[]})"), "data.user.photoUrl"},
      {user_event(R"({"id":"u","role":false})"), "data.user.role"},
  };
  for (const auto& [body, field] : cases) {
    const auto result = normalize(body);
    ASSERT_TRUE(result.ok()) << body << ": " << result.error().message;
    ASSERT_EQ(result.value().field_warnings.size(), 1u) << body;
    EXPECT_EQ(result.value().field_warnings[0].field, field);
  }
}

TEST(TalkJsNormalizeErrors, NotificationFieldsNameTheirPath) {
  auto notification = [](std::string_view data) {
    return R"({"id":"e","createdAt":1,"type":"notification.sent","data":{)" + std::string(data) +
           "}}";
  };
  const std::pair<std::string, std::string_view> cases[] = {
      {notification(R"("notificationId":7)"),
       "field data.notificationId: must be a string, got number"},
      {notification(R"("notification":"n")"),
       "field data.notification: must be an object, got string"},
      {notification(R"("recipient":{"id":[]})"),
       "field data.recipient.id: must be a string, got array"},
      {notification(R"("conversation":{"id":{}})"),
       "field data.conversation.id: must be a string, got object"},
  };
  for (const auto& [body, message] : cases) {
    EXPECT_TRUE(bad_request_with(normalize(body), message, true)) << body;
  }
}

TEST(TalkJsNormalizeErrors, ConversationDeletedWrongType) {
  EXPECT_TRUE(
      bad_request_with(normalize(R"({"id":"e","createdAt":1,"type":"conversation.deleted","data":)"
                                 R"({"conversation":"order_391_fc"}})"),
                       "field data.conversation: must be an object, got string", true));
}

TEST(TalkJsNormalizeErrors, UnreadFieldsMayHaveAnyType) {
  // Only fields parley reads are checked; TalkJS may change the rest freely.
  const auto event = normalized(message_event(
      R"("sender":{"id":"u","email":7,"custom":"x"},"messages":5,)"
      R"("message":{"id":"m","conversationId":"c","readBy":{},"origin":1,"location":"here",)"
      R"("editedAt":"yesterday","custom":[]})"));
  EXPECT_EQ(event.partition_key, "talkjs:c");
}

// --- answers ---

TEST(TalkJsAnswers, NameAndIds) {
  const auto source = make_source();
  EXPECT_EQ(source.name(), "talkjs");
  EXPECT_TRUE(source.deterministic_ids());
}

TEST(TalkJsAnswers, AcceptedBody) {
  EXPECT_EQ(make_source().accepted_body(), R"({"status":"ok"})");
}

TEST(TalkJsAnswers, ErrorBody) {
  const auto source = make_source();
  EXPECT_EQ(source.error_body(Error{sources::Errc::invalid, "field data.message.id: is required"}),
            R"({"error":"field data.message.id: is required"})");
  EXPECT_EQ(source.error_body(Error{sources::Errc::unauthorized, ""}), R"({"error":""})");
  EXPECT_EQ(source.error_body(Error{sources::Errc::invalid, "bad \"x\" \\ here\nnext\x01"}),
            R"({"error":"bad \"x\" \\ here\nnext\u0001"})");
}

TEST(TalkJsAnswers, ErrorBodyOfARealErrorIsValidJson) {
  const auto source = make_source();
  const auto result = normalize(message_event(R"("message":{"id":"m","conversationId":"c",)"
                                              R"("text":5})"));
  ASSERT_FALSE(result.ok());
  const std::string body = source.error_body(result.error());
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
  std::string_view message;
  ASSERT_EQ(root["error"].get(message), simdjson::SUCCESS);
  EXPECT_EQ(message, "field data.message.text: must be a string, got number");
}

// --- ids and keys parley chose to accept ---

std::string talkjs_event(std::string_view id, std::string_view type, std::string_view data) {
  return R"({"id":")" + std::string(id) + R"(","createdAt":1700000000000,"type":")" +
         std::string(type) + R"(","data":)" + std::string(data) + "}";
}

TEST(TalkJsIds, AnEventIdCannotTakeTheIdOfAMessage) {
  // A user.created whose event id is "message:m_victim2" must not take the id of the
  // message.sent of m_victim2: consumers (and parley's dedupe) would drop that message.
  const auto forged =
      normalized(talkjs_event("message:m_victim2", "user.created", R"({"user":{"id":"12081"}})"));
  const auto real = normalized(talkjs_event(
      "evt_real", "message.sent", R"({"message":{"id":"m_victim2","conversationId":"c1"}})"));
  EXPECT_EQ(forged.id, "talkjs:event:message:m_victim2");
  EXPECT_EQ(real.id, "talkjs:message:m_victim2");
  EXPECT_NE(forged.id, real.id);
  for (const std::string_view type :
       {"message.updated", "message.deleted", "message.read", "conversation.deleted",
        "notification.sent", "something.new"}) {
    const auto other = normalized(talkjs_event(
        "message:m_victim2", type,
        R"({"message":{"id":"m_victim2","conversationId":"c1"},"conversation":{"id":"c1"}})"));
    EXPECT_EQ(other.id, "talkjs:event:message:m_victim2") << type;
  }
}

TEST(TalkJsKeys, ControlCharactersInKeyFieldsAreRefusedNamingTheField) {
  struct Case {
    std::string body;
    std::string_view message;
  };
  const Case cases[] = {
      {talkjs_event(R"(evt\u001b[2J)", "conversation.deleted", R"({"conversation":{"id":"c"}})"),
       "field id: contains a control character (U+001B) at byte 3"},
      {talkjs_event("e", "conversation.deleted", R"({"conversation":{"id":"c1\r\nX: y"}})"),
       "field data.conversation.id: contains a control character (U+000D) at byte 2"},
      {talkjs_event("e", "message.sent", R"({"message":{"id":"m","conversationId":"c\n"}})"),
       "field data.message.conversationId: contains a control character (U+000A) at byte 1"},
      {talkjs_event("e", "message.sent", R"({"message":{"id":"m\u0085","conversationId":"c"}})"),
       "field data.message.id: contains a control character (U+0085) at byte 1"},
      {talkjs_event("e", "user.created", R"({"user":{"id":"12081\u202e"}})"),
       "field data.user.id: contains a control character (U+202E) at byte 5"},
      {talkjs_event("e", "notification.bounced", R"({"recipient":{"id":"\u2066u"}})"),
       "field data.recipient.id: contains a control character (U+2066) at byte 0"},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(bad_request_with(normalize(c.body), c.message, true)) << c.body;
  }
}

TEST(TalkJsKeys, AnUnmappedEventIgnoresAKeyWithControlCharacters) {
  // Unknown types are never refused: a conversation id parley cannot use is not used.
  const auto event = normalized(
      talkjs_event("evt_u", "something.new", R"({"conversation":{"id":"c\u001b"},"x":1})"));
  EXPECT_EQ(event.type, events::type::kPlatformUnmapped);
  EXPECT_EQ(event.data.conversation.id, "");
  EXPECT_EQ(event.partition_key, "talkjs:event:evt_u");
  EXPECT_TRUE(contains(event.data.raw_json, R"("c\u001b")"));
}

// --- numbers and raw ---

TEST(TalkJsNumbers, NumbersBeyondSixtyFourBitsInUnreadFieldsAreAccepted) {
  const std::string body = talkjs_event(
      "evt_big", "message.sent",
      R"({"message":{"id":"m1","conversationId":"c1","custom":{"n":123456789012345678901234567890}},)"
      R"("conversation":{"id":"c1","custom":{"f":1e400,"g":-99999999999999999999}}})");
  const auto event = normalized(body);
  EXPECT_EQ(event.id, "talkjs:message:m1");
  EXPECT_EQ(event.data.raw_json, body);
  const std::string json = events::to_json(event);  // still JSON, the numbers as sent
  EXPECT_TRUE(parse_object(json).ok()) << json;
  EXPECT_TRUE(contains(json, R"("n":123456789012345678901234567890})")) << json;
  EXPECT_TRUE(contains(json, R"("f":1e400,"g":-99999999999999999999})")) << json;
}

TEST(TalkJsNumbers, ARequiredNumberBeyondSixtyFourBitsIsRefusedNamingIt) {
  EXPECT_TRUE(bad_request_with(
      normalize(R"({"id":"e","createdAt":123456789012345678901234567890,"type":"x","data":{}})"),
      "field createdAt: must be an integer, got number outside the 64-bit integer range", true));
}

TEST(TalkJsRaw, IsTheBodyByteForByte) {
  const std::string body =
      "\n  " +
      talkjs_event("evt_raw", "conversation.deleted",
                   R"({"conversation":{"id":"c1"},"a":-0,"b":1E2,"c":1.50,"d":"\u00e9\/"})") +
      "\r\n";
  const auto event = normalized(body);
  EXPECT_EQ(event.data.raw_json, body.substr(3, body.size() - 5));
  EXPECT_TRUE(contains(events::to_json(event), R"("raw":{"id":"evt_raw",)"))
      << events::to_json(event);
  EXPECT_TRUE(contains(events::to_json(event), R"("a":-0,"b":1E2,"c":1.50,"d":"\u00e9\/"})"));
}

}  // namespace
}  // namespace parley::sources
