#pragma once

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "parley/common/async_slots.hpp"
#include "parley/kafka/consumer.hpp"
#include "parley/kafka/produce_stats.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/platforms/directly/api.hpp"
#include "parley/platforms/directly/poll_stats.hpp"
#include "parley/platforms/directly/question.hpp"

namespace parley::directly {

struct PollerOptions {
  /// The Directly source polled: its watch records only, and the name of its events.
  std::string source{kDefaultSource};
  std::string events_topic;   ///< where question changes are published
  std::string watches_topic;  ///< where finished questions are unwatched (tombstones)
  std::chrono::milliseconds interval{5000};
  std::chrono::milliseconds max_interval{60000};
  unsigned max_requests_per_second = 50;
  unsigned concurrency = 16;
  std::chrono::milliseconds ack_timeout{4000};
  bool include_raw = true;
  /// When a question has no updatedAt, lastChecked is this much before the last successful
  /// poll began, so a clock running ahead of Directly's cannot hide a change.
  std::chrono::milliseconds clock_allowance{2000};
};

/// Polls the watched Directly questions of the watch-topic partitions this replica owns
/// and publishes what changed (question_events) to the events topic, keyed
/// directly:<uuid>, in order per question.
///
/// Scheduling: each question is due `interval` after its last poll, plus a tenth of the
/// time it has been unchanged, at most `max_interval`, with ±20% jitter; a new watch is
/// first polled within one interval (spread, so a rebalance does not stampede). Requests
/// go out earliest-due first, paced to max_requests_per_second, at most `concurrency`
/// at once. Errors back a question off exponentially (to max_interval); a Retry-After
/// pauses all polling, since Directly's quota is per client. A closed or expired question
/// is unwatched by a tombstone on the watch topic after its last events are acknowledged.
///
/// Memory: one entry per watched question (its last-known state: a hash per message),
/// forgotten when its partition is revoked. Everything runs on `strand`; accept() and
/// revoke() may be called from any thread. The producer, stats and strand's executor
/// must outlive it.
class Poller {
 public:
  Poller(boost::asio::strand<boost::asio::any_io_executor> strand, kafka::Producer& producer,
         PollStats& stats, kafka::ProduceStats& produced, std::unique_ptr<DirectlyApi> api,
         PollerOptions options);
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  /// A record of the watch topic: a watch (value) or an unwatch (tombstone).
  void accept(kafka::ConsumedRecord record);
  /// The watch-topic partitions no longer owned: their questions stop being polled.
  void revoke(std::vector<std::int32_t> partitions);
  /// Starts the scheduling loop.
  void start();
  /// Stops scheduling, lets polls in flight finish, then revokes the access token. Run
  /// it on strand().
  boost::asio::awaitable<void> stop();
  const boost::asio::strand<boost::asio::any_io_executor>& strand() const { return strand_; }

  /// Questions currently watched by this replica.
  std::size_t watched() const { return watched_.load(); }

 private:
  using Clock = std::chrono::steady_clock;
  struct Question {
    std::int32_t partition = -1;
    std::uint64_t generation = 0;  ///< distinguishes a re-watch from a stale poll
    /// The updatedAt of the last 200 (Directly's own clock, so no skew); empty until one.
    std::string last_checked;
    std::optional<KnownQuestion> known;
    Clock::time_point unchanged_since;
    std::optional<Clock::time_point> due;  ///< nullopt while polled or finished
    unsigned failures = 0;
    bool finished = false;
  };

  void watch(const std::string& uuid, std::int32_t partition);
  void unwatch(const std::string& uuid);
  void schedule(const std::string& uuid, Question& question, Clock::time_point when);
  std::chrono::milliseconds next_interval(const Question& question, Clock::time_point now);
  boost::asio::awaitable<void> run();
  /// Polls one question holding one of slots_ until its answer is in.
  boost::asio::awaitable<void> poll(std::string uuid, std::uint64_t generation,
                                    AsyncSlots::Slot slot);
  /// Applies a 200: publishes its events, remembers the question. Its updatedAt (the next
  /// lastChecked; empty when Directly sent none), or nullopt when it was unreadable or
  /// its events could not all be published (stopping, or the question handed over).
  boost::asio::awaitable<std::optional<std::string>> apply(const std::string& uuid,
                                                           const std::string& body);
  void on_error(const std::string& uuid, Question& question, const upstream::UpstreamError& error);
  boost::asio::awaitable<bool> publish(const kafka::Record& record);
  void finish_flight();

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  kafka::Producer& producer_;
  PollStats& stats_;
  kafka::ProduceStats& produced_;
  std::unique_ptr<DirectlyApi> api_;
  const PollerOptions options_;
  AsyncSlots slots_;
  boost::asio::steady_timer wake_;
  boost::asio::steady_timer idle_;
  std::map<std::string, Question> questions_;
  std::set<std::pair<Clock::time_point, std::string>> due_;
  Clock::time_point next_request_{};
  Clock::time_point paused_until_{};
  std::uint64_t generations_ = 0;
  std::size_t in_flight_ = 0;
  bool stopping_ = false;
  std::atomic<std::size_t> watched_{0};
  std::mt19937_64 random_;
};

}  // namespace parley::directly
