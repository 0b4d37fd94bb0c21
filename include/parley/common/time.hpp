#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace parley {

/// RFC 3339 UTC with milliseconds: "2026-11-21T10:02:17.123Z".
std::string format_rfc3339(std::chrono::system_clock::time_point time);

/// Parses an RFC 3339 date-time ("2026-11-21T10:02:17Z", "2026-11-21T12:02:17.5+02:00";
/// 't'/'z' and a space for 'T' accepted, fractions beyond milliseconds dropped); nullopt
/// when `text` is not one. Pure.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace parley
