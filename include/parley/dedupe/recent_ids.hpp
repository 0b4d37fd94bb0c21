#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

namespace parley::dedupe {

/// The ids of events Kafka acknowledged recently, so a redelivered webhook is answered
/// without a second event. Each id is remembered for `window`, and at most
/// `max_entries` are kept (oldest forgotten first), so memory stays bounded under any
/// traffic. Ids are kept as 128-bit hashes (a false match needs ~2^64 ids).
/// Thread-safe: sharded by hash, one mutex per shard.
class RecentIds {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  RecentIds(std::chrono::seconds window, std::size_t max_entries,
            Clock now = std::chrono::steady_clock::now);
  ~RecentIds();
  RecentIds(const RecentIds&) = delete;
  RecentIds& operator=(const RecentIds&) = delete;

  /// True when `id` was remembered less than `window` ago and not evicted since.
  bool contains(std::string_view id);
  /// Remembers `id` from now (a repeat keeps its first time).
  void remember(std::string_view id);
  /// Ids currently remembered (expired ones may linger until the next call on their shard).
  std::size_t size() const;

  struct Key {
    std::uint64_t a;
    std::uint64_t b;
    bool operator==(const Key&) const = default;
  };
  struct Shard;

 private:
  Shard& shard_for(const Key& key);

  const std::chrono::seconds window_;
  const Clock now_;
  std::vector<std::unique_ptr<Shard>> shards_;
};

}  // namespace parley::dedupe
