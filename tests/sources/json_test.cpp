#include "parley/sources/json.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parley/sources/errors.hpp"

namespace parley::sources {
namespace {

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// --- numbers no 64-bit integer or double holds ---

TEST(ParseObject, NumbersBeyondSixtyFourBitsDoNotRefuseTheBody) {
  for (const std::string_view number :
       {"123456789012345678901234567890", "18446744073709551616", "-9223372036854775809", "1e400",
        "-1e400", "123456789012345678901234567890e10"}) {
    const std::string body = R"({"id":"x","extra":{"n":)" + std::string(number) + R"(,"list":[1,)" +
                             std::string(number) + R"(]},"tail":"t"})";
    auto object = parse_object(body);
    ASSERT_TRUE(object.ok()) << number << ": " << object.error().message;
    const FieldReader fields(object.value());
    EXPECT_EQ(fields.required_string("id").value(), "x") << number;
    EXPECT_EQ(fields.required_string("tail").value(), "t") << number;
  }
}

TEST(ParseObject, ANumberBeyondSixtyFourBitsIsNamedWhereItIsRead) {
  auto object =
      parse_object(R"({"big":18446744073709551616,"neg":-9223372036854775809,)"
                   R"("huge":1e400,"max":18446744073709551615,"min":-9223372036854775808,)"
                   R"("half":1.5})");
  ASSERT_TRUE(object.ok()) << object.error().message;
  const FieldReader fields(object.value());
  for (const char* name : {"big", "neg", "huge"}) {
    const auto integer = fields.optional_integer(name);
    ASSERT_FALSE(integer.ok()) << name;
    EXPECT_TRUE(contains(integer.error().message, "number outside the 64-bit integer range"))
        << integer.error().message;
    const auto id = fields.optional_id(name);
    ASSERT_FALSE(id.ok()) << name;
    EXPECT_TRUE(contains(id.error().message, "field " + std::string(name) +
                                                 ": must be a non-empty "
                                                 "string or an integer, got number outside the "
                                                 "64-bit integer range"))
        << id.error().message;
  }
  // The edges of what 64 bits hold still read as integers.
  EXPECT_EQ(fields.required_id("max").value(), "18446744073709551615");
  EXPECT_EQ(*fields.optional_integer("min").value(), INT64_MIN);
  EXPECT_TRUE(contains(fields.optional_integer("half").error().message, "got number"));
  EXPECT_FALSE(contains(fields.optional_integer("half").error().message, "64-bit"));
}

TEST(ParseObject, OptionalIdsBeyondSixtyFourBitsAreDroppedWithAWarning) {
  auto object = parse_object(R"({"ConsumerId":123456789012345678901234567890})");
  ASSERT_TRUE(object.ok()) << object.error().message;
  std::vector<events::FieldWarning> warnings;
  TolerantReader tolerant(warnings);
  EXPECT_EQ(tolerant.id(FieldReader(object.value()), "ConsumerId"), "");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0].field, "ConsumerId");
  EXPECT_TRUE(contains(warnings[0].problem, "64-bit integer range; dropped"))
      << warnings[0].problem;
}

TEST(ParseObject, MalformedNumbersAreStillInvalid) {
  for (const std::string_view number :
       {"01", "1.", "-", "1e", "1e+", ".5", "+1", "0x10", "1.2.3", "--1", "123456789012345678901a",
        "NaN", "Infinity", "1e400e1", "99999999999999999999999.", "- 1"}) {
    const std::string body = R"({"n":)" + std::string(number) + "}";
    auto object = parse_object(body);
    ASSERT_FALSE(object.ok()) << number;
    EXPECT_EQ(object.error().code, Errc::invalid) << number;
    EXPECT_TRUE(contains(object.error().message, "not valid JSON")) << object.error().message;
  }
  // A well-formed big number does not excuse another problem elsewhere.
  EXPECT_FALSE(parse_object(R"({"n":123456789012345678901234567890,"m":01})").ok());
  EXPECT_FALSE(parse_object(R"({"n":123456789012345678901234567890,})").ok());
}

TEST(ParseObject, NumbersInsideStringsAreText) {
  auto object =
      parse_object(R"({"s":"123456789012345678901234567890","q":"a\"1e400\\","n":1e400})");
  ASSERT_TRUE(object.ok()) << object.error().message;
  const FieldReader fields(object.value());
  EXPECT_EQ(fields.required_string("s").value(), "123456789012345678901234567890");
  EXPECT_EQ(fields.required_string("q").value(), "a\"1e400\\");
}

TEST(ParseObject, ATopLevelBigNumberIsNoObject) {
  auto object = parse_object("123456789012345678901234567890");
  ASSERT_FALSE(object.ok());
  EXPECT_TRUE(contains(object.error().message, "must be a JSON object"));
}

// --- the received bytes ---

TEST(ReceivedJson, TheBodyVerbatimWithoutSurroundingWhitespace) {
  EXPECT_EQ(received_json(" \r\n\t{\"a\": -0, \"b\": 1E2}\n"), "{\"a\": -0, \"b\": 1E2}");
  EXPECT_EQ(received_json("{}"), "{}");
  EXPECT_EQ(received_json(""), "");
}

TEST(RawMembers, EveryMemberAsWritten) {
  const std::string_view json =
      " { \"a\" : -0 , \"b\":1E2,\"c\" :{ \"x\": [1, \"]}\\\"\" "
      "]},\"d\\u0061\":\"}\",\"e\":123456789012345678901234567890,\"f\":null } ";
  const auto members = raw_members(json);
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 6u);
  EXPECT_EQ((*members)[0].name, "a");
  EXPECT_EQ((*members)[0].key_json, "\"a\"");
  EXPECT_EQ((*members)[0].value_json, "-0");
  EXPECT_EQ((*members)[1].value_json, "1E2");
  EXPECT_EQ((*members)[2].value_json, "{ \"x\": [1, \"]}\\\"\" ]}");
  EXPECT_EQ((*members)[3].name, "da");
  EXPECT_EQ((*members)[3].key_json, "\"d\\u0061\"");
  EXPECT_EQ((*members)[3].value_json, "\"}\"");
  EXPECT_EQ((*members)[4].value_json, "123456789012345678901234567890");
  EXPECT_EQ((*members)[5].value_json, "null");
}

TEST(RawMembers, EmptyAndNonObjects) {
  ASSERT_TRUE(raw_members("{}"));
  EXPECT_TRUE(raw_members(" { } ")->empty());
  for (const std::string_view json : {"[]", "\"x\"", "", "{", "{\"a\"}", "{\"a\":1,}", "{\"a\":}",
                                      "{\"a\":1 \"b\":2}", "{\"a\":\"open}"}) {
    EXPECT_FALSE(raw_members(json)) << json;
  }
}

// --- keys: no control characters ---

TEST(CheckKey, NamesTheFieldTheCharacterAndItsByte) {
  EXPECT_FALSE(check_key("questionId", "12345"));
  EXPECT_FALSE(check_key("questionId", "caf\xc3\xa9-\xf0\x9f\x98\x80 with spaces"));
  const auto crlf = check_key("questionId", "12345\r\nX-Injected: 1");
  ASSERT_TRUE(crlf);
  EXPECT_EQ(crlf->code, Errc::invalid);
  EXPECT_EQ(crlf->message, "field questionId: contains a control character (U+000D) at byte 5");
  const auto rlo = check_key("data.user.id", "ab\xe2\x80\xae");
  ASSERT_TRUE(rlo);
  EXPECT_EQ(rlo->message, "field data.user.id: contains a control character (U+202E) at byte 2");
  for (const std::string_view text :
       {std::string_view("\x1b[31m"), std::string_view("a\0", 2), std::string_view("\x7f"),
        std::string_view("\xc2\x85"), std::string_view("\xe2\x81\xa6x\xe2\x81\xa9"),
        std::string_view("\t")}) {
    EXPECT_TRUE(check_key("f", text)) << testing::PrintToString(text);
  }
}

TEST(CheckKey, EveryKeyReaderRefusesControlCharacters) {
  auto object = parse_object(
      R"({"s":"a\nb","i":"a\u001bb","o":"x\u202ey","ok":"fine","n":12617187,"nested":{"id":"\r"}})");
  ASSERT_TRUE(object.ok()) << object.error().message;
  const FieldReader fields(object.value());
  EXPECT_EQ(fields.required_key("s").error().message,
            "field s: contains a control character (U+000A) at byte 1");
  EXPECT_EQ(fields.required_id("i").error().message,
            "field i: contains a control character (U+001B) at byte 1");
  EXPECT_EQ(fields.optional_id("o").error().message,
            "field o: contains a control character (U+202E) at byte 1");
  auto nested = fields.required_object("nested");
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(key_or_empty(nested.value(), "id").error().message,
            "field nested.id: contains a control character (U+000D) at byte 0");
  EXPECT_EQ(fields.required_key("ok").value(), "fine");
  EXPECT_EQ(fields.required_id("n").value(), "12617187");
  EXPECT_EQ(key_or_empty(fields, "absent").value(), "");
  // Free text may hold them: only keys are checked.
  EXPECT_EQ(fields.required_string("s").value(), "a\nb");
}

}  // namespace
}  // namespace parley::sources
