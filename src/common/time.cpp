#include "parley/common/time.hpp"

#include <cstdio>
#include <ctime>

namespace parley {

std::string format_rfc3339(std::chrono::system_clock::time_point time) {
  // floor, not duration_cast: before 1970 truncation toward zero would give a negative
  // millisecond field ("00:00:00.-01Z") and the wrong second.
  const auto whole_ms = std::chrono::floor<std::chrono::milliseconds>(time);
  const auto whole_s = std::chrono::floor<std::chrono::seconds>(whole_ms);
  const auto ms = (whole_ms - whole_s).count();  // 0..999
  const auto seconds = static_cast<std::time_t>(whole_s.time_since_epoch().count());
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  const int n = std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                              utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                              utc.tm_min, utc.tm_sec, static_cast<int>(ms));
  return std::string(buffer, static_cast<std::size_t>(n));
}

}  // namespace parley
