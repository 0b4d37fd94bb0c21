#pragma once

#include <string>
#include <string_view>

namespace parley {

/// The value of hex digit `c` (0-9, a-f, A-F), or -1. Pure.
int hex_digit(char c);

/// `text` with every %XX escape decoded; '+' becomes a space when `plus_is_space` (query
/// strings and forms, not path segments). A malformed escape stays as written. Pure.
std::string percent_decode(std::string_view text, bool plus_is_space);

}  // namespace parley
