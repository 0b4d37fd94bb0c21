#include "parley/common/json_writer.hpp"

#include <gtest/gtest.h>

#include "parley/common/utf8.hpp"

#include <cstdio>
#include <string>
#include <string_view>

namespace parley::json {
namespace {

std::string as_json(std::string_view text) {
  std::string out;
  append_string(out, text);
  return out;
}

TEST(JsonWriter, EmptyString) {
  EXPECT_EQ(as_json(""), R"("")");
}

TEST(JsonWriter, PlainAsciiIsCopied) {
  EXPECT_EQ(as_json("hello, world 123 /path?x=1&y='z'"), R"("hello, world 123 /path?x=1&y='z'")");
}

TEST(JsonWriter, AppendsWithoutClearing) {
  std::string out = "{\"a\":";
  append_string(out, "b");
  out += ',';
  append_string(out, "c");
  EXPECT_EQ(out, R"({"a":"b","c")");
}

TEST(JsonWriter, EscapesQuoteAndBackslash) {
  EXPECT_EQ(as_json(R"(say "hi")"), R"("say \"hi\"")");
  EXPECT_EQ(as_json(R"(C:\dir\)"), R"("C:\\dir\\")");
  EXPECT_EQ(as_json(R"(\")"), R"("\\\"")");
}

TEST(JsonWriter, ShortEscapesForCommonControlCharacters) {
  EXPECT_EQ(as_json("a\nb"), R"("a\nb")");
  EXPECT_EQ(as_json("a\rb"), R"("a\rb")");
  EXPECT_EQ(as_json("a\tb"), R"("a\tb")");
  EXPECT_EQ(as_json("a\bb"), R"("a\bb")");
  EXPECT_EQ(as_json("a\fb"), R"("a\fb")");
}

TEST(JsonWriter, EveryOtherControlCharacterIsUnicodeEscaped) {
  for (int c = 0; c < 0x20; ++c) {
    if (c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f') continue;
    char expected[16];
    std::snprintf(expected, sizeof expected, "\"\\u%04x\"", c);
    EXPECT_EQ(as_json(std::string(1, static_cast<char>(c))), expected) << "char " << c;
  }
}

TEST(JsonWriter, EmbeddedNulIsEscapedNotTruncated) {
  EXPECT_EQ(as_json(std::string_view("a\0b", 3)), R"("a\u0000b")");
}

TEST(JsonWriter, NoRawControlCharacterSurvives) {
  std::string all;
  for (int c = 0; c < 0x80; ++c)
    all.push_back(static_cast<char>(c));
  const std::string out = as_json(all);
  ASSERT_GE(out.size(), 2u);
  for (std::size_t i = 0; i < out.size(); ++i) {
    EXPECT_GE(static_cast<unsigned char>(out[i]), 0x20) << "raw control char at " << i;
  }
  // Exactly two unescaped quotes: the delimiters.
  std::size_t unescaped_quotes = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (out[i] == '\\') {
      ++i;
    } else if (out[i] == '"') {
      ++unescaped_quotes;
    }
  }
  EXPECT_EQ(unescaped_quotes, 2u);
}

TEST(JsonWriter, DeleteAndSlashNeedNoEscape) {
  EXPECT_EQ(as_json("\x7f"), "\"\x7f\"");
  EXPECT_EQ(as_json("a/b"), R"("a/b")");
}

TEST(JsonWriter, IllFormedUtf8IsReplacedSoTheOutputIsValid) {
  const std::string fffd = "\xef\xbf\xbd";
  EXPECT_EQ(as_json("a\xff"
                    "b"),
            "\"a" + fffd + "b\"");
  EXPECT_EQ(as_json("\xc3"), "\"" + fffd + "\"");                        // truncated
  EXPECT_EQ(as_json("\xc0\xaf"), "\"" + fffd + fffd + "\"");             // overlong
  EXPECT_EQ(as_json("\xed\xa0\x80"), "\"" + fffd + fffd + fffd + "\"");  // surrogate
  EXPECT_EQ(as_json("caf\xc3\xa9\x80"), "\"caf\xc3\xa9" + fffd + "\"");
  // A quote right after a broken lead byte is still escaped, not swallowed.
  EXPECT_EQ(as_json("\xe2\"x"), "\"" + fffd + "\\\"x\"");
  std::string every_byte;
  for (int b = 0; b < 256; ++b)
    every_byte.push_back(static_cast<char>(b));
  EXPECT_TRUE(is_valid_utf8(as_json(every_byte)));
}

TEST(JsonWriter, C1AndBidiControlsAreEscaped) {
  EXPECT_EQ(as_json("a\xc2\x9b"
                    "31m"),
            R"("a\u009b31m")");
  EXPECT_EQ(as_json("\xc2\x80\xc2\x9f"), R"("\u0080\u009f")");
  EXPECT_EQ(as_json("invoice\xe2\x80\xae"
                    "fdp.exe"),
            R"("invoice\u202efdp.exe")");
  EXPECT_EQ(as_json("\xe2\x80\xaa\xe2\x81\xa6\xe2\x81\xa9"), R"("\u202a\u2066\u2069")");
  EXPECT_EQ(as_json("\xc2\xa0"), "\"\xc2\xa0\"");  // U+00A0 is no control
}

TEST(JsonWriter, Utf8IsCopiedAsIs) {
  EXPECT_EQ(as_json("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  // U+2028 / U+2029 are legal inside JSON strings.
  EXPECT_EQ(as_json("\xe2\x80\xa8\xe2\x80\xa9"), "\"\xe2\x80\xa8\xe2\x80\xa9\"");
}

}  // namespace
}  // namespace parley::json
