#pragma once
// Reading parley's records back from Kafka and the simulator's counters, for the
// whole-process tests.
#include <simdjson.h>

#include <chrono>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "support/kafka_reader.hpp"

namespace parley::testing {

using Records = std::vector<KafkaMessage>;
/// An upper bound: every read stops at its count.
inline constexpr std::chrono::seconds kReadTimeout{60};

inline std::string id_of(const KafkaMessage& record) {
  const auto found = record.headers.find("ce_id");
  return found == record.headers.end() ? std::string() : found->second;
}

inline std::string type_of(const KafkaMessage& record) {
  const auto found = record.headers.find("ce_type");
  return found == record.headers.end() ? std::string() : found->second;
}

/// Reads one record at a time until `enough(everything read)` or `timeout`.
inline Records read_until(KafkaReader& reader, std::chrono::milliseconds timeout,
                          const std::function<bool(const Records&)>& enough) {
  Records records;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!enough(records)) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    for (auto& record : reader.read(1, left))
      records.push_back(std::move(record));
  }
  return records;
}

inline std::set<std::string> missing(const Records& records, const std::set<std::string>& ids) {
  auto left = ids;
  for (const auto& record : records)
    left.erase(id_of(record));
  return left;
}

/// Reads until every id of `ids` was seen at least once (repeats allowed).
inline Records read_ids(KafkaReader& reader, const std::set<std::string>& ids,
                        std::chrono::milliseconds timeout = kReadTimeout) {
  return read_until(reader, timeout,
                    [&ids](const Records& records) { return missing(records, ids).empty(); });
}

/// A counter of the simulator's /_sim/stats: stats[group][key], 0 when absent.
inline std::int64_t stat(const std::string& stats, std::string_view group, std::string_view key) {
  simdjson::dom::parser parser;
  std::int64_t count = 0;
  if (parser.parse(stats)[group][key].get(count) != simdjson::SUCCESS) return 0;
  return count;
}

}  // namespace parley::testing
