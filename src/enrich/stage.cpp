#include "parley/enrich/stage.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "parley/common/await.hpp"
#include "parley/common/time.hpp"
#include "parley/events/cloud_event.hpp"
#include "parley/kafka/event_record.hpp"
#include "parley/log/log.hpp"

namespace parley::enrich {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

namespace {

/// A Retry-After beyond this is not waited out inside one event's budget.
constexpr milliseconds kMaxRetryWait{30000};
/// Kafka unreachable: how long to wait between attempts to publish (never given up).
constexpr milliseconds kPublishRetry{1000};
/// Reconcile fetches of one conversation while its platform fails, before giving up (its
/// next event, or `parley backfill`, fetches it again).
constexpr unsigned kReconcileAttempts = 3;

std::int64_t now_ms() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// Events whose conversation there is nothing to fetch for.
bool needs_fetch(const EventRef& event) {
  return !event.conversation_id.empty() && event.type != events::type::kConversationDeleted;
}

}  // namespace

/// A fetched conversation shared by the events it serves.
struct Stage::Fetched {
  FetchedConversation conversation;
  std::string json;
  std::string fetched_at;
  std::int64_t started_ms = 0;  ///< wall clock when the fetch began
  Clock::time_point expires;
  std::set<std::string> message_ids;
};

namespace {

std::shared_ptr<Stage::Fetched> make_fetched(FetchedConversation conversation,
                                             std::int64_t started_ms, milliseconds ttl) {
  auto entry = std::make_shared<Stage::Fetched>();
  entry->conversation = std::move(conversation);
  entry->json = to_json(entry->conversation);
  entry->fetched_at = format_rfc3339(std::chrono::system_clock::now());
  entry->started_ms = started_ms;
  entry->expires = Clock::now() + ttl;
  for (const auto& message : entry->conversation.messages)
    entry->message_ids.insert(message.id);
  return entry;
}

// The event without its conversation, its enrichment marked failed for `reason`: what goes
// on the enriched topic when Kafka will not take the conversation, so the enriched stream
// stays complete and the dead letter says why.
Result<std::string, Error> without_conversation(std::string_view event_json, Enrichment& enrichment,
                                                std::string reason) {
  enrichment.status = "failed";
  enrichment.error = std::move(reason);
  return splice_enrichment(event_json, {}, to_json(enrichment));
}

}  // namespace

struct Stage::Outcome {
  Enrichment enrichment;
  std::shared_ptr<const Fetched> fetched;
};

Stage::Stage(asio::strand<asio::any_io_executor> strand, kafka::Producer& producer,
             EnrichStats& stats, kafka::ProduceStats& produced, Apis apis, StageOptions options,
             Done done)
    : strand_(std::move(strand)),
      producer_(producer),
      stats_(stats),
      produced_(produced),
      apis_(std::move(apis)),
      options_(std::move(options)),
      done_(std::move(done)),
      random_(std::random_device{}()) {
  for (const auto& [platform, api] : apis_) {
    // Per platform, so one platform's outage cannot occupy the others' slots.
    slots_.emplace(platform, std::make_unique<AsyncSlots>(strand_, options_.concurrency));
    breakers_.emplace(platform, std::make_unique<upstream::CircuitBreaker>(options_.breaker));
  }
}

Stage::~Stage() = default;

void Stage::accept(kafka::ConsumedRecord record) {
  asio::post(strand_, [this, record = std::move(record)]() mutable {
    auto key = record.key;
    auto& queue = queues_[key];
    queue.push_back(std::move(record));
    // The first record of an idle conversation starts its worker; later ones queue.
    if (queue.size() == 1) asio::co_spawn(strand_, drain(std::move(key)), asio::detached);
  });
}

asio::awaitable<void> Stage::drain(std::string key) {
  for (;;) {
    const auto queue = queues_.find(key);
    if (queue == queues_.end() || queue->second.empty()) {
      queues_.erase(key);
      co_return;
    }
    const auto record = queue->second.front();  // a copy: the deque may grow meanwhile
    co_await process(record);
    queues_[key].pop_front();
  }
}

asio::awaitable<void> Stage::process(const kafka::ConsumedRecord& record) {
  const auto started = Clock::now();
  auto event = read_event(record.value);
  if (!event) {
    // Not parley's event format: nothing to splice into, so only the dead-letter topic.
    log::warn(
        "unreadable event on the events topic",
        {{"partition", record.partition}, {"offset", record.offset}, {"error", event.error()}});
    auto headers = record.headers;
    headers.emplace_back("parley_deadletter_reason", "unreadable event: " + event.error());
    const kafka::Record deadletter{.topic = options_.deadletter_topic,
                                   .key = record.key,
                                   .value = record.value,
                                   .headers = std::move(headers)};
    co_await publish(deadletter);
    stats_.result("unknown", "invalid");
    done_(record.partition, record.offset);
    co_return;
  }
  auto outcome = co_await enrich(event.value(), record.timestamp_ms);
  auto enriched = splice_enrichment(
      record.value, outcome.fetched ? std::string_view(outcome.fetched->json) : std::string_view(),
      to_json(outcome.enrichment));
  if (enriched && enriched.value().size() > producer_.max_message_bytes()) {
    // Kafka would refuse it on every retry.
    enriched =
        without_conversation(record.value, outcome.enrichment,
                             "the enriched event is " + std::to_string(enriched.value().size()) +
                                 " bytes, over Kafka's message limit of " +
                                 std::to_string(producer_.max_message_bytes()) +
                                 " bytes (kafka.properties.message.max.bytes)");
  }
  const auto& enrichment = outcome.enrichment;
  if (!enriched) {
    // read_event accepted it, so this means a bug, not bad input: keep the event anyway.
    log::error("enriched event not built",
               {{"id", event.value().id}, {"error", enriched.error().message}});
    enriched = std::string(record.value);
  }
  const std::string key = conversation_key(event.value());
  note_announced(event.value(), key);
  if (outcome.fetched) co_await publish_discovered(event.value(), *outcome.fetched);
  const kafka::Record enriched_record{.topic = options_.enriched_topic,
                                      .key = record.key,
                                      .value = enriched.value(),
                                      .headers = record.headers};
  if (co_await publish(enriched_record) == kafka::Publication::refused && outcome.fetched) {
    // Refused for good although under the producer's limit (the enriched topic's is lower).
    enriched = without_conversation(
        record.value, outcome.enrichment,
        "Kafka refused the enriched event of " + std::to_string(enriched.value().size()) +
            " bytes for good (too large or invalid for topic " + options_.enriched_topic +
            "); published without the conversation");
    if (!enriched) enriched = std::string(record.value);
    const kafka::Record bare_record{.topic = options_.enriched_topic,
                                    .key = record.key,
                                    .value = enriched.value(),
                                    .headers = record.headers};
    co_await publish(bare_record);
  }
  if (enrichment.status == "failed") {
    auto headers = record.headers;
    headers.emplace_back("parley_deadletter_reason", enrichment.error);
    headers.emplace_back("parley_attempts", std::to_string(enrichment.attempts));
    const kafka::Record deadletter{.topic = options_.deadletter_topic,
                                   .key = record.key,
                                   .value = std::move(enriched).value(),
                                   .headers = std::move(headers)};
    co_await publish(deadletter);
  }
  const std::chrono::duration<double> elapsed = Clock::now() - started;
  stats_.duration(event.value().source_name, elapsed.count());
  stats_.result(event.value().source_name, enrichment.status);
  if (outcome.fetched) schedule_reconcile(event.value(), key);
  done_(record.partition, record.offset);
}

asio::awaitable<Stage::Outcome> Stage::enrich(const EventRef& event, std::int64_t published_ms) {
  const auto api = apis_.find(event.source_name);
  if (!needs_fetch(event) || api == apis_.end()) {
    co_return Outcome{.enrichment = {.status = "not_applicable"}};
  }
  if (auto hit = cached(event, published_ms)) {
    stats_.coalesced(event.source_name);
    auto fetched_at = hit->fetched_at;
    co_return Outcome{.enrichment = {.status = "ok", .fetched_at = std::move(fetched_at)},
                      .fetched = std::move(hit)};
  }
  auto& slots = *slots_.at(event.source_name);
  auto slot = co_await slots.acquire();
  auto outcome = co_await fetch_with_retries(*api->second, event);
  slot.release();
  update_gauges(event.source_name);
  co_return outcome;
}

/// One fetch: the conversation, or why not (circuit_open: not even tried).
struct Stage::Attempt {
  std::shared_ptr<const Fetched> fetched;
  upstream::UpstreamError error;
  bool circuit_open = false;
};

asio::awaitable<Stage::Attempt> Stage::fetch_once(PlatformApi& api, const EventRef& event,
                                                  std::string_view reason) {
  auto& breaker = *breakers_.at(event.source_name);
  if (!breaker.allow(Clock::now())) {
    stats_.fetch(event.source_name, "circuit_open", reason);
    co_return Attempt{.circuit_open = true};
  }
  const auto started_ms = now_ms();
  auto fetched = co_await api.fetch(event);
  if (fetched) {
    breaker.record_success();
    stats_.fetch(event.source_name, "ok", reason);
    auto entry = make_fetched(std::move(fetched).value(), started_ms, options_.cache_ttl);
    remember(conversation_key(event), entry);
    co_return Attempt{.fetched = std::move(entry)};
  }
  stats_.fetch(event.source_name, "error", reason);
  // A 4xx proves the upstream is up and answering: only retryable failures count.
  if (fetched.error().retryable) {
    breaker.record_failure(Clock::now());
  } else {
    breaker.record_success();
  }
  co_return Attempt{.error = fetched.error()};
}

asio::awaitable<Stage::Outcome> Stage::fetch_with_retries(PlatformApi& api, const EventRef& event) {
  upstream::UpstreamError error;
  for (unsigned attempt = 1;; ++attempt) {
    auto tried = co_await fetch_once(api, event, "event");
    if (tried.fetched) {
      Enrichment enrichment{
          .status = "ok", .fetched_at = tried.fetched->fetched_at, .attempts = attempt};
      co_return Outcome{.enrichment = std::move(enrichment), .fetched = std::move(tried.fetched)};
    }
    if (tried.circuit_open) {
      error = {.message =
                   "circuit open: " + event.source_name + " failed repeatedly; " + error.message};
    } else {
      error = std::move(tried.error);
    }
    const bool out_of_budget = attempt >= options_.max_attempts;
    if (!error.retryable || out_of_budget || error.retry_after > kMaxRetryWait) {
      log::warn("enrichment failed", {{"source", event.source_name},
                                      {"conversation", event.conversation_id},
                                      {"id", event.id},
                                      {"attempts", attempt},
                                      {"error", error.message}});
      co_return Outcome{
          .enrichment = {.status = "failed", .attempts = attempt, .error = error.message}};
    }
    co_await wait(upstream::backoff_delay(options_.backoff, attempt, error.retry_after, random_));
  }
}

// A cached conversation serves an event when it surely reflects it: the fetch began after
// the event was published, or it already holds the event's message. Anything else (a
// JustAnswer "question changed" that arrived during the fetch) waits for a fresh fetch,
// which then serves every event queued behind it at once.
std::shared_ptr<const Stage::Fetched> Stage::cached(const EventRef& event,
                                                    std::int64_t published_ms) {
  const auto it = cache_.find(conversation_key(event));
  if (it == cache_.end()) return nullptr;
  const auto& entry = it->second;
  if (Clock::now() >= entry->expires) return nullptr;
  const bool fresh_enough = entry->started_ms >= published_ms;
  const bool holds_message =
      !event.message_id.empty() && entry->message_ids.contains(event.message_id);
  return fresh_enough || holds_message ? entry : nullptr;
}

void Stage::remember(const std::string& key, std::shared_ptr<const Fetched> fetched) {
  if (!cache_.contains(key)) cache_order_.push_back(key);
  cache_[key] = std::move(fetched);
  while (cache_.size() > options_.cache_entries) {
    cache_.erase(cache_order_.front());
    cache_order_.pop_front();
  }
}

asio::awaitable<void> Stage::publish_discovered(const EventRef& event, const Fetched& fetched) {
  const std::string key = conversation_key(event);
  std::vector<const events::Message*> unseen;
  {
    const auto& ids = emitted_ids(key);
    for (const auto& message : fetched.conversation.messages) {
      if (!ids.contains(message.id) && !fetched.conversation.made_up_ids.contains(message.id)) {
        unseen.push_back(&message);
      }
    }
  }
  for (const auto* message : unseen) {
    const auto record = kafka::event_record(
        options_.events_topic,
        message_created_event(event, *message, fetched.fetched_at, "enrichment.discovered"));
    co_await publish(record);
    // Looked up again: other conversations may have changed the memory meanwhile.
    auto& ids = emitted_ids(key);
    // Bounded: past the cap a conversation forgets its oldest ids (a repeat is harmless,
    // the ids are deterministic).
    if (ids.size() >= options_.discovery_ids_per_conversation) ids.erase(ids.begin());
    ids.insert(message->id);
  }
}

void Stage::note_announced(const EventRef& event, const std::string& key) {
  if (event.type != events::type::kMessageCreated || event.message_id.empty()) return;
  auto& ids = emitted_ids(key);
  if (ids.size() >= options_.discovery_ids_per_conversation) ids.erase(ids.begin());
  ids.insert(event.message_id);
}

std::set<std::string>& Stage::emitted_ids(const std::string& key) {
  auto [slot, inserted] = emitted_.try_emplace(key);
  if (inserted) {
    emitted_recency_.push_front(key);
  } else {
    emitted_recency_.splice(emitted_recency_.begin(), emitted_recency_, slot->second.recency);
  }
  slot->second.recency = emitted_recency_.begin();
  while (emitted_.size() > options_.discovery_conversations) {
    emitted_.erase(emitted_recency_.back());  // never `key`: it is the most recent
    emitted_recency_.pop_back();
  }
  return emitted_.at(key).ids;
}

// A message found by reconciliation is already a discovered event: it does not
// reschedule its conversation, so one quiet conversation costs one reconcile fetch.
void Stage::schedule_reconcile(const EventRef& event, const std::string& key) {
  if (options_.reconcile_after.count() <= 0 || event.platform_event == "enrichment.discovered") {
    return;
  }
  auto& reconciles = reconciles_[event.source_name];
  if (const auto known = reconciles.by_key.find(key); known != reconciles.by_key.end()) {
    reconciles.order.erase(known->second);
    reconciles.by_key.erase(known);
  }
  reconciles.order.push_back(
      {.key = key, .event = event, .due = Clock::now() + options_.reconcile_after});
  reconciles.by_key[key] = std::prev(reconciles.order.end());
  while (reconciles.order.size() > options_.reconcile_max_conversations) {
    reconciles.by_key.erase(reconciles.order.front().key);
    reconciles.order.pop_front();
    stats_.reconcile_dropped(event.source_name);
  }
  stats_.set_reconcile_pending(event.source_name, static_cast<double>(reconciles.order.size()));
  if (!reconciles.running) {
    reconciles.running = true;
    asio::co_spawn(strand_, reconcile_loop(event.source_name), asio::detached);
  }
}

// Due times ascend along `order` (every entry waits the same reconcile_after from its last
// event), so the loop only ever waits for the front; it ends when nothing waits.
asio::awaitable<void> Stage::reconcile_loop(std::string platform) {
  auto& reconciles = reconciles_.at(platform);
  const auto spacing = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(1.0 / std::max(options_.reconcile_per_second, 1u)));
  while (!reconciles.order.empty()) {
    if (const auto due = reconciles.order.front().due; Clock::now() < due) {
      co_await wait_until(due);
      continue;
    }
    auto pending = std::move(reconciles.order.front());
    reconciles.by_key.erase(pending.key);
    reconciles.order.pop_front();
    stats_.set_reconcile_pending(platform, static_cast<double>(reconciles.order.size()));
    // An event of this conversation is being enriched right now: its fetch is as fresh as
    // ours would be, and it schedules the next reconcile.
    if (queues_.contains(pending.key)) continue;
    if (Clock::now() < reconciles.next_fetch) co_await wait_until(reconciles.next_fetch);
    reconciles.next_fetch = Clock::now() + spacing;
    if (reconciles.by_key.contains(pending.key) || queues_.contains(pending.key)) continue;
    const bool retry = co_await reconcile(pending.event);
    // A platform that is down gets a few more tries, each a reconcile_after later.
    if (retry && ++pending.attempts < kReconcileAttempts &&
        !reconciles.by_key.contains(pending.key)) {
      pending.due = Clock::now() + options_.reconcile_after;
      reconciles.order.push_back(std::move(pending));
      reconciles.by_key[reconciles.order.back().key] = std::prev(reconciles.order.end());
    }
  }
  reconciles.running = false;
}

asio::awaitable<bool> Stage::reconcile(const EventRef& event) {
  auto tried = co_await fetch_once(*apis_.at(event.source_name), event, "reconcile");
  update_gauges(event.source_name);
  if (tried.circuit_open) co_return true;
  if (!tried.fetched) {
    log::warn("reconcile fetch failed", {{"source", event.source_name},
                                         {"conversation", event.conversation_id},
                                         {"error", tried.error.message}});
    co_return tried.error.retryable;
  }
  co_await publish_discovered(event, *tried.fetched);
  co_return false;
}

asio::awaitable<kafka::Publication> Stage::publish(const kafka::Record& record) {
  // Nothing may be lost: the offset is not committed until this returns, so no stop
  // condition (a shutdown ends the coroutine with its io_context).
  const kafka::RetryPolicy policy{.ack_timeout = options_.ack_timeout,
                                  .retry_every = kPublishRetry,
                                  .counted = &produced_,
                                  .what = "an enriched event"};
  co_return co_await kafka::publish_until_acknowledged(producer_, record, policy);
}

asio::awaitable<void> Stage::wait_until(Clock::time_point when) {
  asio::steady_timer timer(strand_, when);
  co_await timer.async_wait(kAsTuple);
}

asio::awaitable<void> Stage::wait(milliseconds delay) {
  asio::steady_timer timer(strand_, delay);
  co_await timer.async_wait(kAsTuple);
}

void Stage::update_gauges(std::string_view platform) {
  const auto api = apis_.find(platform);
  if (api == apis_.end()) return;
  const auto& client = api->second->client();
  stats_.set_upstream_connections(platform, static_cast<double>(client.idle_connections()),
                                  static_cast<double>(client.active_requests()));
  stats_.set_circuit_open(platform, breakers_.at(std::string(platform))->state(Clock::now()) !=
                                        upstream::CircuitBreaker::State::closed);
}

}  // namespace parley::enrich
