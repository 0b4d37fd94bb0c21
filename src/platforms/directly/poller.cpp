#include "parley/platforms/directly/poller.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "parley/common/await.hpp"
#include "parley/common/time.hpp"
#include "parley/kafka/event_record.hpp"
#include "parley/log/log.hpp"

namespace parley::directly {

namespace asio = boost::asio;
using std::chrono::milliseconds;

namespace {

/// Kafka unreachable: how long to wait between attempts to publish.
constexpr milliseconds kPublishRetry{1000};
/// How a question's interval grows while it stays unchanged: by a tenth of that time.
constexpr int kIdleDivisor = 10;

asio::awaitable<void> wait_until(asio::steady_timer& timer,
                                 std::chrono::steady_clock::time_point when) {
  timer.expires_at(when);
  co_await timer.async_wait(kAsTuple);  // an earlier due question or stop() wakes it early
}

}  // namespace

Poller::Poller(asio::strand<asio::any_io_executor> strand, kafka::Producer& producer,
               PollStats& stats, kafka::ProduceStats& produced, std::unique_ptr<DirectlyApi> api,
               PollerOptions options)
    : strand_(std::move(strand)),
      producer_(producer),
      stats_(stats),
      produced_(produced),
      api_(std::move(api)),
      options_(std::move(options)),
      slots_(strand_, options_.concurrency),
      wake_(strand_),
      idle_(strand_),
      random_(std::random_device{}()) {}

Poller::~Poller() = default;

void Poller::accept(kafka::ConsumedRecord record) {
  asio::post(strand_, [this, record = std::move(record)] {
    const auto uuid = watched_uuid(options_.source, record.key);
    if (!uuid) {
      // Another Directly source's records are its own poller's.
      if (watch_owner(record.key) == options_.source) {
        log::warn("watch record ignored: its key is not a Directly uuid",
                  {{"partition", record.partition}, {"offset", record.offset}});
      }
      return;
    }
    if (record.tombstone) {
      unwatch(*uuid);
    } else {
      watch(*uuid, record.partition);
    }
  });
}

void Poller::revoke(std::vector<std::int32_t> partitions) {
  asio::post(strand_, [this, partitions = std::move(partitions)] {
    const std::set<std::int32_t> gone(partitions.begin(), partitions.end());
    std::vector<std::string> uuids;
    for (const auto& [uuid, question] : questions_) {
      if (gone.contains(question.partition)) uuids.push_back(uuid);
    }
    for (const auto& uuid : uuids)
      unwatch(uuid);
    log::info("directly questions handed over", {{"questions", uuids.size()},
                                                 {"partitions", partitions.size()},
                                                 {"still_watched", questions_.size()}});
  });
}

void Poller::watch(const std::string& uuid, std::int32_t partition) {
  auto [it, added] = questions_.try_emplace(uuid);
  auto& question = it->second;
  question.partition = partition;
  if (!added) return;  // watched again: keep what is known
  question.generation = ++generations_;
  question.unchanged_since = Clock::now();
  // Spread over one interval, so thousands of watches read after a rebalance do not
  // all fall due at once.
  std::uniform_int_distribution<milliseconds::rep> spread(0, options_.interval.count());
  schedule(uuid, question, Clock::now() + milliseconds(spread(random_)));
  watched_ = questions_.size();
}

void Poller::unwatch(const std::string& uuid) {
  const auto it = questions_.find(uuid);
  if (it == questions_.end()) return;
  if (it->second.due) due_.erase({*it->second.due, uuid});
  questions_.erase(it);  // a poll in flight finds it gone and drops its answer
  watched_ = questions_.size();
}

void Poller::schedule(const std::string& uuid, Question& question, Clock::time_point when) {
  if (question.due) due_.erase({*question.due, uuid});
  const bool earliest = due_.empty() || when < due_.begin()->first;
  question.due = when;
  due_.emplace(when, uuid);
  if (earliest) wake_.cancel();
}

milliseconds Poller::next_interval(const Question& question, Clock::time_point now) {
  const auto idle = std::chrono::duration_cast<milliseconds>(now - question.unchanged_since);
  const auto interval = std::min(options_.max_interval, options_.interval + idle / kIdleDivisor);
  std::uniform_real_distribution<double> jitter(0.8, 1.2);
  return milliseconds(
      static_cast<milliseconds::rep>(static_cast<double>(interval.count()) * jitter(random_)));
}

void Poller::start() {
  asio::co_spawn(strand_, run(), asio::detached);
}

asio::awaitable<void> Poller::run() {
  const auto pace = std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(1)) /
                    options_.max_requests_per_second;
  while (!stopping_) {
    const auto now = Clock::now();
    auto wake_at = due_.empty() ? Clock::time_point::max() : due_.begin()->first;
    wake_at = std::max({wake_at, paused_until_, next_request_});
    if (wake_at > now) {
      co_await wait_until(wake_, wake_at);
      continue;
    }
    auto slot = co_await slots_.acquire();
    // Waiting for a slot took time: questions may have been unwatched or stopping begun.
    if (stopping_ || due_.empty() || due_.begin()->first > Clock::now()) continue;
    const auto uuid = due_.begin()->second;
    due_.erase(due_.begin());
    auto& question = questions_.at(uuid);
    question.due.reset();
    next_request_ = std::max(next_request_, Clock::now()) + pace;
    ++in_flight_;
    asio::co_spawn(strand_, poll(uuid, question.generation, std::move(slot)), asio::detached);
  }
}

asio::awaitable<void> Poller::poll(std::string uuid, std::uint64_t generation,
                                   AsyncSlots::Slot slot) {
  const std::string last_checked = questions_.at(uuid).last_checked;
  const auto started = std::chrono::system_clock::now();
  auto answer = co_await api_->poll(uuid, last_checked);
  slot.release();  // the request is done; publishing what it found needs no slot
  const auto current = [&]() -> Question* {
    const auto it = questions_.find(uuid);
    return it != questions_.end() && it->second.generation == generation ? &it->second : nullptr;
  };
  if (current() == nullptr) {  // unwatched or handed over meanwhile
    finish_flight();
    co_return;
  }
  if (!answer) {
    on_error(uuid, *current(), answer.error());
    finish_flight();
    co_return;
  }
  std::optional<std::string> checked = last_checked;
  if (answer.value()) {
    checked = co_await apply(uuid, *answer.value());
    // Without Directly's own updatedAt, our clock stands in, minus a margin for skew.
    if (checked && checked->empty()) {
      checked = format_rfc3339(started - options_.clock_allowance);
    }
  } else {
    stats_.poll("not_modified");
  }
  Question* question = current();
  if (checked && question != nullptr) {
    question->last_checked = *checked;
    question->failures = 0;
    if (!question->finished) {
      schedule(uuid, *question, Clock::now() + next_interval(*question, Clock::now()));
    }
  }
  finish_flight();
}

asio::awaitable<std::optional<std::string>> Poller::apply(const std::string& uuid,
                                                          const std::string& body) {
  auto parsed = parse_question(body);
  if (!parsed) {
    on_error(
        uuid, questions_.at(uuid),
        {.message = "Directly GET /questions unreadable: " + parsed.error(), .retryable = false});
    co_return std::nullopt;
  }
  const auto& question = parsed.value();
  // Directly echoes the question: an answer about another one is not this request's, and
  // its events must never be published under this question's key.
  if (question.uuid != uuid) {
    on_error(uuid, questions_.at(uuid),
             {.message = "Directly GET /questions: the answer is about question '" + question.uuid +
                         "', not the one asked for"});
    co_return std::nullopt;
  }
  const auto generation = questions_.at(uuid).generation;
  const auto& known = questions_.at(uuid).known;
  const auto changes =
      question_events(question, known ? &*known : nullptr, options_.include_raw, options_.source);
  stats_.poll(changes.empty() ? "unchanged" : "changed");
  for (const auto& event : changes) {
    const auto record = kafka::event_record(options_.events_topic, event);
    // Not remembered until all are acknowledged: after a failure the next poll (here or
    // at the partition's next owner) publishes them again, under the same ids.
    if (!co_await publish(record)) co_return std::nullopt;
  }
  const auto it = questions_.find(uuid);
  if (it == questions_.end() || it->second.generation != generation) co_return std::nullopt;
  it->second.known = remember(question);
  if (!changes.empty()) it->second.unchanged_since = Clock::now();
  if (question.finished() && !it->second.finished) {
    it->second.finished = true;
    const kafka::Record unwatch{.topic = options_.watches_topic,
                                .key = watch_key(options_.source, uuid),
                                .tombstone = true};
    if (co_await publish(unwatch)) {
      log::info("directly question finished: unwatched",
                {{"uuid", uuid}, {"status", question.state.status}});
    }
  }
  co_return question.updated_at;
}

void Poller::on_error(const std::string& uuid, Question& question,
                      const upstream::UpstreamError& error) {
  stats_.poll("error");
  ++question.failures;
  const auto now = Clock::now();
  if (error.retry_after > milliseconds(0)) {
    // Directly's quota is per client: one question's Retry-After holds them all.
    paused_until_ = std::max(paused_until_, now + error.retry_after);
    log::warn("directly asked to slow down: polling paused",
              {{"retry_after_ms", static_cast<long long>(error.retry_after.count())},
               {"status", error.status}});
    schedule(uuid, question, paused_until_ + next_interval(question, now) / 10);
    return;
  }
  // Exponential from one interval, capped: a 4xx that will not heal is retried rarely.
  const upstream::BackoffPolicy backoff{.base = options_.interval, .cap = options_.max_interval};
  const auto delay =
      error.retryable
          ? std::max(backoff_delay(backoff, question.failures, milliseconds(0), random_),
                     options_.interval)
          : options_.max_interval;
  if (question.failures == 1 || !error.retryable) {
    log::warn("directly poll failed", {{"uuid", uuid},
                                       {"error", error.message},
                                       {"status", error.status},
                                       {"retry_in_ms", static_cast<long long>(delay.count())}});
  }
  schedule(uuid, question, now + delay);
}

asio::awaitable<bool> Poller::publish(const kafka::Record& record) {
  // Until stop(): what is not acknowledged then is polled again by the next owner.
  const kafka::RetryPolicy policy{.ack_timeout = options_.ack_timeout,
                                  .retry_every = kPublishRetry,
                                  .keep_trying = [this] { return !stopping_; },
                                  .counted = &produced_,
                                  .what = "a directly event"};
  co_return co_await kafka::publish_until_acknowledged(producer_, record, policy) ==
      kafka::Publication::acknowledged;
}

void Poller::finish_flight() {
  --in_flight_;
  if (stopping_ && in_flight_ == 0) idle_.cancel();
}

asio::awaitable<void> Poller::stop() {
  stopping_ = true;
  wake_.cancel();
  while (in_flight_ > 0)
    co_await wait_until(idle_, Clock::time_point::max());
  co_await api_->logout();
}

}  // namespace parley::directly
