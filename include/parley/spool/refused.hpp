#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "parley/common/result.hpp"
#include "parley/spool/format.hpp"

namespace parley::spool {

/// The spool's quarantine for records Kafka refused for good (too large, invalid), so that
/// one of them never blocks the records behind it and none is dropped: `refused.log` in the
/// spool dir, in the segment format (format.hpp) -- each record is the refused one as it was
/// spooled, with one more header first, `parley-refused-reason`. Read by `parley spool
/// inspect` and `parley spool export-refused`; emptied only by an operator (docs/operations.md).
inline constexpr std::string_view kRefusedFile = "refused.log";
inline constexpr std::string_view kRefusedReasonHeader = "parley-refused-reason";

/// One quarantined record and why Kafka refused it.
struct RefusedRecord {
  SpooledRecord spooled;  ///< as it was spooled (the reason header removed)
  std::string reason;
};

/// Appends to `dir`/refused.log, which stays under `max_bytes` (the spool gives it a quarter
/// of spool.max_bytes). Not thread-safe: the spool's
/// forwarder is its one writer.
class RefusedLog {
 public:
  RefusedLog(const std::filesystem::path& dir, std::uint64_t max_bytes);
  /// Appends `record` with `reason` and fdatasyncs it; nullopt once durable. Fails (naming
  /// the file and the cause) when the file would pass max_bytes or cannot be written; the
  /// file then holds exactly what it held before.
  std::optional<std::string> add(const SpooledRecord& record, const std::string& reason);

 private:
  std::filesystem::path path_;
  std::uint64_t max_bytes_;
  bool tail_checked_ = false;
};

/// Every record in `dir`/refused.log, oldest first (none when there is no such file). A torn
/// last record (a crash mid-append) is left out; damage before it is an error naming the offset.
Result<std::vector<RefusedRecord>, std::string> read_refused(const std::filesystem::path& dir);

}  // namespace parley::spool
