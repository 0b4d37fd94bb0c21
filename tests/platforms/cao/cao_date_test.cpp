#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <string_view>

#include "parley/common/time.hpp"
#include "parley/platforms/cao/webhook.hpp"
#include "parley/sources/errors.hpp"

namespace parley::sources {
namespace {

// The date as RFC 3339, or "error: <message>".
std::string parsed(std::string_view text) {
  const auto result = parse_cao_date(text);
  if (!result.ok()) return "error: " + result.error().message;
  return format_rfc3339(result.value());
}

bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

::testing::AssertionResult refused_with(std::string_view text, std::string_view part) {
  const auto result = parse_cao_date(text);
  if (result.ok()) {
    return ::testing::AssertionFailure() << "accepted as " << format_rfc3339(result.value());
  }
  if (result.error().code != sources::Errc::invalid) {
    return ::testing::AssertionFailure() << "code " << result.error().code.message();
  }
  if (!contains(result.error().message, part)) {
    return ::testing::AssertionFailure()
           << "message '" << result.error().message << "' lacks '" << part << "'";
  }
  return ::testing::AssertionSuccess();
}

// --- US format ---

TEST(CaoDate, UsFormatFromTheReference) {
  EXPECT_EQ(parsed("6/15/2015 4:13 PM"), "2015-06-15T16:13:00.000Z");
  EXPECT_EQ(parsed("6/12/2015 10:58 PM"), "2015-06-12T22:58:00.000Z");
  EXPECT_EQ(parsed("6/12/2015 10:59 PM"), "2015-06-12T22:59:00.000Z");
}

TEST(CaoDate, UsFormatWithSeconds) {
  EXPECT_EQ(parsed("6/15/2015 4:13:05 PM"), "2015-06-15T16:13:05.000Z");
  EXPECT_EQ(parsed("6/15/2015 4:13:59 AM"), "2015-06-15T04:13:59.000Z");
}

TEST(CaoDate, UsFormatOneOrTwoDigits) {
  EXPECT_EQ(parsed("1/2/2015 3:04 AM"), "2015-01-02T03:04:00.000Z");
  EXPECT_EQ(parsed("01/02/2015 03:04 AM"), "2015-01-02T03:04:00.000Z");
  EXPECT_EQ(parsed("12/31/2015 11:59 PM"), "2015-12-31T23:59:00.000Z");
  EXPECT_EQ(parsed("10/1/2015 9:00 AM"), "2015-10-01T09:00:00.000Z");
}

TEST(CaoDate, TwelveOClock) {
  EXPECT_EQ(parsed("1/1/2015 12:00 AM"), "2015-01-01T00:00:00.000Z");  // midnight
  EXPECT_EQ(parsed("1/1/2015 12:59:59 AM"), "2015-01-01T00:59:59.000Z");
  EXPECT_EQ(parsed("1/1/2015 12:00 PM"), "2015-01-01T12:00:00.000Z");  // noon
  EXPECT_EQ(parsed("1/1/2015 12:30 PM"), "2015-01-01T12:30:00.000Z");
  EXPECT_EQ(parsed("1/1/2015 1:00 AM"), "2015-01-01T01:00:00.000Z");
  EXPECT_EQ(parsed("1/1/2015 1:00 PM"), "2015-01-01T13:00:00.000Z");
  EXPECT_EQ(parsed("1/1/2015 11:00 AM"), "2015-01-01T11:00:00.000Z");
}

TEST(CaoDate, MeridiemSpellings) {
  for (const char* text : {"6/15/2015 4:13 PM", "6/15/2015 4:13 pm", "6/15/2015 4:13 Pm",
                           "6/15/2015 4:13PM", "6/15/2015 4:13  PM", "6/15/2015  4:13 PM"}) {
    EXPECT_EQ(parsed(text), "2015-06-15T16:13:00.000Z") << text;
  }
  EXPECT_EQ(parsed("6/15/2015 4:13 am"), "2015-06-15T04:13:00.000Z");
}

TEST(CaoDate, SurroundingBlanksAreIgnored) {
  EXPECT_EQ(parsed(" 6/15/2015 4:13 PM "), "2015-06-15T16:13:00.000Z");
  EXPECT_EQ(parsed("\t6/15/2015 4:13 PM\t"), "2015-06-15T16:13:00.000Z");
}

// --- ISO-like format ---

TEST(CaoDate, IsoFromTheReferenceWithItsStraySpace) {
  EXPECT_EQ(parsed("2015-01-01T00:00:00 "), "2015-01-01T00:00:00.000Z");
  EXPECT_EQ(parsed("2015-01-01T00:00:00"), "2015-01-01T00:00:00.000Z");
  EXPECT_EQ(parsed("   2015-01-01T00:00:00   "), "2015-01-01T00:00:00.000Z");
}

TEST(CaoDate, IsoFractions) {
  EXPECT_EQ(parsed("2015-06-15T16:13:05.123"), "2015-06-15T16:13:05.123Z");
  EXPECT_EQ(parsed("2015-06-15T16:13:05.5"), "2015-06-15T16:13:05.500Z");
  EXPECT_EQ(parsed("2015-06-15T16:13:05.1239999"), "2015-06-15T16:13:05.123Z");  // .NET 7 digits
  EXPECT_EQ(parsed("2015-06-15T16:13:05.000000000001"), "2015-06-15T16:13:05.000Z");
  const auto precise = parse_cao_date("2015-06-15T16:13:05.123456789");
  ASSERT_TRUE(precise.ok());
  const auto since_second =
      precise.value() - std::chrono::floor<std::chrono::seconds>(precise.value());
  EXPECT_EQ(std::chrono::duration_cast<std::chrono::microseconds>(since_second).count(), 123456);
}

TEST(CaoDate, IsoZulu) {
  EXPECT_EQ(parsed("2015-06-15T16:13:05Z"), "2015-06-15T16:13:05.000Z");
  EXPECT_EQ(parsed("2015-06-15T16:13:05z"), "2015-06-15T16:13:05.000Z");
  EXPECT_EQ(parsed("2015-06-15T16:13:05.250Z "), "2015-06-15T16:13:05.250Z");
}

TEST(CaoDate, IsoOffsetsAreApplied) {
  EXPECT_EQ(parsed("2015-06-15T18:13:05+02:00"), "2015-06-15T16:13:05.000Z");
  EXPECT_EQ(parsed("2015-06-15T10:43:05-05:30"), "2015-06-15T16:13:05.000Z");
  EXPECT_EQ(parsed("2015-06-15T16:13:05+00:00"), "2015-06-15T16:13:05.000Z");
  EXPECT_EQ(parsed("2015-06-15T16:13:05-00:00"), "2015-06-15T16:13:05.000Z");
  EXPECT_EQ(parsed("2015-01-01T01:00:00+02:00"), "2014-12-31T23:00:00.000Z");  // previous year
  EXPECT_EQ(parsed("2016-02-28T23:30:00-01:00"), "2016-02-29T00:30:00.000Z");  // into leap day
  EXPECT_EQ(parsed("2015-06-15T16:13:05.5+01:00"), "2015-06-15T15:13:05.500Z");
}

// --- ranges ---

TEST(CaoDate, LeapYears) {
  EXPECT_EQ(parsed("2/29/2016 1:00 PM"), "2016-02-29T13:00:00.000Z");
  EXPECT_EQ(parsed("2016-02-29T00:00:00"), "2016-02-29T00:00:00.000Z");
  EXPECT_EQ(parsed("2000-02-29T00:00:00"), "2000-02-29T00:00:00.000Z");  // divisible by 400
  EXPECT_TRUE(refused_with("2/29/2015 1:00 PM", "day 29 is not 1-28 in 2015-02"));
  EXPECT_TRUE(refused_with("1900-02-29T00:00:00", "day 29 is not 1-28 in 1900-02"));  // by 100
  EXPECT_TRUE(refused_with("2100-02-29T00:00:00", "day 29 is not 1-28 in 2100-02"));
  EXPECT_TRUE(refused_with("2016-02-30T00:00:00", "day 30 is not 1-29 in 2016-02"));
}

TEST(CaoDate, DaysPerMonth) {
  const int last_day[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int month = 1; month <= 12; ++month) {
    const std::string last =
        std::to_string(month) + "/" + std::to_string(last_day[month - 1]) + "/2015 1:00 AM";
    EXPECT_TRUE(parse_cao_date(last).ok()) << last;
    const std::string after =
        std::to_string(month) + "/" + std::to_string(last_day[month - 1] + 1) + "/2015 1:00 AM";
    EXPECT_TRUE(refused_with(after, "day " + std::to_string(last_day[month - 1] + 1) +
                                        " is not 1-" + std::to_string(last_day[month - 1])))
        << after;
    const std::string zero = std::to_string(month) + "/0/2015 1:00 AM";
    EXPECT_TRUE(refused_with(zero, "day 0 is not")) << zero;
  }
  EXPECT_TRUE(refused_with("2015-04-31T00:00:00", "day 31 is not 1-30 in 2015-04"));
  EXPECT_TRUE(refused_with("2015-12-32T00:00:00", "day 32 is not 1-31 in 2015-12"));
}

TEST(CaoDate, Months) {
  EXPECT_TRUE(refused_with("0/1/2015 1:00 AM", "month 0 is not 1-12"));
  EXPECT_TRUE(refused_with("13/1/2015 1:00 AM", "month 13 is not 1-12"));
  EXPECT_TRUE(refused_with("2015-00-01T00:00:00", "month 0 is not 1-12"));
  EXPECT_TRUE(refused_with("2015-13-01T00:00:00", "month 13 is not 1-12"));
}

TEST(CaoDate, Hours) {
  EXPECT_TRUE(refused_with("6/15/2015 0:13 PM", "hour 0 is not 1-12"));
  EXPECT_TRUE(refused_with("6/15/2015 13:13 PM", "hour 13 is not 1-12"));
  EXPECT_TRUE(refused_with("6/15/2015 00:13 AM", "hour 0 is not 1-12"));
  EXPECT_EQ(parsed("2015-06-15T23:00:00"), "2015-06-15T23:00:00.000Z");
  EXPECT_TRUE(refused_with("2015-06-15T24:00:00", "hour 24 is not 0-23"));
}

TEST(CaoDate, MinutesAndSeconds) {
  EXPECT_TRUE(refused_with("6/15/2015 4:60 PM", "minute 60 is not 0-59"));
  EXPECT_TRUE(refused_with("6/15/2015 4:13:60 PM", "second 60 is not 0-59"));
  EXPECT_TRUE(refused_with("2015-06-15T16:60:00", "minute 60 is not 0-59"));
  EXPECT_TRUE(refused_with("2015-06-15T16:13:60", "second 60 is not 0-59"));  // no leap seconds
  EXPECT_TRUE(refused_with("2015-06-15T16:13:99", "second 99 is not 0-59"));
}

TEST(CaoDate, Offsets) {
  EXPECT_TRUE(refused_with("2015-06-15T16:13:05+24:00", "offset hour 24 is not 0-23"));
  EXPECT_TRUE(refused_with("2015-06-15T16:13:05-01:60", "offset minute 60 is not 0-59"));
  EXPECT_EQ(parsed("2015-06-15T16:13:05+23:59"), "2015-06-14T16:14:05.000Z");
}

TEST(CaoDate, Years) {
  EXPECT_EQ(parsed("1900-01-01T00:00:00"), "1900-01-01T00:00:00.000Z");
  EXPECT_EQ(parsed("2199-12-31T23:59:59.999"), "2199-12-31T23:59:59.999Z");
  EXPECT_EQ(parsed("12/31/2199 11:59:59 PM"), "2199-12-31T23:59:59.000Z");
  EXPECT_TRUE(refused_with("1899-12-31T23:59:59", "year 1899 is not 1900-2199"));
  EXPECT_TRUE(refused_with("2200-01-01T00:00:00", "year 2200 is not 1900-2199"));
  EXPECT_TRUE(refused_with("0001-01-01T00:00:00", "year 1 is not 1900-2199"));  // .NET MinValue
  EXPECT_TRUE(refused_with("12/31/9999 11:59:59 PM", "year 9999 is not 1900-2199"));
}

TEST(CaoDate, RangeErrorMessageIsExact) {
  const auto result = parse_cao_date(" 2/29/2015 1:00 PM");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            "field DateTime: invalid date ' 2/29/2015 1:00 PM': day 29 is not 1-28 in 2015-02");
}

// --- unrecognized shapes ---

TEST(CaoDate, UnrecognizedMessageIsExact) {
  const auto result = parse_cao_date("yesterday");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, sources::Errc::invalid);
  EXPECT_EQ(result.error().message,
            "field DateTime: unrecognized date 'yesterday'; expected M/D/YYYY h:mm AM/PM or "
            "YYYY-MM-DDThh:mm:ss");
}

TEST(CaoDate, FieldNameIsTheCallers) {
  const auto result = parse_cao_date("nope", "TimeStamp");
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.error().message.starts_with("field TimeStamp: unrecognized date 'nope'"))
      << result.error().message;
}

TEST(CaoDate, UnrecognizedShapes) {
  for (const std::string_view text : {
           "",
           "   ",
           "now",
           "1434384780",                  // epoch seconds
           "6/15/2015",                   // no time
           "6/15/2015 4:13",              // no AM/PM
           "6/15/2015 16:13",             // 24-hour clock in US order
           "6/15/2015 4:13 XM",           // bad meridiem
           "6/15/2015 4:13 P",            // half a meridiem
           "6/15/2015 4:13 P M",          // split meridiem
           "6/15/2015 4:13 PMZ",          // zone on US format
           "6/15/2015 4:13 PM extra",     // trailing text
           "6/15/15 4:13 PM",             // 2-digit year
           "6/15/20155 4:13 PM",          // 5-digit year
           "123/1/2015 4:13 PM",          // 3-digit month
           "6/123/2015 4:13 PM",          // 3-digit day
           "6/15/2015 123:13 PM",         // 3-digit hour
           "6/15/2015 4:3 PM",            // 1-digit minute
           "6/15/2015 4:13:5 PM",         // 1-digit second
           "6/15/2015 4:13: PM",          // colon without seconds
           "6/15/20154:13 PM",            // no space before the time
           "6-15-2015 4:13 PM",           // dashes in US order
           "15.06.2015 16:13",            // European
           "2015-1-1T00:00:00",           // 1-digit month and day
           "2015-01-01",                  // date only
           "2015-01-01T00:00",            // no seconds
           "2015-01-01 00:00:00",         // space for T
           "2015-01-01t00:00:00",         // lower-case t
           "2015-01-01T00:00:00.",        // empty fraction
           "2015-01-01T00:00:00,5",       // comma fraction
           "2015-01-01T00:00:00+0200",    // offset without colon
           "2015-01-01T00:00:00+02",      // offset hours only
           "2015-01-01T00:00:00+2:00",    // 1-digit offset hour
           "2015-01-01T00:00:00 Z",       // space before the zone
           "2015-01-01T00:00:00ZZ",       // two zones
           "2015-01-01T00:00:00Z+01:00",  // zone and offset
           "2015-01-01T00:00:00 PM",      // meridiem on ISO
           "+2015-01-01T00:00:00",        // signed year
           "20150101T000000",             // basic ISO format
           "2015-01-01T00:00:00\n",       // newline is not a blank
           "\xef\xbc\x92\xef\xbc\x90\xef\xbc\x91\xef\xbc\x95-01-01T00:00:00",  // full-width digits
       }) {
    EXPECT_TRUE(refused_with(text, "unrecognized date '" + std::string(text) + "'"))
        << "'" << text << "'";
  }
}

TEST(CaoDate, UnrecognizedKeepsTheOriginalTextInTheMessage) {
  EXPECT_TRUE(refused_with("  later  ", "unrecognized date '  later  '"));
}

// --- round trips ---

TEST(CaoDate, EveryHourOfSeveralYearsRoundTripsInBothFormats) {
  using namespace std::chrono;
  const auto start = sys_days(year(2015) / 1 / 1);
  const auto end = sys_days(year(2017) / 1 / 1);  // includes a leap year
  for (auto time = time_point_cast<minutes>(start); time < end; time += minutes(61)) {
    const auto day_point = floor<days>(time);
    const year_month_day date(day_point);
    const hh_mm_ss clock(time - day_point);
    const int hour = static_cast<int>(clock.hours().count());
    const int minute = static_cast<int>(clock.minutes().count());
    const int twelve = hour % 12 == 0 ? 12 : hour % 12;
    char us[64];
    std::snprintf(us, sizeof us, "%u/%u/%d %d:%02d %s", static_cast<unsigned>(date.month()),
                  static_cast<unsigned>(date.day()), static_cast<int>(date.year()), twelve, minute,
                  hour < 12 ? "AM" : "PM");
    char iso[64];
    std::snprintf(iso, sizeof iso, "%04d-%02u-%02uT%02d:%02d:00", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), hour,
                  minute);
    const auto expected = format_rfc3339(time);
    ASSERT_EQ(parsed(us), expected) << us;
    ASSERT_EQ(parsed(iso), expected) << iso;
  }
}

}  // namespace
}  // namespace parley::sources
