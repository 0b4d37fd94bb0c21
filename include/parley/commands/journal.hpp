#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "parley/commands/command.hpp"
#include "parley/common/result.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/kafka/topic_scan.hpp"

namespace parley::commands {

/// What the executor knows durably about one command.
struct JournalEntry {
  enum class State {
    calling,  ///< a call was recorded as about to happen; no result yet
    done,     ///< its one result is `result` (published, or about to be)
  };
  State state = State::calling;
  unsigned calls = 0;                             ///< platform calls recorded as about to happen
  std::chrono::system_clock::time_point since{};  ///< when the first call was recorded
  std::string result_key;                         ///< done: the result's record key
  std::string result;                             ///< done: the result event, as published
};

/// A command's identity: its caller and id (the same id from another caller is another
/// command), as the journal's record key: the JSON array ["<caller>","<id>"].
std::string identity_of(std::string_view caller, std::string_view id);

/// An entry as the journal topic's record value (JSON) and back; decode's error says
/// what is wrong. Pure.
std::string encode(const JournalEntry& entry);
Result<JournalEntry, std::string> decode(std::string_view value);

/// The executor's durable memory: a compacted Kafka topic (kafka.topics.command_journal)
/// keyed by identity, mirrored in memory. An intent is recorded, and acknowledged by Kafka
/// (acks=all), before the platform is called; a result before it is published. Any replica
/// that takes over a commands partition reads the topic first (load), so it knows what the
/// previous owner was doing. At most `max_entries` are kept in memory, the oldest results
/// forgotten first (intents without a result are kept while any result can go): a repeat
/// older than that is performed as new. Thread-safe.
class Journal {
 public:
  Journal(kafka::Producer& producer, std::string topic, std::chrono::milliseconds ack_timeout,
          std::size_t max_entries);

  /// The entry of `identity`, when one is known.
  std::optional<JournalEntry> find(const std::string& identity) const;

  /// Reads every entry on the topic now (blocking: called on the consumer's thread when
  /// partitions are assigned). An unreadable record is skipped and logged. The error names
  /// why Kafka could not be read.
  Result<std::size_t, std::string> load(const kafka::ScanOptions& options);

  /// Records `entry` for `identity` and resumes once Kafka acknowledged it, retrying what
  /// can clear while `keep_trying()` holds (arguments by value: the coroutine keeps them). False
  /// when it was not recorded (refused for good, or stopped): the caller must then not call the
  /// platform.
  boost::asio::awaitable<bool> record(std::string identity, JournalEntry entry,
                                      std::function<bool()> keep_trying);

  std::size_t size() const;
  const std::string& topic() const { return topic_; }

 private:
  /// Keeps `entry`; a `scanned` one never replaces a result or a later intent already known.
  void remember(const std::string& identity, JournalEntry entry, bool scanned);

  kafka::Producer& producer_;
  const std::string topic_;
  const std::chrono::milliseconds ack_timeout_;
  const std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, JournalEntry> entries_;
  std::deque<std::string> order_;  ///< first-recorded order, for the bound
};

}  // namespace parley::commands
