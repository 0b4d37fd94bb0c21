#include "parley/platforms/cao/webhook.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parley/common/time.hpp"
#include "parley/events/cloud_event.hpp"
#include "parley/http/message.hpp"
#include "parley/sources/errors.hpp"
#include "parley/sources/json.hpp"
#include "support/platform_samples.hpp"
#include "support/source_assertions.hpp"
#include "support/source_request.hpp"

namespace parley::sources {
namespace {

using testing::bad_request_naming;
using testing::contains;
using testing::describe;
using testing::unauthorized_naming;
namespace beast_http = boost::beast::http;
using Webhook = config::CaoSource::Webhook;

constexpr std::string_view kSeedMessage = testing::kCaoSeedMessage;
constexpr std::string_view kSeedMessageCompact =
    R"({"VisitId":"12617187","SessionId":"abc123456","ConsumerId":"128740954930930",)"
    R"("DateTime":"2015-01-01T00:00:00 ","MessageId":"12345678",)"
    R"("Message":"that was a long message","MediaURL":"https://media.cao.com/images/sbc.png",)"
    R"("AgentName":"Sally Salesperson","AgentImageURL":"https://media.cao.com/images/sally.png"})";
// ... and as the reference prints it: not JSON.
constexpr std::string_view kSeedMessageAsPrinted = R"({
"VisitId":"12617187",
"SessionId":"abc123456",
"ConsumerId":"128740954930930",
"DateTime":"2015-01-01T00:00:00 ",
"MessageId":"12345678",
"Message":"that was a long message",
"MediaURL":"https://media.cao.com/images/sbc.png"
"AgentName":"Sally Salesperson"
"AgentImageURL":"https://media.cao.com/images/sally.png"
})";

// The reference's "Receive Read/Delivery Receipt" sample, comma added, and as printed.
constexpr std::string_view kSeedReceipt = R"({
"VisitId":"12617187",
"SessionId":"abc123456",
"ConsumerId":"128740954930930",
"ExternalMessageId":"29393892",
"MessageId":"987654322",
"MessageStatus":"2"
})";
constexpr std::string_view kSeedReceiptCompact =
    R"({"VisitId":"12617187","SessionId":"abc123456","ConsumerId":"128740954930930",)"
    R"("ExternalMessageId":"29393892","MessageId":"987654322","MessageStatus":"2"})";
constexpr std::string_view kSeedReceiptAsPrinted = R"({
"VisitId":"12617187",
"SessionId":"abc123456"
"ConsumerId":"128740954930930",
"ExternalMessageId":"29393892",
"MessageId":"987654322",
"MessageStatus":"2"
})";
// The reference's "MessageStatus" sample (valid JSON as printed).
constexpr std::string_view kSeedMessageStatus = R"({
 "VisitId":"12272283",
 "ExternalMessageId":"293938293",
 "MessageId":"292020303",
 "MessageStatus":"2",
 "SessionId":"abc123"
})";

// The shared test request, with this platform's seed body and path by default.
struct TestRequest : testing::SourceRequest {
  explicit TestRequest(std::string_view body_text = kSeedMessage)
      : SourceRequest(body_text, "/v1/webhooks/cao/messages") {}
};

std::string base64(std::string_view text, bool padded = true) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= text.size(); i += 3) {
    const unsigned n = static_cast<unsigned char>(text[i]) << 16 |
                       static_cast<unsigned char>(text[i + 1]) << 8 |
                       static_cast<unsigned char>(text[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6)
      out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  const std::size_t rest = text.size() - i;
  if (rest > 0) {
    unsigned n = static_cast<unsigned char>(text[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(text[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    if (rest == 2) out.push_back(kAlphabet[(n >> 6) & 63]);
    if (padded) out.append(rest == 1 ? "==" : "=");
  }
  return out;
}

const Webhook kKeys{.api_keys = {"key-old", "key-new"}};

std::optional<Error> verify_with(const Webhook& webhook,
                                 std::optional<std::string_view> authorization) {
  TestRequest request;
  if (authorization) request.header("Authorization", *authorization);
  return CaoMessages(webhook, true).verify(request.request());
}

std::optional<Error> verify_with(std::optional<std::string_view> authorization) {
  return verify_with(kKeys, authorization);
}

// --- verification ---

TEST(CaoVerify, RawKeyAsCaoDocuments) {
  EXPECT_FALSE(verify_with("Basic key-old")) << describe(verify_with("Basic key-old"));
}

TEST(CaoVerify, StandardBasicWithEmptyPassword) {
  const std::string header = "Basic " + base64("key-old:");
  EXPECT_FALSE(verify_with(header)) << header << ": " << describe(verify_with(header));
}

TEST(CaoVerify, Base64OfTheKeyWithoutColon) {
  const std::string header = "Basic " + base64("key-old");
  EXPECT_FALSE(verify_with(header)) << header << ": " << describe(verify_with(header));
}

TEST(CaoVerify, UnpaddedBase64) {
  for (const char* user : {"key-old:", "key-old", "key-new:"}) {
    const std::string header = "Basic " + base64(user, false);
    EXPECT_FALSE(verify_with(header)) << header << ": " << describe(verify_with(header));
  }
}

TEST(CaoVerify, RotatedKeysAllAccepted) {
  for (const char* key : {"key-old", "key-new"}) {
    for (const std::string& credential :
         {std::string(key), base64(std::string(key) + ":"), base64(key)}) {
      const std::string header = "Basic " + credential;
      EXPECT_FALSE(verify_with(header)) << header;
    }
  }
}

TEST(CaoVerify, SchemeIsCaseInsensitiveAndBlanksAreTolerated) {
  for (const char* header : {"basic key-old", "BASIC key-old", "bAsIc key-old", "Basic  key-old",
                             "Basic\tkey-old", "  Basic key-old  "}) {
    EXPECT_FALSE(verify_with(header)) << "'" << header << "': " << describe(verify_with(header));
  }
}

TEST(CaoVerify, HeaderNameIsCaseInsensitive) {
  TestRequest request;
  request.header("authorization", "Basic key-new");
  EXPECT_FALSE(CaoMessages(kKeys, true).verify(request.request()));
}

TEST(CaoVerify, KeyContainingAColon) {
  const Webhook webhook{.api_keys = {"user:secret"}};
  EXPECT_FALSE(verify_with(webhook, "Basic user:secret"));
  EXPECT_FALSE(verify_with(webhook, "Basic " + base64("user:secret:")));
  EXPECT_FALSE(verify_with(webhook, "Basic " + base64("user:secret")));
  EXPECT_TRUE(unauthorized_naming(verify_with(webhook, "Basic " + base64("user:")),
                                  "not an accepted API key"));
}

TEST(CaoVerify, KeyThatLooksLikeBase64) {
  // A raw key is compared as is even when it also decodes as base64.
  const Webhook webhook{.api_keys = {"QUJDRA=="}};
  EXPECT_FALSE(verify_with(webhook, "Basic QUJDRA=="));
  EXPECT_TRUE(unauthorized_naming(verify_with(webhook, "Basic ABCD"), "not an accepted API key"));
}

TEST(CaoVerify, WrongKeys) {
  const std::vector<std::string> wrong = {
      "key-ol",
      "key-older",
      "KEY-OLD",
      "key-old2",
      "x",
      base64("wrong:"),
      base64("key-old:password"),  // a password is not part of the key
      base64(":key-old"),          // the key as password
      base64("KEY-OLD:"),
      base64("key-old::"),
      base64(":"),
      "key-old:",      // the unencoded user:password form is not the key
      "a2V5LW9sZDo*",  // not base64
      "key-old key-new",
  };
  for (const auto& credential : wrong) {
    const auto error = verify_with("Basic " + credential);
    EXPECT_TRUE(unauthorized_naming(error, "Authorization")) << credential;
    EXPECT_TRUE(unauthorized_naming(error, "not an accepted API key")) << credential;
  }
}

TEST(CaoVerify, WrongKeyMessageIsExact) {
  const auto error = verify_with("Basic nope");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->message, "Authorization: Basic credential is not an accepted API key");
}

TEST(CaoVerify, MissingHeader) {
  const auto error = verify_with(std::nullopt);
  EXPECT_TRUE(unauthorized_naming(error, "Authorization: missing"));
  EXPECT_TRUE(unauthorized_naming(error, "Basic <api key>"));
  EXPECT_TRUE(unauthorized_naming(verify_with(""), "Authorization: missing"));
  EXPECT_TRUE(unauthorized_naming(verify_with("   "), "Authorization: missing"));
}

TEST(CaoVerify, KeyInAnotherHeaderIsNotAccepted) {
  TestRequest request;
  request.header("X-Api-Key", "key-old").header("X-Parley-Token", "key-old");
  EXPECT_TRUE(unauthorized_naming(CaoMessages(kKeys, true).verify(request.request()),
                                  "Authorization: missing"));
}

TEST(CaoVerify, NotTheBasicScheme) {
  for (const char* header : {"Bearer key-old", "key-old", "Basickey-old", "Digest key-old",
                             "Basic-key-old", "Token key-old", "Basic:key-old"}) {
    const auto error = verify_with(header);
    EXPECT_TRUE(unauthorized_naming(error, "Authorization: not the Basic scheme")) << header;
  }
}

TEST(CaoVerify, EmptyCredential) {
  for (const char* header : {"Basic", "Basic ", "basic \t "}) {
    EXPECT_TRUE(
        unauthorized_naming(verify_with(header), "Authorization: Basic credential is empty"))
        << "'" << header << "'";
  }
}

TEST(CaoVerify, AllowUnauthenticatedWithNoKeys) {
  const Webhook open{.allow_unauthenticated = true};
  EXPECT_FALSE(verify_with(open, std::nullopt));
  EXPECT_FALSE(verify_with(open, "Basic anything"));
  EXPECT_FALSE(verify_with(open, "Bearer garbage"));
}

TEST(CaoVerify, AllowUnauthenticatedDoesNotOverrideConfiguredKeys) {
  Webhook webhook = kKeys;
  webhook.allow_unauthenticated = true;
  EXPECT_TRUE(unauthorized_naming(verify_with(webhook, std::nullopt), "Authorization: missing"));
  EXPECT_TRUE(unauthorized_naming(verify_with(webhook, "Basic nope"), "not an accepted"));
  EXPECT_FALSE(verify_with(webhook, "Basic key-new"));
}

TEST(CaoVerify, NothingConfiguredFailsClosed) {
  // The config loader refuses this; the source must not turn it into "accept all".
  const auto error = verify_with(Webhook{}, "Basic anything");
  EXPECT_TRUE(unauthorized_naming(error, "api_keys"));
  EXPECT_TRUE(unauthorized_naming(verify_with(Webhook{}, std::nullopt), "Authorization"));
}

TEST(CaoVerify, ReceiptsVerifyTheSameWay) {
  const CaoReceipts source(kKeys, true);
  const auto check = [&](std::optional<std::string_view> header) {
    TestRequest request(kSeedReceipt);
    if (header) request.header("Authorization", *header);
    return source.verify(request.request());
  };
  EXPECT_FALSE(check("Basic key-old"));
  EXPECT_FALSE(check("Basic " + base64("key-new:")));
  EXPECT_FALSE(check("Basic " + base64("key-new")));
  EXPECT_TRUE(unauthorized_naming(check(std::nullopt), "Authorization: missing"));
  EXPECT_TRUE(unauthorized_naming(check("Bearer key-old"), "not the Basic scheme"));
  EXPECT_TRUE(unauthorized_naming(check("Basic nope"), "not an accepted API key"));
  const Webhook open{.allow_unauthenticated = true};
  TestRequest bare(kSeedReceipt);
  EXPECT_FALSE(CaoReceipts(open, true).verify(bare.request()));
}

// --- messages ---

const auto kReceived =
    std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));

Result<events::CloudEvent, Error> message(std::string_view body, bool include_raw = true) {
  const CaoMessages source(kKeys, include_raw);
  TestRequest request(body);
  return source.normalize(request.request(), kReceived);
}

Result<events::CloudEvent, Error> receipt(std::string_view body, bool include_raw = true) {
  const CaoReceipts source(kKeys, include_raw);
  TestRequest request(body);
  return source.normalize(request.request(), kReceived);
}

TEST(CaoMessage, SeedSample) {
  const auto result = message(kSeedMessage);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const auto& event = result.value();
  EXPECT_EQ(event.id, "cao:message:12345678");
  EXPECT_EQ(event.source, "/parley/cao");
  EXPECT_EQ(event.type, "parley.message.created");
  EXPECT_EQ(event.subject, "12617187");
  EXPECT_EQ(event.time, "2015-01-01T00:00:00.000Z");
  EXPECT_EQ(event.partition_key, "cao:12617187");
  EXPECT_EQ(event.data.platform, "cao");
  EXPECT_EQ(event.data.platform_event, "ReceiveMessage");
  EXPECT_EQ(event.data.conversation.id, "12617187");
  EXPECT_EQ(event.data.conversation.customer_id, "128740954930930");
  EXPECT_EQ(event.data.conversation.session_id, "abc123456");
  ASSERT_TRUE(event.data.message);
  const auto& m = *event.data.message;
  EXPECT_EQ(m.id, "12345678");
  EXPECT_EQ(m.text, "that was a long message");
  EXPECT_EQ(m.author.role, "agent");
  EXPECT_EQ(m.author.id, "");
  EXPECT_EQ(m.author.name, "Sally Salesperson");
  EXPECT_EQ(m.author.avatar_url, "https://media.cao.com/images/sally.png");
  EXPECT_EQ(m.sent_at, "2015-01-01T00:00:00.000Z");
  ASSERT_EQ(m.attachments.size(), 1u);
  EXPECT_EQ(m.attachments[0].url, "https://media.cao.com/images/sbc.png");
  EXPECT_EQ(m.attachments[0].name, "");
  EXPECT_FALSE(event.data.receipt);
  // raw is the body as received (its line breaks too), not a serialization of it.
  EXPECT_EQ(event.data.raw_json, kSeedMessage);
  EXPECT_NE(event.data.raw_json, kSeedMessageCompact);
}

TEST(CaoMessage, SeedSampleAsPrintedIsNotJson) {
  EXPECT_TRUE(bad_request_naming(message(kSeedMessageAsPrinted), {"not valid JSON"}));
}

TEST(CaoMessage, TimeIsTheMessageDateNotTheReceiveTime) {
  const auto result =
      message(R"({"VisitId":1,"MessageId":2,"DateTime":"6/15/2015 4:13 PM","Message":"hi"})");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().time, "2015-06-15T16:13:00.000Z");
  EXPECT_EQ(result.value().data.message->sent_at, "2015-06-15T16:13:00.000Z");
  EXPECT_NE(result.value().time, format_rfc3339(kReceived));
}

TEST(CaoMessage, BothDateFormats) {
  const std::pair<const char*, const char*> cases[] = {
      {"6/15/2015 4:13 PM", "2015-06-15T16:13:00.000Z"},
      {"6/15/2015 4:13:05 PM", "2015-06-15T16:13:05.000Z"},
      {"12/1/2015 12:05 AM", "2015-12-01T00:05:00.000Z"},
      {"2015-01-01T00:00:00 ", "2015-01-01T00:00:00.000Z"},
      {"2015-06-15T16:13:05.123Z", "2015-06-15T16:13:05.123Z"},
      {"2015-06-15T18:13:05+02:00", "2015-06-15T16:13:05.000Z"},
  };
  for (const auto& [date, expected] : cases) {
    const auto result = message(std::string(R"({"VisitId":"1","MessageId":"2","DateTime":")") +
                                date + R"(","Message":"hi"})");
    ASSERT_TRUE(result.ok()) << date << ": " << result.error().message;
    EXPECT_EQ(result.value().time, expected) << date;
    EXPECT_EQ(result.value().data.message->sent_at, expected) << date;
    // The original text stays in raw.
    EXPECT_TRUE(contains(result.value().data.raw_json, std::string("\"") + date + "\"")) << date;
  }
}

TEST(CaoMessage, DateErrors) {
  const auto with_date = [](std::string_view date) {
    return message(std::string(R"({"VisitId":"1","MessageId":"2","DateTime":")") +
                   std::string(date) + R"(","Message":"hi"})");
  };
  const auto unrecognized = with_date("Jan 1 2015");
  ASSERT_FALSE(unrecognized.ok());
  EXPECT_EQ(unrecognized.error().code, sources::Errc::invalid);
  EXPECT_EQ(unrecognized.error().message,
            "field DateTime: unrecognized date 'Jan 1 2015'; expected M/D/YYYY h:mm AM/PM or "
            "YYYY-MM-DDThh:mm:ss");
  EXPECT_TRUE(bad_request_naming(with_date("2/30/2016 1:00 PM"),
                                 {"field DateTime: invalid date '2/30/2016 1:00 PM'", "day 30"}));
  EXPECT_TRUE(bad_request_naming(with_date("13/1/2015 1:00 PM"), {"field DateTime", "month 13"}));
  EXPECT_TRUE(bad_request_naming(with_date("1/1/2015 13:00 PM"), {"field DateTime", "hour 13"}));
  EXPECT_TRUE(bad_request_naming(with_date("2015-01-01T24:00:00"), {"field DateTime", "hour 24"}));
  EXPECT_TRUE(
      bad_request_naming(with_date("2015-01-01T00:60:00"), {"field DateTime", "minute 60"}));
  EXPECT_TRUE(
      bad_request_naming(with_date("2015-01-01T00:00:60"), {"field DateTime", "second 60"}));
  EXPECT_TRUE(bad_request_naming(with_date("2015-01-01T00:00:00+25:00"),
                                 {"field DateTime", "offset hour 25"}));
  EXPECT_TRUE(bad_request_naming(with_date("0001-01-01T00:00:00"), {"field DateTime", "year 1 "}));
  EXPECT_TRUE(bad_request_naming(with_date(" "), {"field DateTime: unrecognized date ' '"}));
}

TEST(CaoMessage, IdsAsNumbers) {
  const auto result = message(
      R"({"VisitId":12617187,"SessionId":123456,"ConsumerId":128740954930930,)"
      R"("DateTime":"2015-01-01T00:00:00","MessageId":18446744073709551615,"Message":"hi"})");
  ASSERT_TRUE(result.ok()) << result.error().message;
  const auto& event = result.value();
  EXPECT_EQ(event.id, "cao:message:18446744073709551615");
  EXPECT_EQ(event.subject, "12617187");
  EXPECT_EQ(event.partition_key, "cao:12617187");
  EXPECT_EQ(event.data.conversation.id, "12617187");
  EXPECT_EQ(event.data.conversation.session_id, "123456");
  EXPECT_EQ(event.data.conversation.customer_id, "128740954930930");
  EXPECT_EQ(event.data.message->id, "18446744073709551615");
}

TEST(CaoMessage, IdsAsStringsAndNumbersGiveTheSameEvent) {
  const auto as_strings = message(
      R"({"VisitId":"5125890558","MessageId":"52369887","DateTime":"2015-01-01T00:00:00","Message":"x"})");
  const auto as_numbers = message(
      R"({"VisitId":5125890558,"MessageId":52369887,"DateTime":"2015-01-01T00:00:00","Message":"x"})");
  ASSERT_TRUE(as_strings.ok()) << as_strings.error().message;
  ASSERT_TRUE(as_numbers.ok()) << as_numbers.error().message;
  EXPECT_EQ(as_strings.value().id, as_numbers.value().id);
  EXPECT_EQ(as_strings.value().partition_key, as_numbers.value().partition_key);
  EXPECT_EQ(as_strings.value().id, "cao:message:52369887");
}

TEST(CaoMessage, RedeliveryHasTheSameId) {
  const auto first = message(kSeedMessage);
  const auto second = message(kSeedMessage);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first.value().id, second.value().id);
  EXPECT_TRUE(CaoMessages(kKeys, true).deterministic_ids());
}

constexpr std::string_view kMinimalPrefix =
    R"({"VisitId":"1","MessageId":"2","DateTime":"2015-01-01T00:00:00","Message":"hi")";

std::string minimal_with(std::string_view extra_members) {
  return std::string(kMinimalPrefix) + (extra_members.empty() ? "" : ",") +
         std::string(extra_members) + "}";
}

TEST(CaoMessage, AgentImageUrlSpellings) {
  const auto lower = message(minimal_with(R"("AgentImageUrl":"https://x/a.png")"));
  ASSERT_TRUE(lower.ok()) << lower.error().message;
  EXPECT_EQ(lower.value().data.message->author.avatar_url, "https://x/a.png");

  const auto upper = message(minimal_with(R"("AgentImageURL":"https://x/b.png")"));
  ASSERT_TRUE(upper.ok()) << upper.error().message;
  EXPECT_EQ(upper.value().data.message->author.avatar_url, "https://x/b.png");

  const auto both_same = message(
      minimal_with(R"("AgentImageUrl":"https://x/c.png","AgentImageURL":"https://x/c.png")"));
  ASSERT_TRUE(both_same.ok()) << both_same.error().message;
  EXPECT_EQ(both_same.value().data.message->author.avatar_url, "https://x/c.png");

  // An empty spelling is no image; the other one wins.
  const auto one_empty =
      message(minimal_with(R"("AgentImageUrl":"","AgentImageURL":"https://x/d.png")"));
  ASSERT_TRUE(one_empty.ok()) << one_empty.error().message;
  EXPECT_EQ(one_empty.value().data.message->author.avatar_url, "https://x/d.png");
  const auto other_null =
      message(minimal_with(R"("AgentImageUrl":"https://x/e.png","AgentImageURL":null)"));
  ASSERT_TRUE(other_null.ok()) << other_null.error().message;
  EXPECT_EQ(other_null.value().data.message->author.avatar_url, "https://x/e.png");
}

TEST(CaoMessage, AgentImageUrlSpellingsThatDisagree) {
  // The field table's spelling wins; the message is kept and the conflict is a warning.
  const auto result = message(
      minimal_with(R"("AgentImageUrl":"https://x/a.png","AgentImageURL":"https://x/b.png")"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().data.message->author.avatar_url, "https://x/a.png");
  ASSERT_EQ(result.value().field_warnings.size(), 1u);
  EXPECT_EQ(result.value().field_warnings[0].field, "AgentImageURL");
  EXPECT_TRUE(contains(result.value().field_warnings[0].problem, "AgentImageUrl used"));
  EXPECT_TRUE(contains(result.value().data.raw_json, "https://x/b.png"));  // kept in raw
}

TEST(CaoMessage, OnlyRequiredFields) {
  const auto result = message(minimal_with(""));
  ASSERT_TRUE(result.ok()) << result.error().message;
  const auto& event = result.value();
  EXPECT_EQ(event.data.conversation.customer_id, "");
  EXPECT_EQ(event.data.conversation.session_id, "");
  const auto& m = *event.data.message;
  EXPECT_EQ(m.text, "hi");
  EXPECT_EQ(m.author.role, "agent");
  EXPECT_EQ(m.author.name, "");
  EXPECT_EQ(m.author.avatar_url, "");
  EXPECT_TRUE(m.attachments.empty());

  const std::string json = events::to_json(event);
  for (const char* absent : {"customerId", "sessionId", "avatarUrl", "\"name\"", "\"url\""}) {
    EXPECT_FALSE(contains(json, absent)) << absent << " in " << json;
  }
}

TEST(CaoMessage, NullOptionalsAreAbsent) {
  const auto result =
      message(minimal_with(R"("SessionId":null,"ConsumerId":null,"MediaURL":null,"AgentName":null,)"
                           R"("AgentImageUrl":null,"AgentImageURL":null)"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().data.conversation.session_id, "");
  EXPECT_EQ(result.value().data.conversation.customer_id, "");
  EXPECT_TRUE(result.value().data.message->attachments.empty());
  EXPECT_EQ(result.value().data.message->author.name, "");
}

TEST(CaoMessage, EmptyMediaUrlIsNoAttachment) {
  const auto result = message(minimal_with(R"("MediaURL":"")"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result.value().data.message->attachments.empty());
}

TEST(CaoMessage, EmptyMessageWithMedia) {
  const auto result =
      message(R"({"VisitId":"1","MessageId":"2","DateTime":"2015-01-01T00:00:00","Message":"",)"
              R"("MediaURL":"https://media.cao.com/images/sbc.png"})");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().data.message->text, "");
  ASSERT_EQ(result.value().data.message->attachments.size(), 1u);
  EXPECT_EQ(result.value().data.message->attachments[0].url,
            "https://media.cao.com/images/sbc.png");
  EXPECT_FALSE(contains(events::to_json(result.value()), "\"text\""));
}

TEST(CaoMessage, EmptyMessageWithoutMedia) {
  for (const char* media : {"", R"(,"MediaURL":"")", R"(,"MediaURL":null)"}) {
    const auto result = message(
        std::string(
            R"({"VisitId":"1","MessageId":"2","DateTime":"2015-01-01T00:00:00","Message":"")") +
        media + "}");
    EXPECT_TRUE(bad_request_naming(result, {"field Message", "non-empty", "MediaURL"})) << media;
  }
}

TEST(CaoMessage, MissingMessageIsRefusedEvenWithMedia) {
  const auto result = message(
      R"({"VisitId":"1","MessageId":"2","DateTime":"2015-01-01T00:00:00","MediaURL":"https://x"})");
  EXPECT_TRUE(bad_request_naming(result, {"field Message", "is required"}));
}

TEST(CaoMessage, TextLongerThanTheOldCapIsKept) {
  // Only limits.max_body_bytes bounds the text: 256 KiB + 1 was refused before.
  const std::string long_text(262145, 'a');
  const auto ok = message(
      std::string(
          R"({"VisitId":"1","MessageId":"2","DateTime":"2015-01-01T00:00:00","Message":")") +
      long_text + "\"}");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok.value().data.message->text.size(), long_text.size());
  EXPECT_TRUE(ok.value().field_warnings.empty());
}

TEST(CaoMessage, TextIsKeptExactly) {
  const auto result = message(R"({"VisitId":"1","MessageId":"2","DateTime":"2015-01-01T00:00:00",)"
                              R"("Message":"line 1\nline \"2\" caf\u00e9 \ud83d\ude00 \u0001"})");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().data.message->text,
            "line 1\nline \"2\" caf\xc3\xa9 \xf0\x9f\x98\x80 \x01");
}

TEST(CaoMessage, LongOptionalFieldsAreKept) {
  const std::string long_url = "\"https://x/" + std::string(8192, 'u') + "\"";
  for (const char* field : {"MediaURL", "AgentImageUrl", "AgentImageURL", "AgentName"}) {
    const auto result = message(minimal_with("\"" + std::string(field) + "\":" + long_url));
    ASSERT_TRUE(result.ok()) << field << ": " << result.error().message;
    EXPECT_TRUE(result.value().field_warnings.empty()) << field;
  }
  // Ids stay capped: they become keys and event ids.
  EXPECT_EQ(message(minimal_with("\"SessionId\":\"" + std::string(kMaxIdBytes + 1, 's') + "\""))
                .value()
                .field_warnings.at(0)
                .field,
            "SessionId");
}

TEST(CaoMessage, UnknownFieldsAreKeptInRaw) {
  const auto result = message(minimal_with(R"("Extra":{"a":[1,2.5,null,true]},"N":7)"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(contains(result.value().data.raw_json, R"("Extra":{"a":[1,2.5,null,true]},"N":7)"));
}

TEST(CaoMessage, IncludeRawFalseOmitsRaw) {
  const auto result = message(kSeedMessage, false);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result.value().data.raw_json.empty());
  EXPECT_FALSE(contains(events::to_json(result.value()), "\"raw\""));
  EXPECT_EQ(result.value().data.message->text, "that was a long message");
}

TEST(CaoMessage, EventJsonHasTheFields) {
  const auto result = message(kSeedMessage);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const std::string json = events::to_json(result.value());
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  const std::pair<const char*, const char*> expected[] = {
      {"/specversion", "1.0"},
      {"/id", "cao:message:12345678"},
      {"/source", "/parley/cao"},
      {"/type", "parley.message.created"},
      {"/subject", "12617187"},
      {"/time", "2015-01-01T00:00:00.000Z"},
      {"/partitionkey", "cao:12617187"},
      {"/data/platform", "cao"},
      {"/data/platformEvent", "ReceiveMessage"},
      {"/data/conversation/id", "12617187"},
      {"/data/conversation/customerId", "128740954930930"},
      {"/data/conversation/sessionId", "abc123456"},
      {"/data/message/id", "12345678"},
      {"/data/message/text", "that was a long message"},
      {"/data/message/author/role", "agent"},
      {"/data/message/author/name", "Sally Salesperson"},
      {"/data/message/author/avatarUrl", "https://media.cao.com/images/sally.png"},
      {"/data/message/sentAt", "2015-01-01T00:00:00.000Z"},
      {"/data/message/attachments/0/url", "https://media.cao.com/images/sbc.png"},
      {"/data/raw/DateTime", "2015-01-01T00:00:00 "},
      {"/data/raw/AgentImageURL", "https://media.cao.com/images/sally.png"},
  };
  for (const auto& [pointer, value] : expected) {
    std::string_view actual;
    ASSERT_EQ(root.at_pointer(pointer).get(actual), simdjson::SUCCESS) << pointer << " in " << json;
    EXPECT_EQ(actual, value) << pointer;
  }
  simdjson::dom::array attachments;
  ASSERT_EQ(root.at_pointer("/data/message/attachments").get(attachments), simdjson::SUCCESS);
  EXPECT_EQ(attachments.size(), 1u);
  EXPECT_EQ(root.at_pointer("/data/receipt").error(), simdjson::NO_SUCH_FIELD);
}

// --- message validation ---

TEST(CaoMessageErrors, InvalidJson) {
  for (const std::string_view body :
       {R"({"VisitId": })", R"({"VisitId":"1" "MessageId":"2"})", R"({VisitId:"1"})",
        R"({"VisitId":"1",})", "", "nope", R"({"VisitId":"1"} trailing)"}) {
    EXPECT_TRUE(bad_request_naming(message(body), {"not valid JSON"})) << body;
  }
}

TEST(CaoMessageErrors, TopLevelMustBeAnObject) {
  for (const std::string_view body : {"[]", R"("x")", "42", "null", "true"}) {
    EXPECT_TRUE(bad_request_naming(message(body), {"must be a JSON object"})) << body;
  }
}

TEST(CaoMessageErrors, EmptyObjectNamesVisitId) {
  EXPECT_TRUE(bad_request_naming(message("{}"), {"field VisitId", "is required"}));
}

// The four required members with `field` set to `json_value` verbatim, or left out when
// `json_value` is empty.
std::string message_with(std::string_view field, std::string_view json_value) {
  std::string body = "{";
  for (const auto& [name, value] :
       {std::pair<std::string_view, std::string_view>{"VisitId", R"("12617187")"},
        {"MessageId", R"("12345678")"},
        {"DateTime", R"("6/15/2015 4:13 PM")"},
        {"Message", R"("hello")"}}) {
    const auto chosen = name == field ? json_value : value;
    if (chosen.empty()) continue;
    if (body.size() > 1) body += ",";
    body += "\"" + std::string(name) + "\":" + std::string(chosen);
  }
  if (field != "VisitId" && field != "MessageId" && field != "DateTime" && field != "Message" &&
      !json_value.empty()) {
    body += ",\"" + std::string(field) + "\":" + std::string(json_value);
  }
  return body + "}";
}

TEST(CaoMessageErrors, RequiredFieldsMissing) {
  for (const char* field : {"VisitId", "MessageId", "DateTime", "Message"}) {
    EXPECT_TRUE(bad_request_naming(message(message_with(field, "")),
                                   {"field " + std::string(field), "is required"}))
        << field;
  }
}

TEST(CaoMessageErrors, IdsOfTheWrongType) {
  const std::pair<const char*, const char*> cases[] = {
      {"1.5", "got number"},         {"-1e3", "got number"},   {"{}", "got object"},
      {R"({"id":1})", "got object"}, {"[]", "got array"},      {"[1]", "got array"},
      {"true", "got boolean"},       {"false", "got boolean"}, {"-1", "must not be negative"},
      {R"("")", "non-empty"}};
  for (const char* field : {"VisitId", "MessageId"}) {
    for (const auto& [json_value, problem] : cases) {
      EXPECT_TRUE(bad_request_naming(message(message_with(field, json_value)),
                                     {"field " + std::string(field), problem}))
          << field << " = " << json_value;
    }
  }
  // Optional ids are dropped with a warning naming the problem; the message is kept.
  for (const char* field : {"SessionId", "ConsumerId"}) {
    for (const auto& [json_value, problem] : cases) {
      const auto result = message(message_with(field, json_value));
      ASSERT_TRUE(result.ok()) << field << " = " << json_value << ": " << result.error().message;
      ASSERT_EQ(result.value().field_warnings.size(), 1u) << field << " = " << json_value;
      EXPECT_EQ(result.value().field_warnings[0].field, field);
      EXPECT_TRUE(contains(result.value().field_warnings[0].problem, problem))
          << result.value().field_warnings[0].problem;
    }
  }
  // Required ids: null is missing.
  for (const char* field : {"VisitId", "MessageId"}) {
    EXPECT_TRUE(bad_request_naming(message(message_with(field, "null")),
                                   {"field " + std::string(field), "is required"}));
  }
}

TEST(CaoMessageErrors, StringsOfTheWrongType) {
  const std::pair<const char*, const char*> cases[] = {
      {"12345", "got number"}, {"1.5", "got number"},   {"{}", "got object"},
      {"[]", "got array"},     {"true", "got boolean"}, {"false", "got boolean"}};
  for (const char* field : {"DateTime", "Message"}) {
    for (const auto& [json_value, problem] : cases) {
      EXPECT_TRUE(bad_request_naming(message(message_with(field, json_value)),
                                     {"field " + std::string(field), problem}))
          << field << " = " << json_value;
    }
  }
  // Optional ones are dropped from the event, named in a warning, kept in raw.
  for (const char* field : {"AgentName", "AgentImageUrl", "AgentImageURL"}) {
    for (const auto& [json_value, problem] : cases) {
      const auto result = message(message_with(field, json_value));
      ASSERT_TRUE(result.ok()) << field << " = " << json_value << ": " << result.error().message;
      ASSERT_EQ(result.value().field_warnings.size(), 1u) << field << " = " << json_value;
      EXPECT_EQ(result.value().field_warnings[0].field, field);
      EXPECT_TRUE(contains(result.value().field_warnings[0].problem, problem));
      EXPECT_TRUE(result.value().data.message->author.avatar_url.empty() ||
                  std::string_view(field) == "AgentName");
    }
  }
  // Required strings: null is the wrong type, named.
  EXPECT_TRUE(bad_request_naming(message(message_with("DateTime", "null")),
                                 {"field DateTime", "got null"}));
  EXPECT_TRUE(
      bad_request_naming(message(message_with("Message", "null")), {"field Message", "got null"}));
}

TEST(CaoMessageErrors, EmptyDateTime) {
  EXPECT_TRUE(bad_request_naming(message(message_with("DateTime", R"("")")),
                                 {"field DateTime", "non-empty"}));
}

TEST(CaoMessageErrors, DuplicatedKeys) {
  for (const char* field : {"VisitId", "MessageId", "DateTime", "Message"}) {
    const std::string body = std::string(R"({"VisitId":"1","MessageId":"2",)") +
                             R"("DateTime":"2015-01-01T00:00:00","Message":"hi",")" + field +
                             R"(":"a",")" + field + R"(":"a"})";
    EXPECT_TRUE(bad_request_naming(message(body),
                                   {"field " + std::string(field), "appears more than once"}))
        << body;
  }
}

TEST(CaoMessageErrors, KeyMatchIsCaseSensitive) {
  const auto result =
      message(R"({"visitid":"1","MessageId":"2","DateTime":"2015-01-01T00:00:00","Message":"hi"})");
  EXPECT_TRUE(bad_request_naming(result, {"field VisitId", "is required"}));
}

// --- receipts ---

TEST(CaoReceipt, SeedSample) {
  const auto result = receipt(kSeedReceipt);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const auto& event = result.value();
  EXPECT_EQ(event.id, "cao:receipt:987654322:2");
  EXPECT_EQ(event.source, "/parley/cao");
  EXPECT_EQ(event.type, "parley.message.read");
  EXPECT_EQ(event.subject, "12617187");
  EXPECT_EQ(event.time, "2023-11-14T22:13:20.123Z");  // receipts carry no time
  EXPECT_EQ(event.time, format_rfc3339(kReceived));
  EXPECT_EQ(event.partition_key, "cao:12617187");
  EXPECT_EQ(event.data.platform, "cao");
  EXPECT_EQ(event.data.platform_event, "MessageStatus");
  EXPECT_EQ(event.data.conversation.id, "12617187");
  EXPECT_EQ(event.data.conversation.customer_id, "128740954930930");
  EXPECT_EQ(event.data.conversation.session_id, "abc123456");
  EXPECT_FALSE(event.data.message);
  ASSERT_TRUE(event.data.receipt);
  EXPECT_EQ(event.data.receipt->message_id, "987654322");
  EXPECT_EQ(event.data.receipt->status, "read");
  EXPECT_EQ(event.data.receipt->platform_status, "2");
  EXPECT_EQ(event.data.receipt->external_message_id, "29393892");
  EXPECT_EQ(event.data.receipt->reader_id, "");
  EXPECT_EQ(event.data.raw_json, kSeedReceipt);
  EXPECT_NE(event.data.raw_json, kSeedReceiptCompact);
}

TEST(CaoReceipt, SeedSampleAsPrintedIsNotJson) {
  EXPECT_TRUE(bad_request_naming(receipt(kSeedReceiptAsPrinted), {"not valid JSON"}));
}

TEST(CaoReceipt, MessageStatusSampleOfTheReference) {
  const auto result = receipt(kSeedMessageStatus);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().id, "cao:receipt:292020303:2");
  EXPECT_EQ(result.value().partition_key, "cao:12272283");
  EXPECT_EQ(result.value().data.conversation.session_id, "abc123");
  EXPECT_EQ(result.value().data.conversation.customer_id, "");
  EXPECT_EQ(result.value().data.receipt->external_message_id, "293938293");
}

std::string receipt_with_status(std::string_view json_status) {
  return std::string(R"({"VisitId":"12617187","MessageId":"987654322","MessageStatus":)") +
         std::string(json_status) + "}";
}

struct StatusCase {
  const char* json;
  const char* id;
  const char* type;
  const char* status;
  const char* platform_status;
};

TEST(CaoReceipt, Statuses) {
  const StatusCase cases[] = {
      {R"("0")", "cao:receipt:987654322:0", "parley.message.receipt", "unknown", "0"},
      {R"("1")", "cao:receipt:987654322:1", "parley.message.delivered", "delivered", "1"},
      {R"("2")", "cao:receipt:987654322:2", "parley.message.read", "read", "2"},
      {R"("3")", "cao:receipt:987654322:3", "parley.message.receipt", "unknown", "3"},
      {R"("Read")", "cao:receipt:987654322:Read", "parley.message.receipt", "unknown", "Read"},
      {R"(" 2")", "cao:receipt:987654322: 2", "parley.message.receipt", "unknown", " 2"},
      {"0", "cao:receipt:987654322:0", "parley.message.receipt", "unknown", "0"},
      {"1", "cao:receipt:987654322:1", "parley.message.delivered", "delivered", "1"},
      {"2", "cao:receipt:987654322:2", "parley.message.read", "read", "2"},
      {"42", "cao:receipt:987654322:42", "parley.message.receipt", "unknown", "42"},
      {"-1", "cao:receipt:987654322:-1", "parley.message.receipt", "unknown", "-1"},
      {"18446744073709551615", "cao:receipt:987654322:18446744073709551615",
       "parley.message.receipt", "unknown", "18446744073709551615"},
  };
  for (const auto& c : cases) {
    const auto result = receipt(receipt_with_status(c.json));
    ASSERT_TRUE(result.ok()) << c.json << ": " << result.error().message;
    const auto& event = result.value();
    EXPECT_EQ(event.id, c.id) << c.json;
    EXPECT_EQ(event.type, c.type) << c.json;
    ASSERT_TRUE(event.data.receipt) << c.json;
    EXPECT_EQ(event.data.receipt->status, c.status) << c.json;
    EXPECT_EQ(event.data.receipt->platform_status, c.platform_status) << c.json;
    EXPECT_EQ(event.data.receipt->message_id, "987654322") << c.json;
  }
}

TEST(CaoReceipt, DeliveredAndReadOfOneMessageAreTwoEvents) {
  const auto delivered = receipt(receipt_with_status(R"("1")"));
  const auto read = receipt(receipt_with_status(R"("2")"));
  const auto read_again = receipt(receipt_with_status("2"));
  ASSERT_TRUE(delivered.ok());
  ASSERT_TRUE(read.ok());
  ASSERT_TRUE(read_again.ok());
  EXPECT_NE(delivered.value().id, read.value().id);
  EXPECT_EQ(read.value().id, read_again.value().id);  // "2" and 2 are one status
  EXPECT_EQ(delivered.value().partition_key, read.value().partition_key);
  EXPECT_TRUE(CaoReceipts(kKeys, true).deterministic_ids());
}

TEST(CaoReceipt, IdsAsNumbers) {
  const auto result =
      receipt(R"({"VisitId":12617187,"SessionId":123,"ConsumerId":128740954930930,)"
              R"("ExternalMessageId":29393892,"MessageId":987654322,"MessageStatus":1})");
  ASSERT_TRUE(result.ok()) << result.error().message;
  const auto& event = result.value();
  EXPECT_EQ(event.id, "cao:receipt:987654322:1");
  EXPECT_EQ(event.subject, "12617187");
  EXPECT_EQ(event.data.conversation.session_id, "123");
  EXPECT_EQ(event.data.conversation.customer_id, "128740954930930");
  EXPECT_EQ(event.data.receipt->external_message_id, "29393892");
  EXPECT_EQ(event.type, "parley.message.delivered");
}

TEST(CaoReceipt, OnlyRequiredFields) {
  const auto result = receipt(receipt_with_status(R"("1")"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().data.receipt->external_message_id, "");
  const std::string json = events::to_json(result.value());
  for (const char* absent : {"externalMessageId", "customerId", "sessionId", "\"message\""}) {
    EXPECT_FALSE(contains(json, absent)) << absent << " in " << json;
  }
}

TEST(CaoReceipt, IncludeRawFalseOmitsRaw) {
  const auto result = receipt(kSeedReceipt, false);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result.value().data.raw_json.empty());
  EXPECT_FALSE(contains(events::to_json(result.value()), "\"raw\""));
  EXPECT_EQ(result.value().data.receipt->status, "read");
}

TEST(CaoReceipt, EventJsonHasTheFields) {
  const auto result = receipt(kSeedReceipt);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const std::string json = events::to_json(result.value());
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  const std::pair<const char*, const char*> expected[] = {
      {"/id", "cao:receipt:987654322:2"},
      {"/source", "/parley/cao"},
      {"/type", "parley.message.read"},
      {"/subject", "12617187"},
      {"/time", "2023-11-14T22:13:20.123Z"},
      {"/partitionkey", "cao:12617187"},
      {"/data/platform", "cao"},
      {"/data/platformEvent", "MessageStatus"},
      {"/data/conversation/id", "12617187"},
      {"/data/conversation/customerId", "128740954930930"},
      {"/data/conversation/sessionId", "abc123456"},
      {"/data/receipt/messageId", "987654322"},
      {"/data/receipt/status", "read"},
      {"/data/receipt/platformStatus", "2"},
      {"/data/receipt/externalMessageId", "29393892"},
      {"/data/raw/MessageStatus", "2"},
  };
  for (const auto& [pointer, value] : expected) {
    std::string_view actual;
    ASSERT_EQ(root.at_pointer(pointer).get(actual), simdjson::SUCCESS) << pointer << " in " << json;
    EXPECT_EQ(actual, value) << pointer;
  }
  EXPECT_EQ(root.at_pointer("/data/message").error(), simdjson::NO_SUCH_FIELD);
}

// --- receipt validation ---

TEST(CaoReceiptErrors, MessageStatusOfTheWrongType) {
  const std::pair<const char*, const char*> cases[] = {
      {"{}", "got object"},
      {R"({"status":2})", "got object"},
      {"[]", "got array"},
      {"[2]", "got array"},
      {"true", "got boolean"},
      {"false", "got boolean"},
      {"1.5", "got a non-integer number"},
      {"2.0", "got a non-integer number"},
      {"1e0", "got a non-integer number"},
  };
  for (const auto& [json_value, problem] : cases) {
    EXPECT_TRUE(bad_request_naming(
        receipt(receipt_with_status(json_value)),
        {"field MessageStatus", "must be a non-empty string or an integer", problem}))
        << json_value;
  }
}

TEST(CaoReceiptErrors, MessageStatusMissingNullEmptyOrTooLong) {
  EXPECT_TRUE(bad_request_naming(receipt(R"({"VisitId":"1","MessageId":"2"})"),
                                 {"field MessageStatus", "is required"}));
  EXPECT_TRUE(bad_request_naming(receipt(receipt_with_status("null")),
                                 {"field MessageStatus", "is required"}));
  EXPECT_TRUE(bad_request_naming(receipt(receipt_with_status(R"("")")),
                                 {"field MessageStatus", "non-empty"}));
  EXPECT_TRUE(bad_request_naming(
      receipt(receipt_with_status("\"" + std::string(kMaxIdBytes + 1, '2') + "\"")),
      {"field MessageStatus", "longer than 512 bytes"}));
}

TEST(CaoReceiptErrors, RequiredIds) {
  EXPECT_TRUE(bad_request_naming(receipt("{}"), {"field VisitId", "is required"}));
  EXPECT_TRUE(bad_request_naming(receipt(R"({"MessageId":"2","MessageStatus":"1"})"),
                                 {"field VisitId", "is required"}));
  EXPECT_TRUE(bad_request_naming(receipt(R"({"VisitId":"1","MessageStatus":"1"})"),
                                 {"field MessageId", "is required"}));
  EXPECT_TRUE(bad_request_naming(receipt(R"({"VisitId":"","MessageId":"2","MessageStatus":"1"})"),
                                 {"field VisitId", "non-empty"}));
  EXPECT_TRUE(bad_request_naming(receipt(R"({"VisitId":"1","MessageId":1.5,"MessageStatus":"1"})"),
                                 {"field MessageId", "got number"}));
  // Optional ids never cost the receipt: dropped, named in a warning.
  for (const auto& [extra, field] : {std::pair{R"("ExternalMessageId":{})", "ExternalMessageId"},
                                     std::pair{R"("SessionId":true)", "SessionId"},
                                     std::pair{R"("ConsumerId":[])", "ConsumerId"}}) {
    const auto result = receipt(
        std::string(R"({"VisitId":"1","MessageId":"2","MessageStatus":"1",)") + extra + "}");
    ASSERT_TRUE(result.ok()) << extra << ": " << result.error().message;
    ASSERT_EQ(result.value().field_warnings.size(), 1u) << extra;
    EXPECT_EQ(result.value().field_warnings[0].field, field);
  }
  EXPECT_TRUE(bad_request_naming(receipt("{\"VisitId\":\"" + std::string(kMaxIdBytes + 1, '7') +
                                         "\",\"MessageId\":\"2\",\"MessageStatus\":\"1\"}"),
                                 {"field VisitId", "longer than 512 bytes"}));
}

TEST(CaoReceiptErrors, DuplicatedKeys) {
  for (const char* field : {"VisitId", "MessageId", "MessageStatus"}) {
    const std::string body =
        std::string(R"({"VisitId":"1","MessageId":"2","MessageStatus":"1",")") + field +
        R"(":"1",")" + field + R"(":"1"})";
    EXPECT_TRUE(bad_request_naming(receipt(body),
                                   {"field " + std::string(field), "appears more than once"}))
        << body;
  }
}

TEST(CaoReceiptErrors, InvalidJsonAndNonObjects) {
  EXPECT_TRUE(bad_request_naming(receipt(R"({"VisitId":"1",)"), {"not valid JSON"}));
  EXPECT_TRUE(bad_request_naming(receipt(R"([{"VisitId":"1"}])"), {"must be a JSON object"}));
}

TEST(CaoReceiptErrors, AMessageIsNotAReceipt) {
  EXPECT_TRUE(bad_request_naming(receipt(kSeedMessage), {"field MessageStatus", "is required"}));
  EXPECT_TRUE(bad_request_naming(message(kSeedReceipt), {"field DateTime", "is required"}));
}

// --- answers ---

TEST(CaoAnswers, NameAndIds) {
  EXPECT_EQ(CaoMessages(kKeys, true).name(), "cao");
  EXPECT_EQ(CaoReceipts(kKeys, true).name(), "cao");
}

TEST(CaoAnswers, AcceptedBody) {
  EXPECT_EQ(CaoMessages(kKeys, true).accepted_body(), R"({"Status":0,"FailureDescription":""})");
  EXPECT_EQ(CaoReceipts(kKeys, true).accepted_body(), R"({"Status":0,"FailureDescription":""})");
}

TEST(CaoAnswers, ErrorBody) {
  const Error error{sources::Errc::invalid, "field VisitId: is required"};
  EXPECT_EQ(CaoMessages(kKeys, true).error_body(error),
            R"({"Status":1,"FailureDescription":"field VisitId: is required"})");
  EXPECT_EQ(CaoReceipts(kKeys, true).error_body(error),
            R"({"Status":1,"FailureDescription":"field VisitId: is required"})");
  EXPECT_EQ(CaoMessages(kKeys, true).error_body(Error{sources::Errc::unauthorized, ""}),
            R"({"Status":1,"FailureDescription":""})");
}

TEST(CaoAnswers, ErrorBodyEscapesTheMessage) {
  EXPECT_EQ(
      CaoMessages(kKeys, true).error_body(Error{sources::Errc::invalid, "bad \"x\" \\ y\nz\x01"}),
      R"({"Status":1,"FailureDescription":"bad \"x\" \\ y\nz\u0001"})");
}

TEST(CaoAnswers, ErrorBodyOfARealErrorIsValidJson) {
  const auto result = message(message_with("DateTime", R"("6/15/2015 \"soon\"")"));
  ASSERT_FALSE(result.ok());
  const std::string body = CaoMessages(kKeys, true).error_body(result.error());
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
  std::int64_t status = 0;
  ASSERT_EQ(root["Status"].get(status), simdjson::SUCCESS);
  EXPECT_EQ(status, 1);
  std::string_view description;
  ASSERT_EQ(root["FailureDescription"].get(description), simdjson::SUCCESS);
  EXPECT_EQ(description, result.error().message);
  EXPECT_TRUE(contains(description, "unrecognized date '6/15/2015 \"soon\"'")) << description;
}

// --- ids and keys parley chose to accept ---

TEST(CaoKeys, ControlCharactersInKeyFieldsAreRefusedNamingTheField) {
  struct Case {
    std::string body;
    bool is_receipt;
    std::string_view message;
  };
  const Case cases[] = {
      {message_with("VisitId", R"("12617187\r\n")"), false,
       "field VisitId: contains a control character (U+000D) at byte 8"},
      {message_with("MessageId", R"("1\u001b[0m")"), false,
       "field MessageId: contains a control character (U+001B) at byte 1"},
      {R"({"VisitId":"1\u202e2","MessageId":"2","MessageStatus":"2"})", true,
       "field VisitId: contains a control character (U+202E) at byte 1"},
      {R"({"VisitId":"1","MessageId":"2\u0085","MessageStatus":"2"})", true,
       "field MessageId: contains a control character (U+0085) at byte 1"},
      {R"({"VisitId":"1","MessageId":"2","MessageStatus":"2\n"})", true,
       "field MessageStatus: contains a control character (U+000A) at byte 1"},
  };
  for (const auto& c : cases) {
    const auto result = c.is_receipt ? receipt(c.body) : message(c.body);
    ASSERT_FALSE(result.ok()) << c.body;
    EXPECT_EQ(result.error().code, Errc::invalid) << c.body;
    EXPECT_EQ(result.error().message, c.message) << c.body;
  }
}

TEST(CaoKeys, AnOptionalIdWithAControlCharacterIsDroppedWithAWarning) {
  const auto result = message(minimal_with(R"("ConsumerId":"c\u2066","SessionId":"s1")"));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().data.conversation.customer_id, "");
  EXPECT_EQ(result.value().data.conversation.session_id, "s1");
  ASSERT_EQ(result.value().field_warnings.size(), 1u);
  EXPECT_EQ(result.value().field_warnings[0].field, "ConsumerId");
  EXPECT_TRUE(contains(result.value().field_warnings[0].problem, "control character (U+2066)"));
}

TEST(CaoIds, ReceiptIdsOfDifferentMessagesAndStatusesNeverCollide) {
  const auto a = receipt(R"({"VisitId":"1","MessageId":"7:1","MessageStatus":"2"})");
  const auto b = receipt(R"({"VisitId":"1","MessageId":"7","MessageStatus":"1:2"})");
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok()) << b.error().message;
  EXPECT_EQ(a.value().id, "cao:receipt:7%3A1:2");
  EXPECT_EQ(b.value().id, "cao:receipt:7:1:2");
  EXPECT_NE(a.value().id, b.value().id);
  EXPECT_EQ(a.value().data.receipt->message_id, "7:1");  // the data keeps the platform's value
  // Nor can a receipt take a message's id.
  const auto created = message(message_with("MessageId", R"("receipt:7:1")"));
  ASSERT_TRUE(created.ok()) << created.error().message;
  EXPECT_EQ(created.value().id, "cao:message:receipt:7:1");
}

// --- numbers and raw ---

TEST(CaoNumbers, NumbersParleyDoesNotReadNeverRefuseTheWebhook) {
  const std::string body = minimal_with(
      R"("Extra":{"big":123456789012345678901234567890,"inf":1e400},"Neg":-9223372036854775809)");
  const auto result = message(body);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_TRUE(result.value().field_warnings.empty());
  EXPECT_EQ(result.value().data.raw_json, body);
}

TEST(CaoNumbers, AnOptionalIdBeyondSixtyFourBitsIsDroppedWithAWarning) {
  const auto result = receipt(
      R"({"VisitId":"1","MessageId":"2","MessageStatus":"2","ConsumerId":123456789012345678901234567890,)"
      R"("ExternalMessageId":18446744073709551616,"SessionId":"s"})");
  ASSERT_TRUE(result.ok()) << result.error().message;
  const auto& event = result.value();
  EXPECT_EQ(event.data.conversation.customer_id, "");
  EXPECT_EQ(event.data.receipt->external_message_id, "");
  EXPECT_EQ(event.data.conversation.session_id, "s");
  ASSERT_EQ(event.field_warnings.size(), 2u);
  for (const auto& warning : event.field_warnings) {
    EXPECT_TRUE(warning.field == "ConsumerId" || warning.field == "ExternalMessageId")
        << warning.field;
    EXPECT_TRUE(contains(warning.problem, "number outside the 64-bit integer range; dropped"))
        << warning.problem;
  }
  EXPECT_TRUE(contains(event.data.raw_json, "123456789012345678901234567890"));
}

TEST(CaoNumbers, ARequiredIdBeyondSixtyFourBitsIsRefusedNamingIt) {
  EXPECT_TRUE(bad_request_naming(
      receipt(R"({"VisitId":123456789012345678901234567890,"MessageId":"2","MessageStatus":"2"})"),
      {"field VisitId: must be a non-empty string or an integer, got number outside the 64-bit "
       "integer range"}));
  EXPECT_TRUE(bad_request_naming(
      receipt(receipt_with_status("18446744073709551616")),
      {"field MessageStatus: must be a non-empty string or an integer, got number outside the "
       "64-bit integer range"}));
}

TEST(CaoRaw, IsTheReceivedBytesNotAReserialization) {
  const std::string body = minimal_with(R"("A":-0,"B":1E2,"C":1.50,"D":"\u00e9\/")");
  const auto result = message(" " + body + "\n");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().data.raw_json, body);
}

}  // namespace
}  // namespace parley::sources
