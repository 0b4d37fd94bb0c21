#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "parley/common/result.hpp"

namespace parley::kafka {

/// One record read from Kafka. A plain value.
struct ConsumedRecord {
  std::string topic;
  std::int32_t partition = -1;
  std::int64_t offset = -1;
  std::int64_t timestamp_ms = 0;  ///< the record's timestamp (CreateTime: when produced)
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
  bool tombstone = false;  ///< the value is null: `key` was deleted (compacted topics)
};

/// Which offsets of the assigned partitions are safe to commit: records finish out of
/// order (different conversations run concurrently), but a partition's committed offset
/// may only move past records that are all done. Thread-safe.
class OffsetTracker {
 public:
  /// Starts tracking `partition` (a fresh assignment forgets earlier state).
  void assign(std::int32_t partition);
  /// Stops tracking: records of it finishing later are ignored.
  void revoke(std::int32_t partition);
  /// A record handed to processing.
  void started(std::int32_t partition, std::int64_t offset);
  /// A record finished (its output acknowledged). Unknown partitions are ignored.
  void done(std::int32_t partition, std::int64_t offset);
  /// Per partition, the offset to commit (the next record to read after a restart)
  /// where it moved since the last call; the caller commits these.
  std::map<std::int32_t, std::int64_t> take_commits();
  /// Where reading resumes after a restart: the oldest unfinished record, else one past
  /// the last started; nullopt before anything was read from `partition`.
  std::optional<std::int64_t> resume_offset(std::int32_t partition) const;
  /// Records started and not yet done, over all partitions.
  std::size_t outstanding() const;

 private:
  struct Partition {
    std::set<std::int64_t> outstanding;
    std::int64_t next = -1;       ///< one past the highest offset started
    std::int64_t committed = -1;  ///< last value returned by take_commits
  };
  mutable std::mutex mutex_;
  std::map<std::int32_t, Partition> partitions_;
};

struct ConsumerOptions {
  std::string bootstrap_servers;
  std::string group_id;
  /// group.instance.id (static membership; empty = dynamic): a member restarted under the
  /// same id gets its partitions back without waiting out the session timeout.
  std::string instance_id;
  std::string topic;
  std::map<std::string, std::string> properties;  ///< librdkafka overrides (security, sasl)
  /// Records read and not yet done before the consumer pauses fetching (memory bound).
  std::size_t max_outstanding = 10000;
  std::chrono::milliseconds commit_interval{500};
  /// The topic is state (compacted), not a stream: every assignment reads its partitions
  /// from the beginning, nothing is committed and done() is not needed.
  bool read_from_beginning = false;
  /// Called on the consumer's thread when partitions are taken away (rebalance, stop),
  /// before records of a later assignment of them are handed out. May be empty.
  std::function<void(const std::vector<std::int32_t>& partitions)> on_revoked;
  /// Called on the consumer's thread when partitions are given to this member, before any
  /// of their records is handed out: state another member left (a journal) can be read
  /// here. May be empty.
  std::function<void(const std::vector<std::int32_t>& partitions)> on_assigned;
};

/// Called on the consumer's thread for every record; must hand it off quickly and call
/// KafkaConsumer::done() once its processing is finished (from any thread).
using RecordHandler = std::function<void(ConsumedRecord)>;

/// A member of a consumer group on one topic with at-least-once processing: offsets are
/// committed only up to records reported done, so a crash repeats work, never skips it.
/// Cooperative-sticky assignment: a rebalance moves only the partitions that change owner,
/// the others keep being consumed. Session and heartbeat timings: docs/operations.md.
/// Owns one polling thread. Fetching pauses while max_outstanding records are in
/// processing and resumes below it; the group membership stays alive meanwhile.
/// Thread-safe.
class KafkaConsumer {
 public:
  static Result<std::unique_ptr<KafkaConsumer>, std::string> create(ConsumerOptions options,
                                                                    RecordHandler handler);
  ~KafkaConsumer();
  KafkaConsumer(const KafkaConsumer&) = delete;
  KafkaConsumer& operator=(const KafkaConsumer&) = delete;

  /// Starts the polling thread.
  void start();
  void done(std::int32_t partition, std::int64_t offset);
  /// Stops polling, commits what is done, leaves the group -- each only until `deadline`:
  /// with the group coordinator unreachable, librdkafka's own commit and close would wait
  /// without bound. Records still in processing, or whose commit was not confirmed, are
  /// read again by the next owner of their partition.
  void stop(std::chrono::steady_clock::time_point deadline);

  /// Unprocessed records per assigned partition (read-but-unfinished ones included): high
  /// watermark minus where reading would resume, refreshed every commit_interval.
  std::map<std::int32_t, std::int64_t> lag() const;
  const std::string& topic() const;

  class Impl;

 private:
  explicit KafkaConsumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace parley::kafka
