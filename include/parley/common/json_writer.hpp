#pragma once

#include <string>
#include <string_view>

namespace parley::json {

/// Appends `text` to `out` as a JSON string literal (with quotes), escaping quotes,
/// backslashes and control characters. Input is assumed to be UTF-8 and is copied as is.
void append_string(std::string& out, std::string_view text);

}  // namespace parley::json
