// The one table from a Kafka error to what its record's caller does with it.
#include "parley/kafka/disposition.hpp"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include "parley/kafka/errors.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/sources/errors.hpp"

namespace parley::kafka {
namespace {

using namespace std::chrono_literals;

TEST(Disposition, EveryKafkaErrorCodeHasItsRule) {
  const std::vector<std::pair<Errc, Disposition>> table = {
      {Errc::unavailable, Disposition::spool}, {Errc::timeout, Disposition::spool},
      {Errc::too_large, Disposition::give_up}, {Errc::invalid_record, Disposition::give_up},
      {Errc::refused, Disposition::retry},
  };
  ASSERT_EQ(table.size(), ErrorDomain<Errc>::kCodes.size()) << "a code without a rule";
  for (const auto& [code, expected] : table) {
    EXPECT_EQ(disposition(Error{code, "x"}), expected)
        << make_error_code(code).message() << " -> " << to_string(disposition(Error{code, "x"}));
  }
}

TEST(Disposition, LibrdkafkaErrorsThroughClassify) {
  const std::vector<std::pair<rd_kafka_resp_err_t, Disposition>> table = {
      {RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, Disposition::spool},
      {RD_KAFKA_RESP_ERR__TRANSPORT, Disposition::spool},
      {RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, Disposition::spool},
      {RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, Disposition::spool},
      {RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, Disposition::spool},
      {RD_KAFKA_RESP_ERR__QUEUE_FULL, Disposition::spool},
      {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, Disposition::give_up},
      {RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE, Disposition::give_up},
      {RD_KAFKA_RESP_ERR_INVALID_RECORD, Disposition::give_up},
      {RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, Disposition::spool},
      {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, Disposition::retry},
      {RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, Disposition::retry},
      {RD_KAFKA_RESP_ERR__FATAL, Disposition::retry},
  };
  for (const auto& [code, expected] : table) {
    EXPECT_EQ(disposition(classify(code, 4000ms, 1000000)), expected) << rd_kafka_err2name(code);
  }
}

TEST(Disposition, AnErrorFromAnotherDomainIsRetriedNeverSkipped) {
  EXPECT_EQ(disposition(Error{sources::Errc::invalid, "not kafka"}), Disposition::retry);
}

}  // namespace
}  // namespace parley::kafka
