#include "parley/common/time.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <regex>
#include <string>

namespace parley {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

system_clock::time_point at_ms(long long ms) {
  return system_clock::time_point(milliseconds(ms));
}

TEST(Rfc3339, Epoch) {
  EXPECT_EQ(format_rfc3339(at_ms(0)), "1970-01-01T00:00:00.000Z");
}

TEST(Rfc3339, KnownInstant) {
  // 1700000000 s = 2023-11-14T22:13:20Z.
  EXPECT_EQ(format_rfc3339(at_ms(1'700'000'000'123)), "2023-11-14T22:13:20.123Z");
}

TEST(Rfc3339, ExampleFromTheDesign) {
  // 2026-11-21T10:02:17Z = 1795255337 s.
  EXPECT_EQ(format_rfc3339(at_ms(1'795'255'337'123)), "2026-11-21T10:02:17.123Z");
}

TEST(Rfc3339, MillisecondsAreZeroPadded) {
  EXPECT_EQ(format_rfc3339(at_ms(1'700'000'000'001)), "2023-11-14T22:13:20.001Z");
  EXPECT_EQ(format_rfc3339(at_ms(1'700'000'000'010)), "2023-11-14T22:13:20.010Z");
  EXPECT_EQ(format_rfc3339(at_ms(1'700'000'000'999)), "2023-11-14T22:13:20.999Z");
}

TEST(Rfc3339, SubMillisecondPrecisionIsTruncated) {
  const auto time = at_ms(1'700'000'000'123) + std::chrono::microseconds(999);
  EXPECT_EQ(format_rfc3339(time), "2023-11-14T22:13:20.123Z");
}

TEST(Rfc3339, LeapDayAndYearEnd) {
  // 2024-02-29T23:59:59.999Z = 1709251199.999 s.
  EXPECT_EQ(format_rfc3339(at_ms(1'709'251'199'999)), "2024-02-29T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(at_ms(1'709'251'200'000)), "2024-03-01T00:00:00.000Z");
  // 2023-12-31T23:59:59.999Z -> 2024-01-01T00:00:00.000Z.
  EXPECT_EQ(format_rfc3339(at_ms(1'704'067'199'999)), "2023-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(at_ms(1'704'067'200'000)), "2024-01-01T00:00:00.000Z");
}

TEST(Rfc3339, InstantsBeforeTheEpochStayWellFormed) {
  // A platform timestamp can be anything; the event's `time` must still be RFC 3339.
  EXPECT_EQ(format_rfc3339(at_ms(-1)), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_rfc3339(at_ms(-1000)), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(format_rfc3339(at_ms(-1001)), "1969-12-31T23:59:58.999Z");
}

TEST(Rfc3339, NowHasTheContractShape) {
  const std::regex shape(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)");
  const auto text = format_rfc3339(system_clock::now());
  EXPECT_TRUE(std::regex_match(text, shape)) << text;
}

std::optional<long long> parsed_ms(std::string_view text) {
  const auto time = parse_rfc3339(text);
  if (!time) return std::nullopt;
  return std::chrono::duration_cast<milliseconds>(time->time_since_epoch()).count();
}

TEST(ParseRfc3339, ReadsWhatFormatWrites) {
  for (const long long ms : {0LL, 1'700'000'000'123LL, 1'795'255'337'123LL, 951'782'400'000LL}) {
    EXPECT_EQ(parsed_ms(format_rfc3339(at_ms(ms))), ms) << format_rfc3339(at_ms(ms));
  }
}

TEST(ParseRfc3339, OffsetsFractionsAndSpellings) {
  EXPECT_EQ(parsed_ms("2023-11-14T22:13:20Z"), 1'700'000'000'000LL);
  EXPECT_EQ(parsed_ms("2023-11-15T00:13:20+02:00"), 1'700'000'000'000LL);
  EXPECT_EQ(parsed_ms("2023-11-14T21:43:20.5-00:30"), 1'700'000'000'500LL);
  EXPECT_EQ(parsed_ms("2023-11-14 22:13:20.123456z"), 1'700'000'000'123LL);
  EXPECT_EQ(parsed_ms("2024-02-29T00:00:00Z"), 1'709'164'800'000LL);
}

TEST(ParseRfc3339, RefusesWhatIsNotOne) {
  for (const std::string_view bad :
       {"", "yesterday", "2023-11-14", "2023-11-14T22:13:20", "2023-11-14T22:13:20+2",
        "2023-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2023-11-14T24:00:00Z",
        "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20Zjunk", "2023-11-14T22:13:2xZ"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
}

}  // namespace
}  // namespace parley
