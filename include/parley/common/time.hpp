#pragma once

#include <chrono>
#include <string>

namespace parley {

/// RFC 3339 UTC with milliseconds: "2026-11-21T10:02:17.123Z".
std::string format_rfc3339(std::chrono::system_clock::time_point time);

}  // namespace parley
