#include "parley/common/time.hpp"

#include <gtest/gtest.h>

#include <chrono>
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

}  // namespace
}  // namespace parley
