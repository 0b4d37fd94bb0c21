#include "parley/common/utf8.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace parley {
namespace {

const std::string kFffd = "\xEF\xBF\xBD";

TEST(Utf8, WellFormedTextIsValidAndUnchanged) {
  for (const std::string_view text :
       {std::string_view(""), std::string_view("plain ascii"), std::string_view("caf\xC3\xA9"),
        std::string_view("\xE2\x82\xAC 20"), std::string_view("\xF0\x9F\x98\x80"),
        std::string_view("\xEF\xBF\xBF\xF4\x8F\xBF\xBF"),  // U+FFFF, U+10FFFF
        std::string_view("a\0b", 3)}) {
    EXPECT_TRUE(is_valid_utf8(text)) << text;
    EXPECT_EQ(valid_utf8_or_replaced(text), text);
  }
}

TEST(Utf8, IllFormedSequencesAreInvalid) {
  for (const std::string_view text : {
           "\x80",              // a lone continuation byte
           "\xC3",              // truncated
           "\xC0\xAF",          // overlong '/'
           "\xC1\xBF",          // overlong
           "\xE0\x80\xAF",      // overlong
           "\xED\xA0\x80",      // a surrogate (U+D800)
           "\xF0\x80\x80\xAF",  // overlong
           "\xF4\x90\x80\x80",  // above U+10FFFF
           "\xF5\x80\x80\x80",  // never a lead
           "\xFF",
           "ok\xE2\x82",  // truncated at the end
       }) {
    EXPECT_FALSE(is_valid_utf8(text)) << testing::PrintToString(text);
  }
}

TEST(Utf8, EachMaximalSubpartBecomesOneReplacementCharacter) {
  // Unicode 3.9, table 3-8: 61 F1 80 80 E1 80 C2 62 80 63 80 BF 64 gives
  // a FFFD FFFD FFFD b FFFD c FFFD FFFD d.
  EXPECT_EQ(valid_utf8_or_replaced("\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64"),
            "a" + kFffd + kFffd + kFffd + "b" + kFffd + "c" + kFffd + kFffd + "d");
  EXPECT_EQ(valid_utf8_or_replaced("\xC0\xAF"), kFffd + kFffd);
  EXPECT_EQ(valid_utf8_or_replaced("\xED\xA0\x80"), kFffd + kFffd + kFffd);
  EXPECT_EQ(valid_utf8_or_replaced("x\xE2\x82"), "x" + kFffd);
  EXPECT_EQ(valid_utf8_or_replaced("\xE2\x82\xAC\xFF\xE2\x82\xAC"),
            "\xE2\x82\xAC" + kFffd + "\xE2\x82\xAC");
}

TEST(Utf8, ReplacedTextIsAlwaysValid) {
  std::string every_byte;
  for (int b = 0; b < 256; ++b) {
    every_byte.push_back(static_cast<char>(b));
    every_byte.push_back(static_cast<char>(b));
  }
  EXPECT_FALSE(is_valid_utf8(every_byte));
  EXPECT_TRUE(is_valid_utf8(valid_utf8_or_replaced(every_byte)));
}

TEST(Utf8, AppendKeepsWhatWasThere) {
  std::string out = "prefix:";
  append_valid_utf8_or_replaced(out, "a\xFF");
  EXPECT_EQ(out, "prefix:a" + kFffd);
}

TEST(Utf8, DecodesCodePoints) {
  EXPECT_EQ(decode_utf8("\xE2\x80\xAE", 0).code_point, 0x202Eu);
  EXPECT_EQ(decode_utf8("\xE2\x80\xAE", 0).length, 3u);
  EXPECT_EQ(decode_utf8("\xF0\x9F\x98\x80", 0).code_point, 0x1F600u);
  EXPECT_EQ(decode_utf8("\xC2\x85", 0).code_point, 0x85u);
  EXPECT_FALSE(decode_utf8("\xE1\x80x", 0).valid);
  EXPECT_EQ(decode_utf8("\xE1\x80x", 0).length, 2u);
}

TEST(Utf8, ControlCharacters) {
  for (const char32_t c : {0x00u, 0x0Au, 0x0Du, 0x1Bu, 0x1Fu, 0x7Fu, 0x80u, 0x85u, 0x9Fu, 0x202Au,
                           0x202Eu, 0x2066u, 0x2069u}) {
    EXPECT_TRUE(is_control_character(c)) << code_point_name(c);
  }
  for (const char32_t c :
       {0x20u, 0x7Eu, 0xA0u, 0xE9u, 0x2029u, 0x202Fu, 0x2065u, 0x206Au, 0xFEFFu, 0x1F600u}) {
    EXPECT_FALSE(is_control_character(c)) << code_point_name(c);
  }
}

TEST(Utf8, FindsTheFirstControlCharacterAndItsByte) {
  EXPECT_FALSE(find_control_character("q-12345 caf\xC3\xA9 \xF0\x9F\x98\x80"));
  const auto cr = find_control_character("12345\r\nInjected: yes");
  ASSERT_TRUE(cr);
  EXPECT_EQ(cr->code_point, 0x0Du);
  EXPECT_EQ(cr->byte, 5u);
  const auto rlo = find_control_character("caf\xC3\xA9\xE2\x80\xAEgpj.exe");  // U+202E at byte 5
  ASSERT_TRUE(rlo);
  EXPECT_EQ(rlo->code_point, 0x202Eu);
  EXPECT_EQ(rlo->byte, 5u);
  const auto c1 = find_control_character(
      "a\xC2\x9B"
      "31m");  // C1 CSI
  ASSERT_TRUE(c1);
  EXPECT_EQ(c1->code_point, 0x9Bu);
  EXPECT_EQ(c1->byte, 1u);
  const auto nul = find_control_character(std::string_view("ab\0", 3));
  ASSERT_TRUE(nul);
  EXPECT_EQ(nul->byte, 2u);
  // An ill-formed byte is not a code point: it is skipped, not mistaken for C1.
  EXPECT_FALSE(find_control_character("\x85\x9B"));
}

TEST(Utf8, CodePointNames) {
  EXPECT_EQ(code_point_name(0x0D), "U+000D");
  EXPECT_EQ(code_point_name(0x202E), "U+202E");
  EXPECT_EQ(code_point_name(0x1F600), "U+1F600");
  EXPECT_EQ(code_point_name(0), "U+0000");
}

}  // namespace
}  // namespace parley
