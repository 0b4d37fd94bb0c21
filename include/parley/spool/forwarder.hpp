#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "parley/kafka/producer.hpp"
#include "parley/spool/spool.hpp"

namespace parley::spool {

struct ForwarderOptions {
  std::size_t batch = 512;               ///< records in flight to Kafka at once
  std::chrono::milliseconds retry{500};  ///< pause after a failed batch
};

/// Sends a spool's records to Kafka in append order, removing them only once Kafka
/// acknowledged them -- or, for a record Kafka refuses for good (kafka::Disposition::give_up),
/// once it is in the spool's quarantine (Spool::refuse), so it never blocks what follows. A
/// batch holds at most one record per key (conversation), so a retry never puts one
/// conversation's records out of order; a failed batch is retried from its first
/// unacknowledged record, skipping those of it Kafka already acknowledged. A record may still
/// reach Kafka twice (an acknowledgement lost in a timeout; same event id), never zero times.
/// Owns one thread; the spool and producer must outlive it. Thread-safe.
class Forwarder {
 public:
  Forwarder(Spool& spool, kafka::Producer& producer, ForwarderOptions options = {});
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  void start();
  /// Waits until the spool holds nothing, `deadline`, or Kafka is known unreachable
  /// (nothing would be forwarded before the deadline); returns the records left.
  std::uint64_t drain(std::chrono::steady_clock::time_point deadline);
  /// Stops after the batch in flight; what is left stays on disk for the next start.
  void stop();

 private:
  void run();
  bool forward_batch();  ///< false when the batch failed (wait before the next)
  /// Produces `batch` and waits for every report; nullopt for each acknowledged record.
  std::vector<std::optional<Error>> send(
      const std::vector<std::pair<SpooledRecord, Position>>& batch);
  static std::pair<std::uint64_t, std::uint64_t> position_key(const Position& at) {
    return {at.segment, at.end};
  }

  Spool& spool_;
  kafka::Producer& producer_;
  const ForwarderOptions options_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::thread thread_;
  /// Read, not yet sent: they repeat a key of the batch in flight (forwarder thread only).
  std::vector<std::pair<SpooledRecord, Position>> carry_;
  /// Records behind a failed one that Kafka acknowledged; skipped when read again (at most
  /// one batch of them; forwarder thread only).
  std::set<std::pair<std::uint64_t, std::uint64_t>> acknowledged_ahead_;
};

}  // namespace parley::spool
