#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

struct rd_kafka_s;

namespace parley::testing {

struct KafkaMessage {
  std::string key;
  std::string value;
  std::map<std::string, std::string> headers;
  int partition = -1;
  std::int64_t offset = -1;
  std::int64_t timestamp_ms = 0;  ///< CreateTime: when the producer made the record
};

/// A real Kafka consumer for tests: reads every partition of one topic from the start
/// (assigned, no consumer group), or counts its records by offsets. Every record read is
/// checked against parley's published contracts (support/contracts.hpp).
class KafkaReader {
 public:
  KafkaReader(const std::string& bootstrap, const std::string& topic);
  ~KafkaReader();
  KafkaReader(const KafkaReader&) = delete;
  KafkaReader& operator=(const KafkaReader&) = delete;

  /// Reads until `count` messages arrived or `timeout` passed; returns what it read.
  std::vector<KafkaMessage> read(std::size_t count, std::chrono::milliseconds timeout);

  /// Records in the topic now: the sum of the partitions' high watermarks.
  std::int64_t count();

  /// For a topic that holds records a test wrote itself on purpose (a malformed command):
  /// what this reader reads is not held to parley's contracts.
  void skip_contract_checks() { check_contracts_ = false; }

 private:
  rd_kafka_s* rk_ = nullptr;
  std::string topic_;
  int partitions_ = 0;
  bool check_contracts_ = true;
};

}  // namespace parley::testing
