#pragma once

#include <string>
#include <string_view>

namespace parley::json {

/// Appends `text` to `out` as a JSON string literal (with quotes), escaping quotes,
/// backslashes and control characters (C0, C1 and the bidi controls U+202A-U+202E and
/// U+2066-U+2069, as \uXXXX). Ill-formed UTF-8 is replaced by U+FFFD
/// (valid_utf8_or_replaced, common/utf8.hpp), so the output is always valid UTF-8 JSON
/// whatever the input: answers and log lines may quote what a client sent.
void append_string(std::string& out, std::string_view text);

/// Writes one JSON object into `out`: `{` on construction, `}` on destruction, and the
/// separating commas between members. Borrows `out`; not thread-safe.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_.push_back('{'); }
  ~ObjectWriter() { out_.push_back('}'); }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  /// `"name":"value"`, skipped when value is empty (parley omits absent fields).
  void string(std::string_view name, std::string_view value) {
    if (value.empty()) return;
    key(name);
    append_string(out_, value);
  }
  /// Starts a member whose value the caller writes next.
  std::string& key(std::string_view name) {
    if (!first_) out_.push_back(',');
    first_ = false;
    append_string(out_, name);
    out_.push_back(':');
    return out_;
  }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace parley::json
