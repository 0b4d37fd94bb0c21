#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

// UTF-8 checks for text parley echoes (answers, logs, events) or copies into record keys,
// event ids and headers. Pure functions, thread-safe.
namespace parley {

/// One step of decoding `text` at byte `at` (at < text.size()). A well-formed sequence
/// (Unicode table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF) gives its
/// code point and length; an ill-formed one gives `valid == false` and the length of its
/// maximal subpart (at least 1), the bytes one U+FFFD stands for (Unicode 3.9, "U+FFFD
/// substitution of maximal subparts").
struct Utf8Step {
  char32_t code_point = 0;
  std::size_t length = 1;
  bool valid = false;
};
Utf8Step decode_utf8(std::string_view text, std::size_t at);

/// Whether all of `text` is well-formed UTF-8.
bool is_valid_utf8(std::string_view text);

/// `text` when it is well-formed UTF-8; else a copy with each ill-formed subpart replaced
/// by U+FFFD (EF BF BD). The result is always valid UTF-8. Use it for any text from outside
/// (a request path, a header, a body) before echoing it in an answer or a log line.
std::string valid_utf8_or_replaced(std::string_view text);

/// As valid_utf8_or_replaced(), appending to `out`.
void append_valid_utf8_or_replaced(std::string& out, std::string_view text);

/// Code points that must never reach a record key, an event id or a header, nor be echoed
/// unescaped: C0 controls (U+0000-U+001F), DEL (U+007F), C1 controls (U+0080-U+009F) and the
/// bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069),
/// which make text display as something else than it is.
bool is_control_character(char32_t code_point);

/// The first control character of `text` (is_control_character) and its byte offset
/// (0-based), or nullopt. Ill-formed UTF-8 is skipped here (see is_valid_utf8).
struct ControlCharacter {
  char32_t code_point;
  std::size_t byte;
};
std::optional<ControlCharacter> find_control_character(std::string_view text);

/// "U+000D": the code point in the usual notation, at least four hex digits.
std::string code_point_name(char32_t code_point);

}  // namespace parley
