#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "parley/commands/command_stats.hpp"
#include "parley/commands/journal.hpp"
#include "parley/commands/result.hpp"
#include "parley/commands/senders.hpp"
#include "parley/common/async_slots.hpp"
#include "parley/kafka/consumer.hpp"
#include "parley/kafka/produce_stats.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/upstream/retry.hpp"

namespace parley::commands {

struct ExecutorOptions {
  std::string results_topic;
  unsigned concurrency = 64;    ///< commands at a platform at once, per source
  unsigned max_per_second = 0;  ///< calls per second, per source; 0 = no limit
  unsigned max_attempts = 8;    ///< failed tries (calls, read-backs) before giving up
  std::chrono::milliseconds ack_timeout{4000};
  /// How long a partition's revocation waits for a call in flight to be recorded.
  std::chrono::milliseconds call_timeout{10000};
  upstream::BackoffPolicy backoff{std::chrono::milliseconds(500), std::chrono::milliseconds(30000)};
  upstream::CircuitBreaker::Options breaker;
};

/// The command executor (DESIGN.md "Commands: the way back"): for every command read from
/// the commands topic, exactly one result on the results topic, the platform called at most
/// once. Before each call that is not idempotent it records the intent in the journal and
/// waits for Kafka's ack; after any doubt (or an intent found from an earlier life) it reads
/// the conversation back before calling again. A command already resulted (same caller and
/// id) is not performed again: its result is published again, same id. Commands with one
/// record key run one at a time in topic order; keys run concurrently, at most
/// `concurrency` per source at the platform. Calls `done` for a record once its result is
/// acknowledged (never on stop: the next owner reads it again and the journal tells it
/// where it stood).
///
/// accept(), assign(), revoke() and stop() are thread-safe; everything else lives on one
/// strand. The producer, journal, stats and senders must outlive it; destroy it after its
/// io_context stopped.
class Executor {
 public:
  using Clock = std::chrono::steady_clock;
  using Done = std::function<void(std::int32_t partition, std::int64_t offset)>;

  Executor(boost::asio::strand<boost::asio::any_io_executor> strand, kafka::Producer& producer,
           Journal& journal, CommandStats& stats, kafka::ProduceStats& produced, Senders senders,
           ExecutorOptions options, Done done);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  void accept(kafka::ConsumedRecord record);
  /// Partitions given to this replica (after the journal was loaded).
  void assign(const std::vector<std::int32_t>& partitions);
  /// Partitions taken away: their commands not yet at the platform are left to the next
  /// owner; returns once no call of theirs is between its intent and its recorded outcome
  /// (or after call_timeout plus the acks', when one hangs).
  void revoke(const std::vector<std::int32_t>& partitions);
  /// Ends every wait (backoff, rate limit) and starts no call: commands without a result are
  /// left to the next start. Outcomes already known are still recorded and published until
  /// `deadline`.
  void stop(Clock::time_point deadline);
  /// Commands read and without a result.
  std::size_t in_progress() const { return in_progress_.load(); }

 private:
  struct Source;
  class CallGuard;
  boost::asio::awaitable<void> drain(std::string key);
  boost::asio::awaitable<void> process(const kafka::ConsumedRecord& record);
  /// When `identity` already has its result: publishes it again, true.
  boost::asio::awaitable<bool> republished(const std::string& identity,
                                           const kafka::ConsumedRecord& record);
  /// The one result of a record that is no valid command: under its id when its caller and
  /// id are readable (journaled), else, or `by_offset`, as "invalid:<partition>:<offset>".
  boost::asio::awaitable<void> refuse_invalid(const kafka::ConsumedRecord& record,
                                              std::string problem, Clock::time_point started,
                                              bool by_offset);
  /// The outcome of a valid command; nullopt when stopping or the partition was revoked.
  /// `held` keeps the partition's call open when a call's outcome is returned, until the
  /// caller journaled it.
  boost::asio::awaitable<std::optional<Outcome>> execute(const Command& command,
                                                         const std::string& identity,
                                                         std::int32_t partition,
                                                         std::unique_ptr<CallGuard>& held);
  boost::asio::awaitable<std::optional<ReadBack>> read_back(
      Source& source, const Command& command, std::chrono::system_clock::time_point since);
  /// Waits for the source's breaker and rate limit; false when stopping first.
  boost::asio::awaitable<bool> admit(Source& source);
  /// One call (the caller holds one of the source's slots); its outcome feeds the breaker.
  boost::asio::awaitable<CallOutcome> call(Source& source, const Command& command);
  /// Records `outcome` in the journal, then publishes it; false when stopping first.
  boost::asio::awaitable<bool> conclude(const About& about, const Outcome& outcome,
                                        const std::string& identity);
  boost::asio::awaitable<bool> publish(const kafka::Record& record);
  /// Waits `delay` unless stopped first; false when stopped.
  boost::asio::awaitable<bool> wait(std::chrono::milliseconds delay);
  bool owns(std::int32_t partition) const;
  bool keep_trying() const { return !stopping_.load(); }
  /// Whether a known outcome may still be recorded: before stop, or until its deadline.
  bool keep_recording() const {
    return !stopping_.load() || Clock::now().time_since_epoch().count() < stop_deadline_.load();
  }

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  kafka::Producer& producer_;
  Journal& journal_;
  CommandStats& stats_;
  kafka::ProduceStats& produced_;
  Senders senders_;
  const ExecutorOptions options_;
  Done done_;
  std::map<std::string, std::unique_ptr<Source>, std::less<>> sources_;
  std::unordered_map<std::string, std::deque<kafka::ConsumedRecord>> queues_;
  std::set<boost::asio::steady_timer*> waiting_;  // on the strand; cancelled by stop()
  std::mt19937_64 random_;
  std::atomic<bool> stopping_{false};
  std::atomic<Clock::rep> stop_deadline_{0};
  std::atomic<std::size_t> in_progress_{0};

  // Ownership, shared with the consumer's thread.
  mutable std::mutex owned_mutex_;
  std::condition_variable calls_done_;
  std::set<std::int32_t> owned_;
  std::map<std::int32_t, unsigned> calls_;  // calls between intent and recorded outcome
};

}  // namespace parley::commands
