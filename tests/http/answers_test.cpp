#include "parley/http/answers.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

namespace parley::http {
namespace {

struct Mapping {
  Errc code;
  const char* name;
  unsigned status;
  unsigned retry_after;
  std::string_view outcome;
};

// The whole table, one row per Errc. The static_assert below fails when an Errc is
// added, so a new code cannot ship without its row.
constexpr Mapping kMappings[] = {
    {Errc::bad_request, "bad_request", 400, 0, "invalid"},
    {Errc::unauthorized, "unauthorized", 401, 0, "unauthorized"},
    {Errc::not_found, "not_found", 404, 0, "invalid"},
    {Errc::method_not_allowed, "method_not_allowed", 405, 0, "invalid"},
    {Errc::payload_too_large, "payload_too_large", 413, 0, "too_large"},
    {Errc::header_too_large, "header_too_large", 431, 0, "too_large"},
    {Errc::unsupported_media_type, "unsupported_media_type", 415, 0, "invalid"},
    {Errc::request_timeout, "request_timeout", 408, 0, "timeout"},
    {Errc::overloaded, "overloaded", 429, 1, "overloaded"},
    {Errc::draining, "draining", 503, 5, "draining"},
    {Errc::kafka_unavailable, "kafka_unavailable", 503, 5, "publish_failed"},
    {Errc::kafka_timeout, "kafka_timeout", 503, 5, "publish_failed"},
    {Errc::kafka_too_large, "kafka_too_large", 413, 0, "too_large"},
    {Errc::kafka_invalid_record, "kafka_invalid_record", 400, 0, "invalid"},
    {Errc::kafka_refused, "kafka_refused", 500, 0, "publish_failed"},
    {Errc::internal, "internal", 500, 0, "internal"},
    {Errc::spool_unavailable, "spool_unavailable", 503, 5, "publish_failed"},
};
static_assert(static_cast<int>(Errc::spool_unavailable) == 16,
              "a new Errc needs a row in kMappings (and in error.cpp)");
static_assert(std::size(kMappings) == 17);

class ErrorMapping : public ::testing::TestWithParam<Mapping> {};

TEST_P(ErrorMapping, HttpStatus) {
  EXPECT_EQ(http_status(GetParam().code), GetParam().status);
}

TEST_P(ErrorMapping, RetryAfter) {
  EXPECT_EQ(retry_after_seconds(GetParam().code), GetParam().retry_after);
}

TEST_P(ErrorMapping, MetricOutcome) {
  EXPECT_EQ(metric_outcome(GetParam().code), GetParam().outcome);
}

INSTANTIATE_TEST_SUITE_P(EveryErrc, ErrorMapping, ::testing::ValuesIn(kMappings),
                         [](const auto& test) { return std::string(test.param.name); });

TEST(Error, TableCoversEveryCodeOnce) {
  std::set<int> codes;
  for (const auto& mapping : kMappings)
    codes.insert(static_cast<int>(mapping.code));
  EXPECT_EQ(codes.size(), std::size(kMappings));
  EXPECT_EQ(*codes.begin(), 0);
  EXPECT_EQ(*codes.rbegin(), static_cast<int>(std::size(kMappings)) - 1);
}

TEST(Error, RetryAfterExactlyWhenRetryingLaterCanHelp) {
  for (const auto& mapping : kMappings) {
    const unsigned status = http_status(mapping.code);
    const bool transient = status == 429 || status == 503;
    EXPECT_EQ(retry_after_seconds(mapping.code) > 0, transient) << mapping.name;
  }
}

TEST(Error, EveryCodeIsAClientOrServerError) {
  for (const auto& mapping : kMappings) {
    const unsigned status = http_status(mapping.code);
    EXPECT_GE(status, 400u) << mapping.name;
    EXPECT_LT(status, 600u) << mapping.name;
    const bool server_fault = mapping.code == Errc::kafka_refused || mapping.code == Errc::internal;
    EXPECT_EQ(status == 500u, server_fault) << mapping.name << " fell through to the default";
  }
}

TEST(Error, OutcomesAreMetricLabels) {
  // DESIGN.md's outcome label set, plus parley's documented extensions.
  const std::set<std::string_view> labels = {
      "accepted",       "duplicate", "unauthorized", "invalid",  "too_large", "overloaded",
      "publish_failed", "draining",  "timeout",      "internal", "spooled"};
  for (const auto& mapping : kMappings) {
    EXPECT_TRUE(labels.contains(metric_outcome(mapping.code))) << mapping.name;
  }
}

TEST(Error, UnknownCodeFallsBackSafely) {
  const auto unknown = static_cast<Errc>(99);
  EXPECT_EQ(http_status(unknown), 500u);
  EXPECT_EQ(retry_after_seconds(unknown), 0u);
  EXPECT_EQ(metric_outcome(unknown), "invalid");
}

}  // namespace
}  // namespace parley::http
