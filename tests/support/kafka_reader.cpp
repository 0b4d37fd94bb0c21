#include "support/kafka_reader.hpp"

#include <librdkafka/rdkafka.h>

#include <random>
#include <stdexcept>

#include "support/contracts.hpp"

namespace parley::testing {

KafkaReader::KafkaReader(const std::string& bootstrap, const std::string& topic) : topic_(topic) {
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const std::string group = "parley-test-" + std::to_string(std::random_device{}());
  for (const auto& [key, value] :
       {std::pair{"bootstrap.servers", bootstrap.c_str()}, std::pair{"group.id", group.c_str()},
        std::pair{"enable.auto.commit", "false"}, std::pair{"fetch.wait.max.ms", "50"},
        std::pair{"log_level", "3"}}) {
    if (rd_kafka_conf_set(conf, key, value, error, sizeof error) != RD_KAFKA_CONF_OK) {
      throw std::runtime_error(error);
    }
  }
  rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  if (rk_ == nullptr) throw std::runtime_error(error);

  rd_kafka_topic_t* handle = rd_kafka_topic_new(rk_, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  const auto err = rd_kafka_metadata(rk_, 0, handle, &metadata, 10000);
  rd_kafka_topic_destroy(handle);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(std::string("metadata: ") + rd_kafka_err2str(err));
  }
  partitions_ = metadata->topics[0].partition_cnt;
  rd_kafka_metadata_destroy(metadata);

  rd_kafka_topic_partition_list_t* assignment = rd_kafka_topic_partition_list_new(partitions_);
  for (int p = 0; p < partitions_; ++p) {
    rd_kafka_topic_partition_list_add(assignment, topic.c_str(), p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(rk_, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
}

KafkaReader::~KafkaReader() {
  rd_kafka_consumer_close(rk_);
  rd_kafka_destroy(rk_);
}

std::vector<KafkaMessage> KafkaReader::read(std::size_t count, std::chrono::milliseconds timeout) {
  std::vector<KafkaMessage> messages;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (messages.size() < count) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    rd_kafka_message_t* message = rd_kafka_consumer_poll(rk_, static_cast<int>(left.count()));
    if (message == nullptr) continue;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      KafkaMessage out;
      out.key.assign(static_cast<const char*>(message->key), message->key_len);
      out.value.assign(static_cast<const char*>(message->payload), message->len);
      out.partition = message->partition;
      out.offset = message->offset;
      out.timestamp_ms = rd_kafka_message_timestamp(message, nullptr);
      rd_kafka_headers_t* headers = nullptr;
      if (rd_kafka_message_headers(message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* name = nullptr;
        const void* value = nullptr;
        std::size_t size = 0;
        for (std::size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                                RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
          out.headers[name] = std::string(static_cast<const char*>(value), size);
        }
      }
      if (check_contracts_) contracts::expect_record_conforms(topic_, out);
      messages.push_back(std::move(out));
    }
    rd_kafka_message_destroy(message);
  }
  return messages;
}

std::int64_t KafkaReader::count() {
  std::int64_t total = 0;
  for (int p = 0; p < partitions_; ++p) {
    std::int64_t low = 0;
    std::int64_t high = 0;
    const auto err = rd_kafka_query_watermark_offsets(rk_, topic_.c_str(), p, &low, &high, 10000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw std::runtime_error(std::string("watermarks: ") + rd_kafka_err2str(err));
    }
    total += high;
  }
  return total;
}

}  // namespace parley::testing
