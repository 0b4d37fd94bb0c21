#include "parley/http/answers.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>

#include "parley/http/errors.hpp"
#include "parley/kafka/errors.hpp"
#include "parley/sources/errors.hpp"
#include "parley/spool/errors.hpp"

namespace parley::http {
namespace {

struct Mapping {
  std::error_code code;
  const char* name;
  unsigned status;
  unsigned retry_after;
  std::string_view outcome;
};

// The whole table, one row per code of every domain on the request path. The
// static_asserts below fail when a code is added, so a new code cannot ship without its row.
const Mapping kMappings[] = {
    {sources::Errc::invalid, "input_invalid", 400, 0, "invalid"},
    {sources::Errc::unauthorized, "input_unauthorized", 401, 0, "unauthorized"},
    {Errc::malformed, "http_malformed", 400, 0, "invalid"},
    {Errc::not_found, "http_not_found", 404, 0, "invalid"},
    {Errc::method_not_allowed, "http_method_not_allowed", 405, 0, "invalid"},
    {Errc::payload_too_large, "http_payload_too_large", 413, 0, "too_large"},
    {Errc::header_too_large, "http_header_too_large", 431, 0, "too_large"},
    {Errc::unsupported_media_type, "http_unsupported_media_type", 415, 0, "invalid"},
    {Errc::request_timeout, "http_request_timeout", 408, 0, "timeout"},
    {Errc::overloaded, "http_overloaded", 429, 1, "overloaded"},
    {Errc::draining, "http_draining", 503, 5, "draining"},
    {Errc::internal, "http_internal", 500, 0, "internal"},
    {kafka::Errc::unavailable, "kafka_unavailable", 503, 5, "publish_failed"},
    {kafka::Errc::timeout, "kafka_timeout", 503, 5, "publish_failed"},
    {kafka::Errc::too_large, "kafka_too_large", 413, 0, "too_large"},
    {kafka::Errc::invalid_record, "kafka_invalid_record", 400, 0, "invalid"},
    {kafka::Errc::refused, "kafka_refused", 500, 0, "publish_failed"},
    {spool::Errc::unavailable, "spool_unavailable", 503, 5, "publish_failed"},
};
static_assert(ErrorDomain<Errc>::kCodes.size() == 10, "a new http code needs a row");
static_assert(ErrorDomain<sources::Errc>::kCodes.size() == 2, "a new input code needs a row");
static_assert(ErrorDomain<kafka::Errc>::kCodes.size() == 5, "a new kafka code needs a row");
static_assert(ErrorDomain<spool::Errc>::kCodes.size() == 1, "a new spool code needs a row");

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

INSTANTIATE_TEST_SUITE_P(EveryCode, ErrorMapping, ::testing::ValuesIn(kMappings),
                         [](const auto& test) { return std::string(test.param.name); });

TEST(Error, TableCoversEveryCodeOnce) {
  std::set<std::pair<std::string, int>> codes;
  for (const auto& mapping : kMappings) {
    codes.emplace(mapping.code.category().name(), mapping.code.value());
  }
  EXPECT_EQ(codes.size(), std::size(kMappings));
  EXPECT_EQ(codes.size(),
            ErrorDomain<Errc>::kCodes.size() + ErrorDomain<sources::Errc>::kCodes.size() +
                ErrorDomain<kafka::Errc>::kCodes.size() + ErrorDomain<spool::Errc>::kCodes.size());
}

TEST(Error, CodesNameTheirDomain) {
  EXPECT_EQ(std::error_code(kafka::Errc::timeout).message(), "timeout");
  EXPECT_STREQ(std::error_code(kafka::Errc::timeout).category().name(), "kafka");
  EXPECT_STREQ(std::error_code(sources::Errc::unauthorized).category().name(), "input");
  EXPECT_NE(std::error_code(kafka::Errc::unavailable), std::error_code(spool::Errc::unavailable));
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
    const bool server_fault =
        mapping.code == kafka::Errc::refused || mapping.code == Errc::internal;
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

TEST(Error, UnknownCodeIsAnInternalErrorWithoutRetry) {
  for (const std::error_code unknown :
       {std::error_code(static_cast<Errc>(99)), std::make_error_code(std::errc::io_error),
        std::error_code()}) {
    EXPECT_EQ(http_status(unknown), 500u) << unknown.message();
    EXPECT_EQ(retry_after_seconds(unknown), 0u);
    EXPECT_EQ(metric_outcome(unknown), "internal");
  }
}

}  // namespace
}  // namespace parley::http
