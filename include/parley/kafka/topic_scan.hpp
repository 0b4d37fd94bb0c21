#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "parley/common/result.hpp"
#include "parley/kafka/consumer.hpp"

namespace parley::kafka {

struct ScanOptions {
  std::string bootstrap_servers;
  std::string topic;
  std::map<std::string, std::string> properties;  ///< librdkafka overrides (security, sasl)
  /// Reaching the cluster (metadata, watermarks), and the longest wait for the next record
  /// of a partition not read to its end yet.
  std::chrono::milliseconds timeout{10000};
  /// A topic that does not exist yet holds nothing (a state topic parley creates by its
  /// first write), instead of being an error.
  bool missing_is_empty = false;
};

/// What a scan covered: the records that existed when it began.
struct ScanSummary {
  std::int64_t total = 0;    ///< records between each partition's low and high watermark
  std::int64_t scanned = 0;  ///< records handed to on_record
};

/// Reads every record of `topic` that exists when the scan starts (each partition from its
/// low to its high watermark, read then), without joining a consumer group or committing
/// anything; records produced meanwhile are left alone. Calls `on_record` for each record
/// and `on_progress(scanned, total)` about once a second, both on the caller's thread.
/// Errors name the cause: Kafka unreachable within `timeout`, the topic missing, a fetch
/// error, or no record arriving for `timeout` before the end was reached.
Result<ScanSummary, std::string> scan_topic(
    const ScanOptions& options, const std::function<void(const ConsumedRecord&)>& on_record,
    const std::function<void(std::int64_t scanned, std::int64_t total)>& on_progress = {});

/// The end (high watermark: the next offset to be written) of every partition of `topic`
/// now; empty when the topic does not exist and `missing_is_empty`.
Result<std::map<std::int32_t, std::int64_t>, std::string> topic_ends(const ScanOptions& options);

/// Reads `topic` from `from` (partition → offset; a partition not named is read from its
/// beginning, so a topic created meanwhile is read whole) without joining a group, until
/// `on_record` returns true (→ true) or `until` passes (→ false). Waits for a topic that
/// does not exist yet. Calls on_record on the caller's thread. The error names a fetch
/// error.
Result<bool, std::string> follow_topic(const ScanOptions& options,
                                       const std::map<std::int32_t, std::int64_t>& from,
                                       std::chrono::steady_clock::time_point until,
                                       const std::function<bool(const ConsumedRecord&)>& on_record);

}  // namespace parley::kafka
