#include <cstdint>

#include "parley/platforms/cao/webhook.hpp"
#include "parley/sources/json.hpp"

namespace parley::sources {
namespace {

// Before 1900 or after 2199 a CAO date is a sentinel (.NET's 0001-01-01) or garbage, and
// system_clock's nanoseconds cannot hold years beyond 2262 without overflowing.
constexpr int kMinYear = 1900;
constexpr int kMaxYear = 2199;

// The parts of a date as written, before any range check.
struct DateParts {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  std::int64_t nanoseconds = 0;
  bool twelve_hour = false;  // hour is 1..12 and `pm` applies
  bool pm = false;
  int offset_sign = 0;  // 0: no offset given
  int offset_hours = 0, offset_minutes = 0;
};

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool at_end() const { return pos_ == text_.size(); }

  bool eat(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // Case-insensitive ASCII letter.
  bool eat_letter(char lower) {
    if (at_end() || (text_[pos_] | 0x20) != lower) return false;
    ++pos_;
    return true;
  }

  std::size_t skip_spaces() {
    const std::size_t start = pos_;
    while (!at_end() && text_[pos_] == ' ')
      ++pos_;
    return pos_ - start;
  }

  // min..max ASCII digits as a number; false when fewer than `min`. A digit after `max`
  // is left for the next expectation to refuse.
  bool number(std::size_t min, std::size_t max, int& out) {
    std::size_t count = 0;
    int value = 0;
    while (count < max && !at_end() && is_digit(text_[pos_])) {
      value = value * 10 + (text_[pos_] - '0');
      ++pos_;
      ++count;
    }
    out = value;
    return count >= min;
  }

  // A fraction's digits as nanoseconds; digits past the ninth are read and dropped.
  bool fraction(std::int64_t& nanoseconds) {
    std::size_t count = 0;
    std::int64_t value = 0;
    while (!at_end() && is_digit(text_[pos_])) {
      if (count < 9) value = value * 10 + (text_[pos_] - '0');
      ++pos_;
      ++count;
    }
    for (std::size_t i = count; i < 9; ++i)
      value *= 10;
    nanoseconds = value;
    return count > 0;
  }

 private:
  static bool is_digit(char c) { return c >= '0' && c <= '9'; }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// M/D/YYYY h:mm[:ss] AM|PM
std::optional<DateParts> scan_us(std::string_view text) {
  Scanner in(text);
  DateParts parts;
  parts.twelve_hour = true;
  if (!in.number(1, 2, parts.month) || !in.eat('/')) return std::nullopt;
  if (!in.number(1, 2, parts.day) || !in.eat('/')) return std::nullopt;
  if (!in.number(4, 4, parts.year) || in.skip_spaces() == 0) return std::nullopt;
  if (!in.number(1, 2, parts.hour) || !in.eat(':')) return std::nullopt;
  if (!in.number(2, 2, parts.minute)) return std::nullopt;
  if (in.eat(':') && !in.number(2, 2, parts.second)) return std::nullopt;
  in.skip_spaces();
  if (in.eat_letter('p')) {
    parts.pm = true;
  } else if (!in.eat_letter('a')) {
    return std::nullopt;
  }
  if (!in.eat_letter('m') || !in.at_end()) return std::nullopt;
  return parts;
}

// YYYY-MM-DDThh:mm:ss[.fraction][Z|+hh:mm|-hh:mm]
std::optional<DateParts> scan_iso(std::string_view text) {
  Scanner in(text);
  DateParts parts;
  if (!in.number(4, 4, parts.year) || !in.eat('-')) return std::nullopt;
  if (!in.number(2, 2, parts.month) || !in.eat('-')) return std::nullopt;
  if (!in.number(2, 2, parts.day) || !in.eat('T')) return std::nullopt;
  if (!in.number(2, 2, parts.hour) || !in.eat(':')) return std::nullopt;
  if (!in.number(2, 2, parts.minute) || !in.eat(':')) return std::nullopt;
  if (!in.number(2, 2, parts.second)) return std::nullopt;
  if (in.eat('.') && !in.fraction(parts.nanoseconds)) return std::nullopt;
  if (in.eat('+')) {
    parts.offset_sign = 1;
  } else if (in.eat('-')) {
    parts.offset_sign = -1;
  } else {
    in.eat_letter('z');  // UTC, the same as no zone
  }
  if (parts.offset_sign != 0) {
    if (!in.number(2, 2, parts.offset_hours) || !in.eat(':')) return std::nullopt;
    if (!in.number(2, 2, parts.offset_minutes)) return std::nullopt;
  }
  if (!in.at_end()) return std::nullopt;
  return parts;
}

std::string range(std::string_view what, int value, int low, int high) {
  return std::string(what) + " " + std::to_string(value) + " is not " + std::to_string(low) + "-" +
         std::to_string(high);
}

// Empty when every part is in range, else which part is not.
std::string range_problem(const DateParts& p) {
  using namespace std::chrono;
  if (p.year < kMinYear || p.year > kMaxYear) return range("year", p.year, kMinYear, kMaxYear);
  if (p.month < 1 || p.month > 12) return range("month", p.month, 1, 12);
  const auto last =
      year_month_day_last(year(p.year), month_day_last(month(static_cast<unsigned>(p.month))))
          .day();
  const int last_day = static_cast<int>(static_cast<unsigned>(last));
  if (p.day < 1 || p.day > last_day) {
    return range("day", p.day, 1, last_day) + " in " + std::to_string(p.year) + "-" +
           (p.month < 10 ? "0" : "") + std::to_string(p.month);
  }
  if (p.twelve_hour && (p.hour < 1 || p.hour > 12)) return range("hour", p.hour, 1, 12);
  if (!p.twelve_hour && p.hour > 23) return range("hour", p.hour, 0, 23);
  if (p.minute > 59) return range("minute", p.minute, 0, 59);
  if (p.second > 59) return range("second", p.second, 0, 59);
  if (p.offset_hours > 23) return range("offset hour", p.offset_hours, 0, 23);
  if (p.offset_minutes > 59) return range("offset minute", p.offset_minutes, 0, 59);
  return {};
}

std::string_view trim_blanks(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

}  // namespace

Result<std::chrono::system_clock::time_point, Error> parse_cao_date(std::string_view text,
                                                                    std::string_view field) {
  using namespace std::chrono;
  const std::string_view trimmed = trim_blanks(text);
  auto parts = scan_us(trimmed);
  if (!parts) parts = scan_iso(trimmed);
  if (!parts) {
    return field_error(field, "unrecognized date '" + std::string(text) +
                                  "'; expected M/D/YYYY h:mm AM/PM or YYYY-MM-DDThh:mm:ss");
  }
  if (const auto problem = range_problem(*parts); !problem.empty()) {
    return field_error(field, "invalid date '" + std::string(text) + "': " + problem);
  }
  int hour = parts->hour;
  // 12 AM is midnight and 12 PM noon: the 12 belongs to the half-day before it.
  if (parts->twelve_hour) hour = hour % 12 + (parts->pm ? 12 : 0);
  const year_month_day date{year(parts->year), month(static_cast<unsigned>(parts->month)),
                            day(static_cast<unsigned>(parts->day))};
  const auto offset =
      minutes(parts->offset_sign * (parts->offset_hours * 60 + parts->offset_minutes));
  const auto local = sys_days(date) + hours(hour) + minutes(parts->minute) +
                     seconds(parts->second) + nanoseconds(parts->nanoseconds);
  // "+02:00" means local time is ahead of UTC: subtract it to get UTC.
  return floor<system_clock::duration>(local - offset);
}

}  // namespace parley::sources
