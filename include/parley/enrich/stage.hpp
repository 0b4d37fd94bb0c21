#pragma once

#include <boost/asio/strand.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "parley/common/async_slots.hpp"
#include "parley/enrich/enrich_stats.hpp"
#include "parley/enrich/platform_api.hpp"
#include "parley/kafka/consumer.hpp"
#include "parley/kafka/produce_stats.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/upstream/retry.hpp"

namespace parley::enrich {

struct StageOptions {
  std::string events_topic;  ///< where discovered messages are published
  std::string enriched_topic;
  std::string deadletter_topic;
  unsigned concurrency = 64;  ///< conversations fetched at once, per platform
  unsigned max_attempts = 5;
  std::chrono::milliseconds ack_timeout{4000};
  upstream::BackoffPolicy backoff;
  upstream::CircuitBreaker::Options breaker;
  /// How long a fetched conversation may serve later events (see docs/events.md,
  /// "Enrichment"), and how many are kept.
  std::chrono::milliseconds cache_ttl{30000};
  std::size_t cache_entries = 10000;
  /// Conversations whose emitted message ids are remembered, and ids per conversation.
  std::size_t discovery_conversations = 100000;
  std::size_t discovery_ids_per_conversation = 1000;
  /// Reconciliation (docs/operations.md, "Reconciliation"): a conversation is fetched once
  /// more this long after its last event, publishing what no webhook brought; 0 = off.
  std::chrono::milliseconds reconcile_after{0};
  /// Conversations waiting for their reconcile fetch, per platform (oldest dropped first).
  std::size_t reconcile_max_conversations = 100000;
  /// Reconcile fetches per second, per platform.
  unsigned reconcile_per_second = 5;
};

/// The enrichment stage: for every event read from the events topic, fetch its
/// conversation (coalesced, cached, retried with backoff, behind a breaker per
/// platform), publish the enriched event, a dead-letter copy when the retry budget ran
/// out, and message.created events for messages only a fetch revealed (on every
/// platform; ids parley made up are never published). With reconcile_after set, each
/// conversation is fetched once more that long after its last event, outside the event
/// path (no slot taken, one fetch at a time per platform, rate-limited). Events of one
/// conversation (record key) are handled one at a time, in order; conversations run
/// concurrently. Calls `done` for a record only after everything it produced was
/// acknowledged by Kafka (retrying until then), so offsets commit only past finished work.
///
/// accept() is thread-safe; all state lives on one strand. The executor, producer,
/// stats and apis must outlive the stage; destroy it after its io_context stopped.
class Stage {
 public:
  using Clock = std::chrono::steady_clock;
  using Done = std::function<void(std::int32_t partition, std::int64_t offset)>;
  /// The clients by source name (sources.<name>), as events name it in data.source.
  using Apis = std::map<std::string, std::unique_ptr<PlatformApi>, std::less<>>;

  Stage(boost::asio::strand<boost::asio::any_io_executor> strand, kafka::Producer& producer,
        EnrichStats& stats, kafka::ProduceStats& produced, Apis apis, StageOptions options,
        Done done);
  ~Stage();

  void accept(kafka::ConsumedRecord record);

  struct Fetched;

 private:
  struct Outcome;
  struct Attempt;
  boost::asio::awaitable<void> drain(std::string key);
  boost::asio::awaitable<void> process(const kafka::ConsumedRecord& record);
  boost::asio::awaitable<Outcome> enrich(const EventRef& event, std::int64_t published_ms);
  boost::asio::awaitable<Outcome> fetch_with_retries(PlatformApi& api, const EventRef& event);
  /// One fetch behind the platform's breaker, counted under `reason`; a success is cached.
  boost::asio::awaitable<Attempt> fetch_once(PlatformApi& api, const EventRef& event,
                                             std::string_view reason);
  std::shared_ptr<const Fetched> cached(const EventRef& event, std::int64_t published_ms);
  void remember(const std::string& key, std::shared_ptr<const Fetched> fetched);
  boost::asio::awaitable<void> publish_discovered(const EventRef& event, const Fetched& fetched);
  /// The ids of `key`'s messages already published (creating the entry, evicting the
  /// least recent conversation beyond the bound).
  std::set<std::string>& emitted_ids(const std::string& key);
  /// `record` is borrowed until the awaitable completes (named variables only: GCC 12
  /// mishandles temporaries passed to coroutines).
  /// Published (acknowledged) or refused by Kafka for good (logged, then skipped).
  boost::asio::awaitable<kafka::Publication> publish(const kafka::Record& record);
  boost::asio::awaitable<void> wait(std::chrono::milliseconds delay);
  void update_gauges(std::string_view platform);
  /// Marks a message a webhook already announced, so discovery does not publish it again.
  void note_announced(const EventRef& event, const std::string& key);
  /// (Re)schedules the reconcile fetch of `event`'s conversation.
  void schedule_reconcile(const EventRef& event, const std::string& key);
  boost::asio::awaitable<void> reconcile_loop(std::string platform);
  /// One reconcile fetch; true when it failed in a way a later try may fix.
  boost::asio::awaitable<bool> reconcile(const EventRef& event);
  boost::asio::awaitable<void> wait_until(Clock::time_point when);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  kafka::Producer& producer_;
  EnrichStats& stats_;
  kafka::ProduceStats& produced_;
  Apis apis_;
  StageOptions options_;
  Done done_;
  std::map<std::string, std::unique_ptr<AsyncSlots>, std::less<>> slots_;
  std::map<std::string, std::unique_ptr<upstream::CircuitBreaker>, std::less<>> breakers_;
  std::unordered_map<std::string, std::deque<kafka::ConsumedRecord>> queues_;
  std::unordered_map<std::string, std::shared_ptr<const Fetched>> cache_;
  std::deque<std::string> cache_order_;  ///< insertion order, for eviction
  struct Emitted {
    std::set<std::string> ids;
    std::list<std::string>::iterator recency;
  };
  std::unordered_map<std::string, Emitted> emitted_;
  std::list<std::string> emitted_recency_;  ///< most recent first
  /// Conversations waiting for their reconcile fetch, per platform, by last event.
  struct Reconciles {
    struct Pending {
      std::string key;
      EventRef event;
      Clock::time_point due;
      unsigned attempts = 0;
    };
    std::list<Pending> order;  ///< oldest last event first, so due times ascend
    std::unordered_map<std::string, std::list<Pending>::iterator> by_key;
    bool running = false;  ///< a reconcile_loop is working through `order`
    Clock::time_point next_fetch;
  };
  std::map<std::string, Reconciles, std::less<>> reconciles_;
  std::mt19937_64 random_;
};

}  // namespace parley::enrich
