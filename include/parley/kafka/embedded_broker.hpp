#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "parley/common/result.hpp"

namespace parley::kafka {

/// A Kafka-protocol broker on loopback, inside this process (librdkafka's mock
/// cluster). The `kafka.brokers: embedded` default and the broker of the tests.
/// Not durable: it keeps a few MB per partition in memory. Thread-safe.
class EmbeddedBroker {
 public:
  /// Starts `brokers` brokers and creates each topic with `partitions` partitions.
  static Result<std::unique_ptr<EmbeddedBroker>, std::string> start(
      int brokers, const std::vector<std::string>& topics, int partitions);
  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  /// "127.0.0.1:port,..." for bootstrap.servers.
  std::string bootstrap_servers() const;

  /// Takes broker `id` (1-based) down or up again: clients see connections refused.
  void set_broker_up(int id, bool up);
  /// Delays every answer of broker `id` by `rtt` (zero: none): a broker that is connected
  /// but does not answer, as behind a network partition.
  void set_broker_rtt(int id, std::chrono::milliseconds rtt);

  /// The next requests of Kafka API `api_key` (e.g. 22, InitProducerId) fail with
  /// `errors`, one per request, in order.
  void fail_next_requests(int api_key, const std::vector<int>& errors);

  class Impl;

 private:
  explicit EmbeddedBroker(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::kafka
