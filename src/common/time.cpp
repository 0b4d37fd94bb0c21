#include "parley/common/time.hpp"

#include <cstdint>
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

namespace {

// Howard Hinnant's days_from_civil: days since 1970-01-01 of a proleptic Gregorian date.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool is_leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// Reads exactly `width` digits at `pos`.
std::optional<unsigned> digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  unsigned value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  return value;
}

bool at(std::string_view text, std::size_t pos, std::string_view accepted) {
  return pos < text.size() && accepted.find(text[pos]) != std::string_view::npos;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text) {
  const auto year = digits(text, 0, 4);
  const auto month = digits(text, 5, 2);
  const auto day = digits(text, 8, 2);
  const auto hour = digits(text, 11, 2);
  const auto minute = digits(text, 14, 2);
  const auto second = digits(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || !at(text, 4, "-") ||
      !at(text, 7, "-") || !at(text, 10, "Tt ") || !at(text, 13, ":") || !at(text, 16, ":")) {
    return std::nullopt;
  }
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (*month < 1 || *month > 12 || *day < 1 || *hour > 23 || *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  if (*day > kDays[*month - 1] + (*month == 2 && is_leap(*year) ? 1 : 0)) return std::nullopt;
  std::size_t pos = 19;
  std::int64_t ms = 0;
  if (at(text, pos, ".")) {
    ++pos;
    const std::size_t first = pos;
    std::int64_t scale = 100;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      ms += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == first) return std::nullopt;
  }
  std::int64_t offset_minutes = 0;
  if (at(text, pos, "Zz")) {
    ++pos;
  } else if (at(text, pos, "+-")) {
    const auto offset_hour = digits(text, pos + 1, 2);
    const auto offset_minute = digits(text, pos + 4, 2);
    if (!offset_hour || !offset_minute || !at(text, pos + 3, ":") || *offset_hour > 23 ||
        *offset_minute > 59) {
      return std::nullopt;
    }
    offset_minutes =
        (text[pos] == '-' ? -1 : 1) * static_cast<std::int64_t>(*offset_hour * 60 + *offset_minute);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const std::int64_t seconds = days_from_civil(*year, *month, *day) * 86400 +
                               std::int64_t{*hour} * 3600 + std::int64_t{*minute} * 60 + *second -
                               offset_minutes * 60;
  return std::chrono::system_clock::time_point(std::chrono::milliseconds(seconds * 1000 + ms));
}

}  // namespace parley
