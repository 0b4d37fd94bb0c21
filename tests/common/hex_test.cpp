#include "parley/common/hex.hpp"

#include <gtest/gtest.h>

namespace parley {
namespace {

TEST(Hex, DigitsOfEitherCaseAndNothingElse) {
  EXPECT_EQ(hex_digit('0'), 0);
  EXPECT_EQ(hex_digit('9'), 9);
  EXPECT_EQ(hex_digit('a'), 10);
  EXPECT_EQ(hex_digit('F'), 15);
  for (const char c : {'g', 'G', ' ', '%', '\0', '/'})
    EXPECT_EQ(hex_digit(c), -1) << c;
}

TEST(Hex, PercentDecodingTurnsPlusIntoASpaceOnlyWhenAsked) {
  EXPECT_EQ(percent_decode("a%2Fb+c%20d", /*plus_is_space=*/true), "a/b c d");
  EXPECT_EQ(percent_decode("a%2Fb+c%20d", /*plus_is_space=*/false), "a/b+c d");
}

TEST(Hex, AMalformedEscapeStaysAsWritten) {
  EXPECT_EQ(percent_decode("100%", true), "100%");
  EXPECT_EQ(percent_decode("%zz%4", true), "%zz%4");
  EXPECT_EQ(percent_decode("%4a%4A", false), "JJ");
}

}  // namespace
}  // namespace parley
