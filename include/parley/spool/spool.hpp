#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parley/common/error.hpp"
#include "parley/common/result.hpp"
#include "parley/spool/format.hpp"

namespace parley::spool {

struct SpoolOptions {
  std::filesystem::path dir;
  std::uint64_t max_bytes = 1073741824;
  std::uint64_t segment_bytes = 67108864;
  /// Seams for failure tests: how bytes reach a segment and are made durable. They
  /// behave like ::write and ::fdatasync (-1 and errno on failure).
  std::function<ssize_t(int fd, const void* data, std::size_t size)> write;
  std::function<int(int fd)> sync;
};

/// What recovery did at open(): logged and counted by the caller.
struct Recovery {
  std::uint64_t records = 0;             ///< records left to forward
  std::uint64_t torn_tails = 0;          ///< segments truncated at a partial last record
  std::vector<std::string> quarantined;  ///< segments renamed *.quarantined, with why
};

/// Numbers for metrics, readiness and `parley spool inspect`. A plain value.
struct SpoolStats {
  std::uint64_t bytes = 0;    ///< records and headers on disk (not the zero-filled room)
  std::uint64_t records = 0;  ///< appended (or queued) and not yet forwarded
  std::optional<std::int64_t> oldest_ms;  ///< append time of the oldest unforwarded record
  std::uint64_t segments = 0;
  std::uint64_t appended_total = 0;   ///< records made durable since start
  std::uint64_t forwarded_total = 0;  ///< records Kafka acknowledged since start
  /// Errors since start by kind: full, write, sync, torn_tail, quarantined, forward, refused.
  std::map<std::string, std::uint64_t> errors;
  bool full = false;  ///< the last append was refused for space, and nothing freed since
};

/// Where a record sits: which segment, and the offset just past it.
struct Position {
  std::uint64_t segment = 0;
  std::uint64_t end = 0;
};

/// A durable, segmented, append-only local log of Kafka records (docs/operations.md,
/// "Spool"). append() answers only after the record is fdatasync'ed, batching every append
/// queued meanwhile into one write and one fdatasync (group commit) on the spool's writer
/// thread. One forwarder reads records in order (read / forwarded / rewind); a segment
/// whose records are all forwarded is deleted. An exclusive lock on the directory keeps a
/// second process out. Thread-safe.
class Spool {
 public:
  /// Locks `options.dir` (created if missing), recovers it (a torn tail is truncated, a
  /// segment damaged in the middle is quarantined) and starts the writer thread. Fails
  /// naming the directory when it cannot be created, written or locked.
  static Result<std::unique_ptr<Spool>, std::string> open(SpoolOptions options,
                                                          Recovery* recovery = nullptr);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  /// Called once on the writer thread: nullopt when the record is durable, else
  /// spool_unavailable naming the cause (full, write or fdatasync failure). Keep it short.
  using AppendDone = std::function<void(std::optional<Error>)>;
  /// Queues `record`; never blocks on disk.
  void append(const kafka::Record& record, AppendDone done);

  /// True while records are queued or durable and not yet forwarded: new events must join
  /// the tail rather than overtake them.
  bool holds_records() const;
  /// Why appends are refused now (full, or failed after a write or fdatasync error), or
  /// nullopt while they are taken.
  std::optional<std::string> refusal() const;
  SpoolStats stats() const;

  /// Forwarder side (one caller at a time). Up to `max` durable records after the read
  /// cursor, in append order, each with its position.
  std::vector<std::pair<SpooledRecord, Position>> read(std::size_t max);
  /// Every record up to and including `up_to` (`count` of them) left the spool: reached
  /// Kafka, or -- `refused` of them -- were moved to the quarantine by refuse().
  void forwarded(Position up_to, std::uint64_t count, std::uint64_t refused = 0);
  /// Moves a record Kafka refused for good to the spool's quarantine (refused.hpp), fsynced,
  /// and counts it (errors "refused"); the caller then passes it with forwarded(). Fails,
  /// naming the cause, when the quarantine file is full or cannot be written: the record
  /// then stays in the spool.
  std::optional<std::string> refuse(const SpooledRecord& record, const std::string& reason);
  /// The read cursor goes back to the first record not yet forwarded.
  void rewind();
  /// Waits until durable records wait to be read or `deadline`; false on timeout.
  bool wait_for_records(std::chrono::steady_clock::time_point deadline);
  /// Counts an error of `kind` seen outside the spool (the forwarder's "forward").
  void count_error(const std::string& kind);

  class Impl;

 private:
  explicit Spool(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// What `parley spool inspect` prints about one segment file. Reads without locking.
struct SegmentReport {
  std::string file;
  std::uint64_t bytes = 0;
  std::uint64_t records = 0;
  std::int64_t first_appended_ms = 0;
  std::string damage;  ///< "" when intact
};
Result<std::vector<SegmentReport>, std::string> inspect(const std::filesystem::path& dir);

}  // namespace parley::spool
