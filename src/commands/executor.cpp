#include "parley/commands/executor.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "parley/common/await.hpp"
#include "parley/log/log.hpp"

namespace parley::commands {

namespace asio = boost::asio;
using std::chrono::milliseconds;

/// What the executor keeps per source: its slots at the platform, breaker and rate limit.
struct Executor::Source {
  Source(const asio::any_io_executor& executor, const ExecutorOptions& options,
         PlatformSender& client)
      : slots(executor, options.concurrency), breaker(options.breaker), sender(client) {}
  AsyncSlots slots;
  upstream::CircuitBreaker breaker;
  PlatformSender& sender;
  Clock::time_point next_call{};  // the rate limit's next free instant
};

/// Holds a partition's call open from its intent to its recorded outcome, so a revocation
/// waits for it; empty when the partition is no longer owned (the call must not start).
class Executor::CallGuard {
 public:
  CallGuard(Executor& executor, std::int32_t partition)
      : executor_(executor), partition_(partition) {
    std::lock_guard lock(executor_.owned_mutex_);
    held_ = executor_.owned_.contains(partition_);
    if (held_) ++executor_.calls_[partition_];
  }
  ~CallGuard() { release(); }
  CallGuard(const CallGuard&) = delete;
  CallGuard& operator=(const CallGuard&) = delete;

  bool held() const { return held_; }
  void release() {
    if (!held_) return;
    held_ = false;
    {
      std::lock_guard lock(executor_.owned_mutex_);
      if (--executor_.calls_[partition_] == 0) executor_.calls_.erase(partition_);
    }
    executor_.calls_done_.notify_all();
  }

 private:
  Executor& executor_;
  std::int32_t partition_;
  bool held_ = false;
};

namespace {

Outcome failed(std::string kind, std::string message, unsigned attempts, unsigned status = 0) {
  Outcome outcome;
  outcome.kind = Outcome::Kind::failed;
  outcome.error_kind = std::move(kind);
  outcome.message = std::move(message);
  outcome.attempts = attempts;
  outcome.status = status;
  return outcome;
}

std::string_view call_name(CallOutcome::Kind kind) {
  switch (kind) {
    case CallOutcome::Kind::done:
      return "done";
    case CallOutcome::Kind::rejected:
      return "rejected";
    case CallOutcome::Kind::unauthorized:
      return "unauthorized";
    case CallOutcome::Kind::invalid:
      return "invalid";
    case CallOutcome::Kind::retry_later:
      return "retry_later";
    case CallOutcome::Kind::doubt:
      return "doubt";
  }
  return "doubt";
}

std::string_view read_back_name(ReadBack::Kind kind) {
  switch (kind) {
    case ReadBack::Kind::found:
      return "found";
    case ReadBack::Kind::not_found:
      return "not_found";
    case ReadBack::Kind::undecided:
    case ReadBack::Kind::retry_later:
      return "undecided";
  }
  return "undecided";
}

bool expired(const Command& command) {
  return command.expiry && *command.expiry <= std::chrono::system_clock::now();
}

}  // namespace

Executor::Executor(asio::strand<asio::any_io_executor> strand, kafka::Producer& producer,
                   Journal& journal, CommandStats& stats, kafka::ProduceStats& produced,
                   Senders senders, ExecutorOptions options, Done done)
    : strand_(std::move(strand)),
      producer_(producer),
      journal_(journal),
      stats_(stats),
      produced_(produced),
      senders_(std::move(senders)),
      options_(std::move(options)),
      done_(std::move(done)),
      random_(std::random_device{}()) {
  for (auto& [name, entry] : senders_.by_source) {
    if (entry.sender) {
      sources_.emplace(name, std::make_unique<Source>(strand_, options_, *entry.sender));
    }
  }
}

Executor::~Executor() = default;

void Executor::accept(kafka::ConsumedRecord record) {
  ++in_progress_;
  asio::post(strand_, [this, record = std::move(record)]() mutable {
    auto key = record.key;
    auto& queue = queues_[key];
    queue.push_back(std::move(record));
    // The first command of an idle key starts its worker; later ones queue behind it.
    if (queue.size() == 1) asio::co_spawn(strand_, drain(std::move(key)), asio::detached);
  });
}

void Executor::assign(const std::vector<std::int32_t>& partitions) {
  std::lock_guard lock(owned_mutex_);
  owned_.insert(partitions.begin(), partitions.end());
}

void Executor::revoke(const std::vector<std::int32_t>& partitions) {
  std::unique_lock lock(owned_mutex_);
  for (const auto partition : partitions)
    owned_.erase(partition);
  // One perform may be a token fetch, a call and its resend after a 401, or TalkJS's PUT
  // then POST: up to four exchanges, then the journal's ack.
  const auto deadline = Clock::now() + 4 * options_.call_timeout + 2 * options_.ack_timeout;
  const bool settled = calls_done_.wait_until(lock, deadline, [&] {
    for (const auto partition : partitions) {
      if (calls_.contains(partition)) return false;
    }
    return true;
  });
  if (!settled) {
    log::warn("commands partition revoked while a call is still unrecorded",
              {{"partitions", partitions.size()}});
  }
}

void Executor::stop(Clock::time_point deadline) {
  stop_deadline_ = deadline.time_since_epoch().count();
  stopping_ = true;
  asio::post(strand_, [this] {
    for (auto* timer : waiting_)
      timer->cancel();
  });
}

bool Executor::owns(std::int32_t partition) const {
  std::lock_guard lock(owned_mutex_);
  return owned_.contains(partition);
}

asio::awaitable<void> Executor::drain(std::string key) {
  for (;;) {
    const auto queue = queues_.find(key);
    if (queue == queues_.end() || queue->second.empty()) {
      queues_.erase(key);
      co_return;
    }
    const auto record = queue->second.front();  // a copy: the deque may grow meanwhile
    if (!stopping_ && owns(record.partition)) co_await process(record);
    queues_[key].pop_front();
    --in_progress_;
  }
}

asio::awaitable<void> Executor::process(const kafka::ConsumedRecord& record) {
  const auto started = Clock::now();
  auto parsed = parse_command(record.value);
  if (!parsed) {
    log::warn("invalid command on the commands topic", {{"partition", record.partition},
                                                        {"offset", record.offset},
                                                        {"error", parsed.error().to_string()}});
    co_await refuse_invalid(record, parsed.error().to_string(), started, /*by_offset=*/false);
    co_return;
  }
  Command command = std::move(parsed).value();
  const std::string identity = identity_of(command.caller, command.id);
  if (co_await republished(identity, record)) co_return;
  std::optional<Outcome> outcome;
  std::unique_ptr<CallGuard> call_in_flight;  // until its outcome is journaled
  if (record.key != command.key) {
    // Keyed elsewhere, it could run beside its twin on another partition: it is refused by
    // its offset, so the command's own id keeps its one result.
    co_await refuse_invalid(record,
                            "the record's key must be the command's partitionkey (" + command.key +
                                "): one command, one partition",
                            started, /*by_offset=*/true);
    co_return;
  }
  if (auto refusal = check_sendable(command, senders_, true)) {
    outcome = failed(refusal->kind, refusal->problem.to_string(), 0);
  } else {
    outcome = co_await execute(command, identity, record.partition, call_in_flight);
  }
  if (!outcome) co_return;  // stopping or revoked: the next owner takes it from the journal
  About about_it = about(command);
  if (command.type == CommandType::conversation_start) {
    for (const auto& [name, value] : outcome->ids) {
      if (name == "conversationId") about_it.subject = value;
    }
  }
  if (!co_await conclude(about_it, *outcome, identity)) co_return;
  const bool known_source = senders_.by_source.contains(command.data.source);
  stats_.result(known_source ? command.data.source : "unknown", type_name(command.type),
                outcome_name(outcome->kind),
                std::chrono::duration<double>(Clock::now() - started).count());
  done_(record.partition, record.offset);
}

asio::awaitable<bool> Executor::republished(const std::string& identity,
                                            const kafka::ConsumedRecord& record) {
  const auto entry = journal_.find(identity);
  if (!entry || entry->state != JournalEntry::State::done) co_return false;
  // A repeat: nothing is performed; the one result goes out again, same id.
  log::info("command repeated: its result is published again", {{"identity", identity}});
  const kafka::Record again =
      result_record(options_.results_topic, entry->result_key, entry->result);
  if (co_await publish(again)) done_(record.partition, record.offset);
  co_return true;
}

asio::awaitable<void> Executor::refuse_invalid(const kafka::ConsumedRecord& record,
                                               std::string problem, Clock::time_point started,
                                               bool by_offset) {
  const auto fallback_id =
      "invalid:" + std::to_string(record.partition) + ":" + std::to_string(record.offset);
  const About about = about_invalid(record.value, record.key, fallback_id);
  const auto outcome = failed("invalid", std::move(problem), 0);
  if (!by_offset && about.id != fallback_id && !about.caller.empty()) {
    // Its caller and id are readable: it is that command, with that one result.
    const auto identity = identity_of(about.caller, about.id);
    if (co_await republished(identity, record)) co_return;
    if (!co_await conclude(about, outcome, identity)) co_return;
  } else {
    About unnamed = about;
    unnamed.id = fallback_id;  // never a second result under a command's id
    const auto result =
        result_record(options_.results_topic, unnamed, outcome, std::chrono::system_clock::now());
    if (!co_await publish(result)) co_return;
  }
  stats_.result("unknown", "unknown", "failed",
                std::chrono::duration<double>(Clock::now() - started).count());
  done_(record.partition, record.offset);
}

asio::awaitable<std::optional<Outcome>> Executor::execute(const Command& command,
                                                          const std::string& identity,
                                                          std::int32_t partition,
                                                          std::unique_ptr<CallGuard>& held) {
  auto& source = *sources_.at(command.data.source);
  const bool idempotent = source.sender.idempotent(command);
  auto intent = journal_.find(identity).value_or(JournalEntry{});
  // An intent from an earlier life (a crash, another replica) is a doubt like any other.
  bool doubtful = intent.calls > 0;
  unsigned failures = 0;
  std::string last_problem = "a call recorded before a restart or a rebalance";
  for (;;) {
    if (stopping_ || !owns(partition)) co_return std::nullopt;
    if (doubtful && !idempotent) {
      const auto back = co_await read_back(source, command, intent.since);
      if (!back) co_return std::nullopt;
      stats_.reconciliation(command.data.source, read_back_name(back->kind));
      switch (back->kind) {
        case ReadBack::Kind::found: {
          Outcome outcome{.kind = Outcome::Kind::succeeded,
                          .checked = back->checked,
                          .attempts = intent.calls,
                          .reconciled = true,
                          .ids = back->ids};
          co_return outcome;
        }
        case ReadBack::Kind::undecided: {
          Outcome outcome{.kind = Outcome::Kind::unknown,
                          .message = "the platform may have performed it (" + last_problem +
                                     ") and reading back cannot tell",
                          .checked = back->checked,
                          .attempts = intent.calls};
          co_return outcome;
        }
        case ReadBack::Kind::retry_later:
          last_problem = "reading back: " + back->checked;
          if (++failures >= options_.max_attempts) {
            Outcome outcome{.kind = Outcome::Kind::unknown,
                            .message =
                                "the platform may have performed it and reading back "
                                "failed " +
                                std::to_string(failures) + " times",
                            .checked = back->checked,
                            .attempts = intent.calls};
            co_return outcome;
          }
          if (!co_await wait(upstream::backoff_delay(options_.backoff, failures, back->retry_after,
                                                     random_))) {
            co_return std::nullopt;
          }
          continue;
        case ReadBack::Kind::not_found:
          doubtful = false;
          if (failures >= options_.max_attempts) {
            co_return failed("gave_up", last_problem + " (read back: not performed)", intent.calls);
          }
          break;
      }
    }
    // The breaker and the rate limit may hold it a while: expiry is checked after them.
    if (!co_await admit(source)) co_return std::nullopt;
    if (expired(command)) {
      co_return failed("expired", "expirytime passed before the platform was called", intent.calls);
    }
    // The slot first: a call waiting for one has not begun, and ownership is checked after.
    auto slot = co_await source.slots.acquire();
    auto guard = std::make_unique<CallGuard>(*this, partition);
    if (!guard->held()) co_return std::nullopt;
    ++intent.calls;
    if (intent.calls == 1) intent.since = std::chrono::system_clock::now();
    if (!idempotent &&
        !co_await journal_.record(identity, intent, [this] { return keep_trying(); })) {
      co_return std::nullopt;
    }
    const auto answer = co_await call(source, command);
    slot.release();
    stats_.call(command.data.source, call_name(answer.kind));
    std::optional<Outcome> outcome;
    switch (answer.kind) {
      case CallOutcome::Kind::done:
        outcome =
            Outcome{.kind = Outcome::Kind::succeeded, .attempts = intent.calls, .ids = answer.ids};
        break;
      case CallOutcome::Kind::rejected:
        outcome = failed("rejected", answer.message, intent.calls, answer.status);
        break;
      case CallOutcome::Kind::unauthorized:
        outcome = failed("unauthorized", answer.message, intent.calls, answer.status);
        break;
      case CallOutcome::Kind::invalid:
        outcome = failed("invalid", answer.message, intent.calls, answer.status);
        break;
      case CallOutcome::Kind::retry_later:
      case CallOutcome::Kind::doubt:
        break;
    }
    if (outcome) {
      // Held until the outcome is journaled: a revocation waits for it (process()).
      held = std::move(guard);
      co_return outcome;
    }
    guard.reset();
    doubtful = doubtful || answer.kind == CallOutcome::Kind::doubt;
    last_problem = answer.message;
    log::warn("command call failed; retrying", {{"id", command.id},
                                                {"source", command.data.source},
                                                {"error", answer.message},
                                                {"doubt", doubtful}});
    if (++failures >= options_.max_attempts && !doubtful) {
      co_return failed("gave_up", answer.message, intent.calls, answer.status);
    }
    if (!co_await wait(
            upstream::backoff_delay(options_.backoff, failures, answer.retry_after, random_))) {
      co_return std::nullopt;
    }
  }
}

asio::awaitable<std::optional<ReadBack>> Executor::read_back(
    Source& source, const Command& command, std::chrono::system_clock::time_point since) {
  auto slot = co_await source.slots.acquire();
  if (stopping_) co_return std::nullopt;
  co_return co_await source.sender.read_back(command, since);
}

asio::awaitable<bool> Executor::admit(Source& source) {
  for (;;) {
    if (stopping_) co_return false;
    const auto now = Clock::now();
    if (!source.breaker.allow(now)) {
      // Nothing was sent: wait for the breaker rather than spend an attempt.
      if (!co_await wait(options_.breaker.open_for)) co_return false;
      continue;
    }
    if (options_.max_per_second > 0) {
      const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(1)) /
                            options_.max_per_second;
      const auto at = std::max(now, source.next_call);
      source.next_call = at + interval;
      if (at > now && !co_await wait(std::chrono::duration_cast<milliseconds>(at - now))) {
        co_return false;
      }
    }
    co_return true;
  }
}

asio::awaitable<CallOutcome> Executor::call(Source& source, const Command& command) {
  auto answer = co_await source.sender.perform(command);
  // 429 says the platform is busy, not broken: it does not open the breaker.
  const bool platform_failed =
      answer.kind == CallOutcome::Kind::doubt ||
      (answer.kind == CallOutcome::Kind::retry_later && answer.status != 429);
  if (platform_failed) {
    source.breaker.record_failure(Clock::now());
  } else {
    source.breaker.record_success();
  }
  co_return answer;
}

asio::awaitable<bool> Executor::conclude(const About& about, const Outcome& outcome,
                                         const std::string& identity) {
  const auto result =
      result_record(options_.results_topic, about, outcome, std::chrono::system_clock::now());
  JournalEntry entry{.state = JournalEntry::State::done,
                     .calls = outcome.attempts,
                     .result_key = result.key,
                     .result = result.value};
  // Recorded before it is published: a crash in between republishes the same result. An
  // outcome known at a stop is still recorded, until the drain deadline.
  if (!co_await journal_.record(identity, entry, [this] { return keep_recording(); })) {
    co_return false;
  }
  co_return co_await publish(result);
}

asio::awaitable<bool> Executor::publish(const kafka::Record& record) {
  const kafka::RetryPolicy policy{.ack_timeout = options_.ack_timeout,
                                  .retry_every = milliseconds(1000),
                                  .keep_trying = [this] { return keep_recording(); },
                                  .counted = &produced_,
                                  .what = "a command result"};
  const auto published = co_await kafka::publish_until_acknowledged(producer_, record, policy);
  co_return published != kafka::Publication::stopped;
}

asio::awaitable<bool> Executor::wait(milliseconds delay) {
  if (stopping_) co_return false;
  asio::steady_timer timer(strand_, delay);
  waiting_.insert(&timer);
  co_await timer.async_wait(kAsTuple);
  waiting_.erase(&timer);
  co_return !stopping_;
}

}  // namespace parley::commands
