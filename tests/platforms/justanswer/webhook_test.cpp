#include "parley/platforms/justanswer/webhook.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <cctype>
#include <chrono>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "parley/common/time.hpp"
#include "parley/events/cloud_event.hpp"
#include "parley/http/message.hpp"
#include "parley/sources/errors.hpp"
#include "support/source_assertions.hpp"
#include "support/source_request.hpp"

namespace parley::sources {
namespace {

using testing::bad_request_naming;
using testing::contains;
using testing::describe;
using testing::unauthorized_naming;
namespace beast_http = boost::beast::http;
using Webhook = config::JustAnswerSource::Webhook;

constexpr std::string_view kSeedExample =
    R"({ "eventType": "1", "questionId": "12345", "userToken": "abcde12345" })";
constexpr std::string_view kSeedCompact =
    R"({"eventType":"1","questionId":"12345","userToken":"abcde12345"})";

// The shared test request, with this platform's seed body and path by default.
struct TestRequest : testing::SourceRequest {
  explicit TestRequest(std::string_view body_text = kSeedExample)
      : SourceRequest(body_text, "/v1/webhooks/justanswer") {}
};

std::vector<Cidr> cidrs(std::initializer_list<std::string_view> texts) {
  std::vector<Cidr> out;
  for (const auto text : texts) {
    auto cidr = Cidr::parse(text);
    if (!cidr) ADD_FAILURE() << "bad test CIDR " << text;
    if (cidr) out.push_back(*cidr);
  }
  return out;
}

std::string signature(std::string_view secret, std::string_view body) {
  return "sha256=" + to_hex(hmac_sha256(secret, body));
}

const Webhook kTokens{.tokens = {"token-old", "token-new"}};
const Webhook kHmac{.hmac_secrets = {"secret-old", "secret-new"}};

// --- verification: tokens ---

TEST(JustAnswerVerify, TokenInHeader) {
  const JustAnswer source(kTokens, true);
  TestRequest request;
  request.header("X-Parley-Token", "token-old");
  EXPECT_FALSE(source.verify(request.request())) << describe(source.verify(request.request()));
}

TEST(JustAnswerVerify, TokenHeaderNameIsCaseInsensitive) {
  const JustAnswer source(kTokens, true);
  TestRequest request;
  request.header("x-parley-token", "token-old");
  EXPECT_FALSE(source.verify(request.request()));
}

TEST(JustAnswerVerify, TokenInQuery) {
  const JustAnswer source(kTokens, true);
  TestRequest request;
  request.query = "token=token-old";
  EXPECT_FALSE(source.verify(request.request()));
}

TEST(JustAnswerVerify, TokenInQueryAmongOtherParameters) {
  const JustAnswer source(kTokens, true);
  TestRequest request;
  request.query = "a=1&token=token-new&b=2";
  EXPECT_FALSE(source.verify(request.request()));
}

TEST(JustAnswerVerify, PercentEncodedQueryToken) {
  const std::string token = "t+k/=&?% \xc3\xa9";
  const JustAnswer source(Webhook{.tokens = {token}}, true);
  TestRequest request;
  request.query = "token=t%2Bk%2F%3D%26%3F%25%20%C3%A9";
  EXPECT_FALSE(source.verify(request.request())) << describe(source.verify(request.request()));

  TestRequest lower_case;
  lower_case.query = "token=t%2bk%2f%3d%26%3f%25+%c3%a9";  // '+' is a space in a query
  EXPECT_FALSE(source.verify(lower_case.request()));

  TestRequest undecoded;
  undecoded.query = "token=t+k/=";  // '+' decodes to ' ', not '+'
  EXPECT_TRUE(unauthorized_naming(source.verify(undecoded.request()), "?token="));
}

TEST(JustAnswerVerify, SimilarlyNamedQueryParameterIsNotTheToken) {
  const JustAnswer source(kTokens, true);
  TestRequest request;
  request.query = "mytoken=token-old&token2=token-old";
  EXPECT_TRUE(unauthorized_naming(source.verify(request.request()), "missing credentials"));
}

TEST(JustAnswerVerify, EmptyTokenHeaderFallsBackToQuery) {
  const JustAnswer source(kTokens, true);
  TestRequest request;
  request.header("X-Parley-Token", "");
  request.query = "token=token-old";
  EXPECT_FALSE(source.verify(request.request()));
}

TEST(JustAnswerVerify, RotatedTokensBothAccepted) {
  const JustAnswer source(kTokens, true);
  for (const char* token : {"token-old", "token-new"}) {
    TestRequest request;
    request.header("X-Parley-Token", token);
    EXPECT_FALSE(source.verify(request.request())) << token;
  }
}

TEST(JustAnswerVerify, WrongTokenInHeader) {
  const JustAnswer source(kTokens, true);
  for (const char* token : {"token-older", "token-ol", "TOKEN-OLD", "token-new2", "x"}) {
    TestRequest request;
    request.header("X-Parley-Token", token);
    EXPECT_TRUE(unauthorized_naming(source.verify(request.request()), "X-Parley-Token")) << token;
  }
}

TEST(JustAnswerVerify, WrongTokenInQuery) {
  const JustAnswer source(kTokens, true);
  TestRequest request;
  request.query = "token=nope";
  EXPECT_TRUE(unauthorized_naming(source.verify(request.request()), "?token="));
}

TEST(JustAnswerVerify, MissingTokenNamesTheWaysToProveTheSender) {
  const JustAnswer source(kTokens, true);
  TestRequest request;
  const auto error = source.verify(request.request());
  EXPECT_TRUE(unauthorized_naming(error, "missing credentials"));
  EXPECT_TRUE(unauthorized_naming(error, "X-Parley-Token"));
  EXPECT_TRUE(unauthorized_naming(error, "?token="));
  EXPECT_FALSE(contains(describe(error), "allow_cidrs")) << describe(error);
}

// --- verification: HMAC signature ---

TEST(JustAnswerVerify, SignatureAccepted) {
  const JustAnswer source(kHmac, true);
  TestRequest request;
  request.header("X-Parley-Signature", signature("secret-old", request.body));
  EXPECT_FALSE(source.verify(request.request())) << describe(source.verify(request.request()));
}

TEST(JustAnswerVerify, SignatureUnderRotatedSecretAccepted) {
  const JustAnswer source(kHmac, true);
  TestRequest request;
  request.header("X-Parley-Signature", signature("secret-new", request.body));
  EXPECT_FALSE(source.verify(request.request())) << describe(source.verify(request.request()));
}

TEST(JustAnswerVerify, UpperCaseHexSignatureAccepted) {
  const JustAnswer source(kHmac, true);
  TestRequest request;
  std::string hex_digest = to_hex(hmac_sha256("secret-old", request.body));
  for (auto& c : hex_digest)
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  request.header("X-Parley-Signature", "sha256=" + hex_digest);
  EXPECT_FALSE(source.verify(request.request()));
}

TEST(JustAnswerVerify, SignatureOverADifferentBody) {
  const JustAnswer source(kHmac, true);
  TestRequest request;
  request.header("X-Parley-Signature", signature("secret-old", std::string(kSeedCompact)));
  const auto error = source.verify(request.request());
  EXPECT_TRUE(unauthorized_naming(error, "X-Parley-Signature"));
  EXPECT_TRUE(unauthorized_naming(error, "does not match"));
}

TEST(JustAnswerVerify, SignatureUnderAnUnknownSecret) {
  const JustAnswer source(kHmac, true);
  TestRequest request;
  request.header("X-Parley-Signature", signature("secret-other", request.body));
  EXPECT_TRUE(unauthorized_naming(source.verify(request.request()), "X-Parley-Signature"));
}

TEST(JustAnswerVerify, SignatureIsNotAcceptedAsAToken) {
  // An HMAC secret must not work as a bearer token.
  const JustAnswer source(kHmac, true);
  TestRequest request;
  request.header("X-Parley-Token", "secret-old");
  request.query = "token=secret-old";
  EXPECT_TRUE(unauthorized_naming(source.verify(request.request()), "missing credentials"));
}

TEST(JustAnswerVerify, MalformedSignatures) {
  const JustAnswer source(kHmac, true);
  TestRequest valid;
  const std::string good_hex = to_hex(hmac_sha256("secret-old", valid.body));
  std::string non_hex = good_hex;
  non_hex[10] = 'z';
  const std::vector<std::string> malformed = {
      good_hex,                                // no sha256= prefix
      "sha1=" + good_hex,                      // other algorithm
      "SHA256=" + good_hex,                    // prefix is case-sensitive
      "sha256:" + good_hex,                    // wrong separator
      "sha256=",                               // no digest
      "sha256=" + non_hex,                     // non-hex
      "sha256=" + good_hex.substr(0, 62),      // too short
      "sha256=" + good_hex + "00",             // too long
      "sha256= " + good_hex.substr(1),         // space inside
      "sha256=" + good_hex + "," + good_hex};  // two digests
  for (const auto& value : malformed) {
    TestRequest request;
    request.header("X-Parley-Signature", value);
    const auto error = source.verify(request.request());
    EXPECT_TRUE(unauthorized_naming(error, "X-Parley-Signature")) << value;
    EXPECT_TRUE(unauthorized_naming(error, "malformed")) << value;
  }
}

TEST(JustAnswerVerify, MissingSignatureNamesTheWaysToProveTheSender) {
  const JustAnswer source(kHmac, true);
  TestRequest request;
  const auto error = source.verify(request.request());
  EXPECT_TRUE(unauthorized_naming(error, "missing credentials"));
  EXPECT_TRUE(unauthorized_naming(error, "X-Parley-Signature: sha256=<hex"));
}

// --- verification: CIDR allow-list ---

Webhook cidr_webhook() {
  return Webhook{.allow_cidrs = cidrs({"10.0.0.0/8", "2001:db8::/32"})};
}

TEST(JustAnswerVerify, AllowedIpv4Peer) {
  const JustAnswer source(cidr_webhook(), true);
  TestRequest request;
  request.from("10.1.2.3");
  EXPECT_FALSE(source.verify(request.request()));
}

TEST(JustAnswerVerify, AllowedIpv6Peer) {
  const JustAnswer source(cidr_webhook(), true);
  TestRequest request;
  request.from("2001:db8::42");
  EXPECT_FALSE(source.verify(request.request()));
}

TEST(JustAnswerVerify, AllowedIpv4MappedIpv6Peer) {
  // A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d.
  const JustAnswer source(cidr_webhook(), true);
  TestRequest request;
  request.from("::ffff:10.1.2.3");
  EXPECT_FALSE(source.verify(request.request()));
}

TEST(JustAnswerVerify, DeniedPeers) {
  const JustAnswer source(cidr_webhook(), true);
  for (const char* peer : {"11.0.0.1", "9.255.255.255", "2001:db9::1", "::ffff:11.0.0.1",
                           "::a01:203", "127.0.0.1", "::1"}) {
    TestRequest request;
    request.from(peer);
    const auto error = source.verify(request.request());
    EXPECT_TRUE(unauthorized_naming(error, "missing credentials")) << peer;
    // The answer goes to anyone: it names neither the peer nor the allow-list.
    const auto shown = boost::asio::ip::make_address(peer).to_string();
    EXPECT_FALSE(contains(describe(error), shown)) << peer;
    EXPECT_FALSE(contains(describe(error), "allow_cidrs")) << peer;
  }
}

TEST(JustAnswerVerify, ForwardedForHeaderIsNotTrusted) {
  const JustAnswer source(cidr_webhook(), true);
  TestRequest request;
  request.from("198.51.100.1").header("X-Forwarded-For", "10.1.2.3");
  request.header("X-Real-IP", "10.1.2.3");
  EXPECT_TRUE(unauthorized_naming(source.verify(request.request()), "missing credentials"));
}

// --- verification: combinations ---

Webhook all_methods() {
  return Webhook{.tokens = {"token-old"},
                 .hmac_secrets = {"secret-old"},
                 .allow_cidrs = cidrs({"10.0.0.0/8"})};
}

TEST(JustAnswerVerify, MissingCredentialsSaysTheSameWhateverIsConfiguredAndNeverThePeer) {
  const JustAnswer all(all_methods(), true);
  const JustAnswer tokens_only(kTokens, true);
  TestRequest request;
  request.from("198.51.100.7");
  const auto error = all.verify(request.request());
  for (const char* part :
       {"missing credentials", "X-Parley-Token", "?token=", "X-Parley-Signature"}) {
    EXPECT_TRUE(unauthorized_naming(error, part)) << part;
  }
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->message.find("198.51.100.7"), std::string::npos) << error->message;
  EXPECT_EQ(error->message.find("allow_cidrs"), std::string::npos) << error->message;
  const auto other = tokens_only.verify(request.request());
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->message, error->message) << "the answer does not reveal the configuration";
}

TEST(JustAnswerVerify, BadTokenButGoodSignaturePasses) {
  const JustAnswer source(all_methods(), true);
  TestRequest request;
  request.header("X-Parley-Token", "wrong");
  request.header("X-Parley-Signature", signature("secret-old", request.body));
  EXPECT_FALSE(source.verify(request.request())) << describe(source.verify(request.request()));
}

TEST(JustAnswerVerify, GoodTokenButBadSignaturePasses) {
  const JustAnswer source(all_methods(), true);
  TestRequest request;
  request.header("X-Parley-Token", "token-old");
  request.header("X-Parley-Signature", "sha256=nothex");
  EXPECT_FALSE(source.verify(request.request()));
}

TEST(JustAnswerVerify, BadTokenAndBadSignatureButAllowedPeerPasses) {
  const JustAnswer source(all_methods(), true);
  TestRequest request;
  request.from("10.9.9.9").header("X-Parley-Token", "wrong");
  request.header("X-Parley-Signature", signature("secret-other", request.body));
  EXPECT_FALSE(source.verify(request.request()));
}

TEST(JustAnswerVerify, EverythingWrongIsRejected) {
  const JustAnswer source(all_methods(), true);
  TestRequest request;
  request.from("198.51.100.7").header("X-Parley-Token", "wrong");
  request.header("X-Parley-Signature", signature("secret-other", request.body));
  EXPECT_TRUE(unauthorized_naming(source.verify(request.request()), "X-Parley-Signature"));

  TestRequest token_only;
  token_only.from("198.51.100.7").header("X-Parley-Token", "wrong");
  EXPECT_TRUE(unauthorized_naming(source.verify(token_only.request()), "X-Parley-Token"));
}

TEST(JustAnswerVerify, AllowUnauthenticatedWithNothingConfigured) {
  const JustAnswer source(Webhook{.allow_unauthenticated = true}, true);
  TestRequest bare;
  EXPECT_FALSE(source.verify(bare.request()));

  TestRequest junk;
  junk.header("X-Parley-Token", "whatever").header("X-Parley-Signature", "garbage");
  EXPECT_FALSE(source.verify(junk.request()));
}

TEST(JustAnswerVerify, AllowUnauthenticatedDoesNotOverrideConfiguredVerification) {
  Webhook webhook = kTokens;
  webhook.allow_unauthenticated = true;
  const JustAnswer source(webhook, true);
  TestRequest missing;
  EXPECT_TRUE(unauthorized_naming(source.verify(missing.request()), "X-Parley-Token"));
  TestRequest wrong;
  wrong.header("X-Parley-Token", "wrong");
  EXPECT_TRUE(unauthorized_naming(source.verify(wrong.request()), "X-Parley-Token"));
}

TEST(JustAnswerVerify, NothingConfiguredFailsClosed) {
  // The config loader refuses this; the source must not turn it into "accept all".
  const JustAnswer source(Webhook{}, true);
  TestRequest request;
  request.header("X-Parley-Token", "anything");
  const auto error = source.verify(request.request());
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, sources::Errc::unauthorized);
}

// --- normalization ---

const auto kReceived =
    std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123));

Result<events::CloudEvent, Error> normalize(std::string_view body, bool include_raw = true) {
  const JustAnswer source(kTokens, include_raw);
  TestRequest request(body);
  return source.normalize(request.request(), kReceived);
}

TEST(JustAnswerNormalize, SeedExample) {
  const auto result = normalize(kSeedExample);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const auto& event = result.value();
  EXPECT_EQ(event.type, "parley.conversation.updated");
  EXPECT_EQ(event.source, "/parley/justanswer");
  EXPECT_EQ(event.subject, "12345");
  EXPECT_EQ(event.partition_key, "justanswer:12345");
  EXPECT_EQ(event.time, "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(event.time, format_rfc3339(kReceived));
  EXPECT_EQ(event.data.platform, "justanswer");
  EXPECT_EQ(event.data.platform_event, "1");
  EXPECT_EQ(event.data.conversation.id, "12345");
  EXPECT_EQ(event.data.conversation.customer_id, "abcde12345");
  // The body as received (its spaces too), not a serialization of it.
  EXPECT_EQ(event.data.raw_json, kSeedExample);
}

TEST(JustAnswerNormalize, IdIsAUuidV7OfTheReceiveTime) {
  const auto result = normalize(kSeedExample);
  ASSERT_TRUE(result.ok()) << result.error().message;
  const std::string& id = result.value().id;
  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  EXPECT_TRUE(std::regex_match(id, shape)) << id;
  EXPECT_EQ(id.substr(0, 8) + id.substr(9, 4), "018bcfe5687b");  // 1700000000123 ms
}

TEST(JustAnswerNormalize, SameBodyTwiceGivesTwoIds) {
  // JustAnswer sends no id: two identical notifications are still two events.
  const auto first = normalize(kSeedExample);
  const auto second = normalize(kSeedExample);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_NE(first.value().id, second.value().id);
  EXPECT_EQ(first.value().partition_key, second.value().partition_key);
}

TEST(JustAnswerNormalize, IncludeRawFalseOmitsRaw) {
  const auto result = normalize(kSeedExample, false);
  ASSERT_TRUE(result.ok());
  EXPECT_TRUE(result.value().data.raw_json.empty());
  EXPECT_EQ(events::to_json(result.value()).find("\"raw\""), std::string::npos);
  EXPECT_EQ(result.value().data.conversation.id, "12345");
}

TEST(JustAnswerNormalize, EventSerializesToValidJson) {
  const auto result = normalize(kSeedExample);
  ASSERT_TRUE(result.ok());
  const std::string json = events::to_json(result.value());
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  std::string_view user_token;
  ASSERT_EQ(root.at_pointer("/data/raw/userToken").get(user_token), simdjson::SUCCESS);
  EXPECT_EQ(user_token, "abcde12345");
}

TEST(JustAnswerNormalize, BodyWithoutPaddingIsParsedSafely) {
  // A caller that forgot kBodySlack must still get a correct parse (and no overread).
  const JustAnswer source(kTokens, true);
  TestRequest request;
  request.body = std::string(kSeedCompact);
  request.body.shrink_to_fit();
  const auto result = source.normalize(request.request(), kReceived);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().subject, "12345");
  EXPECT_EQ(result.value().data.raw_json, kSeedCompact);
}

TEST(JustAnswerNormalize, UnknownFieldsAreAcceptedAndKeptInRaw) {
  const auto result =
      normalize(R"({"eventType":"2","extra":{"list":[1,-2,2.5,"x",null,true,false],"o":{}},)"
                R"("questionId":"q1","n":7,"userToken":"u1","s":"text"})");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().subject, "q1");
  EXPECT_EQ(result.value().data.platform_event, "2");
  EXPECT_EQ(result.value().data.raw_json,
            R"({"eventType":"2","extra":{"list":[1,-2,2.5,"x",null,true,false],"o":{}},)"
            R"("questionId":"q1","n":7,"userToken":"u1","s":"text"})");
}

TEST(JustAnswerNormalize, EscapedAndUnicodeStringsArePreserved) {
  const auto result =
      normalize(R"({"eventType":"say \"hi\" \\ \/ done","questionId":"caf\u00e9-\ud83d\ude00-)"
                "\xe2\x82\xac"
                R"(","userToken":"caf\u00e9","note":"tab\there\nline\u0001"})");
  ASSERT_TRUE(result.ok()) << result.error().message;
  const auto& event = result.value();
  EXPECT_EQ(event.data.platform_event, R"(say "hi" \ / done)");
  EXPECT_EQ(event.subject, "caf\xc3\xa9-\xf0\x9f\x98\x80-\xe2\x82\xac");
  EXPECT_EQ(event.partition_key, "justanswer:caf\xc3\xa9-\xf0\x9f\x98\x80-\xe2\x82\xac");
  EXPECT_EQ(event.data.conversation.customer_id, "caf\xc3\xa9");

  // raw and the whole event stay valid JSON that decodes to the same strings.
  const std::string json = events::to_json(event);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(json).get(root), simdjson::SUCCESS) << json;
  std::string_view value;
  ASSERT_EQ(root.at_pointer("/data/raw/eventType").get(value), simdjson::SUCCESS);
  EXPECT_EQ(value, R"(say "hi" \ / done)");
  ASSERT_EQ(root.at_pointer("/data/raw/note").get(value), simdjson::SUCCESS);
  EXPECT_EQ(value, "tab\there\nline\x01");
  ASSERT_EQ(root.at_pointer("/subject").get(value), simdjson::SUCCESS);
  EXPECT_EQ(value, "caf\xc3\xa9-\xf0\x9f\x98\x80-\xe2\x82\xac");
}

TEST(JustAnswerNormalize, FieldOfExactly512BytesAccepted) {
  const std::string ascii(512, 'q');
  const auto result =
      normalize(R"({"eventType":"1","questionId":")" + ascii + R"(","userToken":"u"})");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().subject, ascii);

  std::string two_byte;  // 256 x U+00E9 = 512 bytes
  for (int i = 0; i < 256; ++i)
    two_byte += "\xc3\xa9";
  const auto wide =
      normalize(R"({"eventType":"1","questionId":"q","userToken":")" + two_byte + R"("})");
  ASSERT_TRUE(wide.ok()) << wide.error().message;
  EXPECT_EQ(wide.value().data.conversation.customer_id, two_byte);

  std::string escaped;  // the limit is on the decoded value, not on the JSON text
  for (int i = 0; i < 256; ++i)
    escaped += "\\u00e9";
  const auto long_text =
      normalize(R"({"eventType":"1","questionId":"q","userToken":")" + escaped + R"("})");
  ASSERT_TRUE(long_text.ok()) << long_text.error().message;
  EXPECT_EQ(long_text.value().data.conversation.customer_id, two_byte);
}

// --- normalization errors ---

TEST(JustAnswerNormalizeErrors, InvalidJson) {
  for (const std::string_view body :
       {R"({"eventType": })", R"({"eventType":"1" "questionId":"2"})", R"({eventType:"1"})",
        R"({'eventType':'1'})", R"({"eventType":"1",})", "", "   ", "nope",
        R"({"eventType":"1","questionId":"12345","userToken":"abcde12345"} trailing)",
        R"({"eventType":"1","questionId":"12345","userToken":"abcde12345"}{})"}) {
    EXPECT_TRUE(bad_request_naming(normalize(body), {"not valid JSON"})) << body;
  }
}

TEST(JustAnswerNormalizeErrors, TruncatedJson) {
  for (std::size_t length = 1; length < kSeedCompact.size(); ++length) {
    EXPECT_TRUE(bad_request_naming(normalize(kSeedCompact.substr(0, length)), {"not valid JSON"}))
        << kSeedCompact.substr(0, length);
  }
}

TEST(JustAnswerNormalizeErrors, InvalidUtf8) {
  EXPECT_TRUE(bad_request_naming(
      normalize("{\"eventType\":\"1\",\"questionId\":\"\xff\xfe\",\"userToken\":\"u\"}"),
      {"not valid JSON"}));
  EXPECT_TRUE(bad_request_naming(
      normalize("{\"eventType\":\"1\",\"questionId\":\"\xc3\",\"userToken\":\"u\"}"),
      {"not valid JSON"}));
}

TEST(JustAnswerNormalizeErrors, TopLevelMustBeAnObject) {
  for (const std::string_view body :
       {R"([])", R"([{"eventType":"1","questionId":"12345","userToken":"abcde12345"}])",
        R"("a string")", "42", "-1.5", "true", "null"}) {
    EXPECT_TRUE(bad_request_naming(normalize(body), {"must be a JSON object"})) << body;
  }
}

// A body with the three required fields where `field` is given `json_value` verbatim,
// or left out when `json_value` is empty.
std::string body_with(std::string_view field, std::string_view json_value) {
  std::string body = "{";
  for (const auto& [name, value] :
       {std::pair<std::string_view, std::string_view>{"eventType", R"("1")"},
        {"questionId", R"("12345")"},
        {"userToken", R"("abcde12345")"}}) {
    const auto chosen = name == field ? json_value : value;
    if (chosen.empty()) continue;
    if (body.size() > 1) body += ",";
    body += "\"" + std::string(name) + "\":" + std::string(chosen);
  }
  return body + "}";
}

class RequiredField : public ::testing::TestWithParam<const char*> {};

TEST_P(RequiredField, Missing) {
  const std::string field = GetParam();
  EXPECT_TRUE(
      bad_request_naming(normalize(body_with(field, "")), {"field " + field, "is required"}));
}

TEST_P(RequiredField, WrongTypeNamesTheType) {
  const std::string field = GetParam();
  const std::pair<const char*, const char*> cases[] = {
      {"12345", "number"}, {"-1.5e3", "number"},      {"18446744073709551615", "number"},
      {"null", "null"},    {"{}", "object"},          {R"({"id":"12345"})", "object"},
      {"[]", "array"},     {R"(["12345"])", "array"}, {"true", "boolean"},
      {"false", "boolean"}};
  for (const auto& [json_value, type_name] : cases) {
    EXPECT_TRUE(bad_request_naming(normalize(body_with(field, json_value)),
                                   {"field " + field, "got " + std::string(type_name)}))
        << json_value;
  }
}

TEST_P(RequiredField, EmptyString) {
  const std::string field = GetParam();
  EXPECT_TRUE(
      bad_request_naming(normalize(body_with(field, R"("")")), {"field " + field, "non-empty"}));
}

TEST_P(RequiredField, LongerThan512Bytes) {
  const std::string field = GetParam();
  const std::string value = "\"" + std::string(513, 'x') + "\"";
  EXPECT_TRUE(bad_request_naming(normalize(body_with(field, value)),
                                 {"field " + field, "longer than 512 bytes"}));

  // Counted after unescaping: 257 x "\u00e9" is 514 bytes of UTF-8.
  std::string escaped = "\"";
  for (int i = 0; i < 257; ++i)
    escaped += "\\u00e9";
  escaped += "\"";
  EXPECT_TRUE(bad_request_naming(normalize(body_with(field, escaped)),
                                 {"field " + field, "longer than 512 bytes"}));
}

TEST_P(RequiredField, DuplicatedKey) {
  const std::string field = GetParam();
  const std::string body = R"({"eventType":"1","questionId":"12345","userToken":"abcde12345",")" +
                           field + R"(":"other"})";
  EXPECT_TRUE(bad_request_naming(normalize(body), {"field " + field, "more than once"}));
}

TEST_P(RequiredField, KeyMatchIsCaseSensitive) {
  const std::string field = GetParam();
  std::string renamed = field;
  renamed[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(renamed[0])));
  std::string body = body_with(field, "");
  body.insert(1, "\"" + renamed + "\":\"x\",");
  EXPECT_TRUE(bad_request_naming(normalize(body), {"field " + field, "is required"})) << body;
}

INSTANTIATE_TEST_SUITE_P(JustAnswer, RequiredField,
                         ::testing::Values("eventType", "questionId", "userToken"));

TEST(JustAnswerNormalizeErrors, EmptyObjectNamesTheFirstMissingField) {
  EXPECT_TRUE(bad_request_naming(normalize("{}"), {"field eventType", "is required"}));
}

// --- answers ---

TEST(JustAnswerAnswers, Name) {
  EXPECT_EQ(JustAnswer(kTokens, true).name(), "justanswer");
}

TEST(JustAnswerAnswers, AcceptedBody) {
  EXPECT_EQ(JustAnswer(kTokens, true).accepted_body(), R"({"status":true,"message":""})");
}

TEST(JustAnswerAnswers, ErrorBody) {
  const JustAnswer source(kTokens, true);
  EXPECT_EQ(source.error_body(Error{sources::Errc::invalid, "field questionId: is required"}),
            R"({"status":false,"message":"field questionId: is required"})");
  EXPECT_EQ(source.error_body(Error{sources::Errc::unauthorized, ""}),
            R"({"status":false,"message":""})");
}

TEST(JustAnswerAnswers, ErrorBodyEscapesTheMessage) {
  const JustAnswer source(kTokens, true);
  EXPECT_EQ(source.error_body(Error{sources::Errc::invalid, "bad \"x\" \\ here\nnext\x01"}),
            R"({"status":false,"message":"bad \"x\" \\ here\nnext\u0001"})");
}

TEST(JustAnswerAnswers, ErrorBodyOfARealErrorIsValidJson) {
  const JustAnswer source(kTokens, true);
  const auto result = normalize(R"({"eventType":"1","questionId":"12345","userToken":7})");
  ASSERT_FALSE(result.ok());
  const std::string body = source.error_body(result.error());
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  ASSERT_EQ(parser.parse(body).get(root), simdjson::SUCCESS) << body;
  bool status = true;
  ASSERT_EQ(root["status"].get(status), simdjson::SUCCESS);
  EXPECT_FALSE(status);
  std::string_view message;
  ASSERT_EQ(root["message"].get(message), simdjson::SUCCESS);
  EXPECT_EQ(message, result.error().message);
}

// --- keys parley chose to accept ---

TEST(JustAnswerKeys, QuestionIdWithCrLfIsRefusedNamingTheFieldAndByte) {
  const auto result =
      normalize(R"({"eventType":"1","questionId":"12345\r\nX-Injected: 1","userToken":"u"})");
  ASSERT_TRUE(bad_request_naming(result, {"field questionId"}));
  EXPECT_EQ(result.error().message,
            "field questionId: contains a control character (U+000D) at byte 5");
}

TEST(JustAnswerKeys, EveryControlCharacterInAKeyFieldIsRefused) {
  const std::pair<std::string_view, std::string_view> escapes[] = {
      {R"(\u0000)", "U+0000"}, {R"(\n)", "U+000A"},       {R"(\u001b)", "U+001B"},
      {R"(\u007f)", "U+007F"}, {R"(\u0085)", "U+0085"},   {R"(\u009b)", "U+009B"},
      {R"(\u202a)", "U+202A"}, {R"(\u202e)", "U+202E"},   {R"(\u2066)", "U+2066"},
      {R"(\u2069)", "U+2069"}, {"\xe2\x80\xae", "U+202E"}};
  for (const auto& [escape, name] : escapes) {
    const std::string value = "ab" + std::string(escape);
    EXPECT_TRUE(bad_request_naming(
        normalize(R"({"eventType":"1","questionId":")" + value + R"(","userToken":"u"})"),
        {"field questionId: contains a control character (", name, ") at byte 2"}))
        << escape;
    // userToken is sent back to JustAnswer in the UserIdToken header of enrichment.
    EXPECT_TRUE(bad_request_naming(
        normalize(R"({"eventType":"1","questionId":"q","userToken":")" + value + R"("})"),
        {"field userToken: contains a control character (", name, ") at byte 2"}))
        << escape;
  }
}

TEST(JustAnswerKeys, PrintableUnicodeIsAKeyLikeAnyOther) {
  const auto result = normalize(
      R"({"eventType":"\u0001 free text","questionId":"q \u00e9\u200f\ud83d\ude00","userToken":"u"})");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().partition_key, "justanswer:q \xc3\xa9\xe2\x80\x8f\xf0\x9f\x98\x80");
  EXPECT_EQ(result.value().data.platform_event, "\x01 free text");  // not a key
}

// --- numbers and raw ---

TEST(JustAnswerNumbers, NumbersParleyDoesNotReadNeverRefuseTheWebhook) {
  const std::string body =
      R"({"eventType":"1","questionId":"q1","userToken":"u1","n":123456789012345678901234567890,)"
      R"("o":{"f":1e400,"g":-9223372036854775809,"h":[18446744073709551616]}})";
  const auto result = normalize(body);
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().subject, "q1");
  EXPECT_EQ(result.value().data.raw_json, body);
}

TEST(JustAnswerRaw, IsTheReceivedBytesNotAReserialization) {
  const std::string json =
      R"({ "eventType" : "1", "questionId":"q1","userToken":"u1","a":-0,"b":1E2,"c":1.50,)"
      R"("d":"caf\u00e9\/","e":123456789012345678901234567890 })";
  const auto result = normalize("\r\n\t" + json + " \n");
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result.value().data.raw_json, json);
  const std::string event = events::to_json(result.value());
  EXPECT_NE(event.find(R"("raw":)" + json + "}}"), std::string::npos) << event;
}

}  // namespace
}  // namespace parley::sources
