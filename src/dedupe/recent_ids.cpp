#include "parley/dedupe/recent_ids.hpp"

#include <functional>

namespace parley::dedupe {
namespace {

// Few entries fit in one shard; many are spread to keep lock contention low.
constexpr std::size_t kShards = 16;
constexpr std::size_t kMinEntriesPerShard = 1024;

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

RecentIds::Key key_of(std::string_view id) {
  // Two unrelated 64-bit hashes: a false "duplicate" would drop a real event.
  return RecentIds::Key{std::hash<std::string_view>{}(id), fnv1a(id)};
}

struct KeyHash {
  std::size_t operator()(const RecentIds::Key& key) const { return key.a ^ (key.b << 1); }
};

}  // namespace

struct RecentIds::Shard {
  struct Entry {
    Key key;
    std::chrono::steady_clock::time_point at;
  };
  std::mutex mutex;
  std::size_t capacity = 0;
  std::unordered_map<Key, std::chrono::steady_clock::time_point, KeyHash> index;
  std::deque<Entry> order;  // oldest first

  void evict(std::chrono::steady_clock::time_point now, std::chrono::seconds window) {
    while (!order.empty() && (order.size() > capacity || now - order.front().at >= window)) {
      index.erase(order.front().key);
      order.pop_front();
    }
  }
};

RecentIds::RecentIds(std::chrono::seconds window, std::size_t max_entries, Clock now)
    : window_(window), now_(std::move(now)) {
  const std::size_t shards = max_entries >= kShards * kMinEntriesPerShard ? kShards : 1;
  for (std::size_t i = 0; i < shards; ++i) {
    auto shard = std::make_unique<Shard>();
    shard->capacity = max_entries / shards;
    shards_.push_back(std::move(shard));
  }
}

RecentIds::~RecentIds() = default;

RecentIds::Shard& RecentIds::shard_for(const Key& key) {
  return *shards_[key.b % shards_.size()];
}

bool RecentIds::contains(std::string_view id) {
  const Key key = key_of(id);
  Shard& shard = shard_for(key);
  const auto now = now_();
  std::lock_guard lock(shard.mutex);
  shard.evict(now, window_);
  return shard.index.contains(key);
}

void RecentIds::remember(std::string_view id) {
  const Key key = key_of(id);
  Shard& shard = shard_for(key);
  const auto now = now_();
  std::lock_guard lock(shard.mutex);
  if (shard.index.emplace(key, now).second) shard.order.push_back({key, now});
  shard.evict(now, window_);
}

std::size_t RecentIds::size() const {
  std::size_t total = 0;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard->mutex);
    total += shard->order.size();
  }
  return total;
}

}  // namespace parley::dedupe
