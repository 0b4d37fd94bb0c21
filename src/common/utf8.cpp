#include "parley/common/utf8.hpp"

#include <cstdint>

namespace parley {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool in(unsigned char byte, unsigned char low, unsigned char high) {
  return byte >= low && byte <= high;
}

}  // namespace

Utf8Step decode_utf8(std::string_view text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  if (lead < 0x80) return {.code_point = lead, .length = 1, .valid = true};
  std::size_t count = 0;      // continuation bytes that follow
  unsigned char low = 0x80;   // the allowed range of the first continuation byte
  unsigned char high = 0xBF;  // (Unicode table 3-7)
  char32_t code_point = 0;
  if (in(lead, 0xC2, 0xDF)) {
    count = 1;
    code_point = lead & 0x1Fu;
  } else if (in(lead, 0xE0, 0xEF)) {
    count = 2;
    code_point = lead & 0x0Fu;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (in(lead, 0xF0, 0xF4)) {
    count = 3;
    code_point = lead & 0x07u;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return {};  // a continuation byte, C0, C1 or F5..FF: never a lead
  }
  for (std::size_t i = 1; i <= count; ++i) {
    if (at + i >= text.size()) return {.length = i};
    const auto byte = static_cast<unsigned char>(text[at + i]);
    if (!in(byte, i == 1 ? low : 0x80, i == 1 ? high : 0xBF)) return {.length = i};
    code_point = (code_point << 6) | (byte & 0x3Fu);
  }
  return {.code_point = code_point, .length = count + 1, .valid = true};
}

bool is_valid_utf8(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    if (static_cast<unsigned char>(text[at]) < 0x80) {
      ++at;
      continue;
    }
    const auto step = decode_utf8(text, at);
    if (!step.valid) return false;
    at += step.length;
  }
  return true;
}

void append_valid_utf8_or_replaced(std::string& out, std::string_view text) {
  std::size_t copied = 0;  // text[copied, at) is valid and not yet appended
  for (std::size_t at = 0; at < text.size();) {
    if (static_cast<unsigned char>(text[at]) < 0x80) {
      ++at;
      continue;
    }
    const auto step = decode_utf8(text, at);
    if (!step.valid) {
      out.append(text.substr(copied, at - copied));
      out.append(kReplacement);
      copied = at + step.length;
    }
    at += step.length;
  }
  out.append(text.substr(copied));
}

std::string valid_utf8_or_replaced(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_valid_utf8_or_replaced(out, text);
  return out;
}

bool is_control_character(char32_t code_point) {
  return code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F) ||
         (code_point >= 0x202A && code_point <= 0x202E) ||
         (code_point >= 0x2066 && code_point <= 0x2069);
}

std::optional<ControlCharacter> find_control_character(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    const auto step = decode_utf8(text, at);
    if (step.valid && is_control_character(step.code_point)) {
      return ControlCharacter{.code_point = step.code_point, .byte = at};
    }
    at += step.length;
  }
  return std::nullopt;
}

std::string code_point_name(char32_t code_point) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string digits;
  for (auto value = static_cast<std::uint32_t>(code_point); value != 0 || digits.size() < 4;
       value >>= 4) {
    digits.insert(digits.begin(), kHex[value & 0xFu]);
  }
  return "U+" + digits;
}

}  // namespace parley
