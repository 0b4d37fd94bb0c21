#include "parley/common/json_writer.hpp"

#include "parley/common/utf8.hpp"

namespace parley::json {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void append_unicode_escape(std::string& out, char32_t code_point) {
  out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) {
    out.push_back(kHex[(code_point >> shift) & 0xFu]);
  }
}

// C1 controls and bidi controls: valid JSON may carry them raw, but a terminal or an editor
// showing a log line or an answer would act on them (a C1 CSI starts an escape sequence, an
// override makes text display reversed); escaped, they read back as the same string.
bool escaped_beyond_ascii(char32_t code_point) {
  return code_point >= 0x80 && is_control_character(code_point);
}

// How many bytes from `at` on are ASCII that JSON carries as they are: U+0020 to U+007F
// (DEL included, as before) but the quote and the backslash.
std::size_t plain_run(std::string_view text, std::size_t at) {
  std::size_t end = at;
  while (end < text.size()) {
    const auto u = static_cast<unsigned char>(text[end]);
    if (u < 0x20 || u >= 0x80 || u == '"' || u == '\\') break;
    ++end;
  }
  return end - at;
}

}  // namespace

void append_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (std::size_t at = 0; at < text.size();) {
    // Most text is plain ASCII: copy each run of it at once (the hot path of every event).
    if (const auto run = plain_run(text, at); run > 0) {
      out.append(text.data() + at, run);
      at += run;
      continue;
    }
    const char c = text[at];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const auto step = decode_utf8(text, at);
      if (!step.valid) {
        out += "\xEF\xBF\xBD";  // U+FFFD: the output stays valid UTF-8
      } else if (escaped_beyond_ascii(step.code_point)) {
        append_unicode_escape(out, step.code_point);
      } else {
        out.append(text.substr(at, step.length));
      }
      at += step.length;
      continue;
    }
    ++at;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (u < 0x20) {
          append_unicode_escape(out, u);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

}  // namespace parley::json
