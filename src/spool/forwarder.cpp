#include "parley/spool/forwarder.hpp"

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

#include "parley/kafka/disposition.hpp"
#include "parley/log/log.hpp"

namespace parley::spool {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kIdleCheck{200};

// Shared with the delivery callbacks, which may outlive a wait that gave up.
struct BatchResults {
  std::mutex mutex;
  std::condition_variable all_reported;
  std::vector<std::optional<Error>> results;
  std::size_t left = 0;
};

}  // namespace

Forwarder::Forwarder(Spool& spool, kafka::Producer& producer, ForwarderOptions options)
    : spool_(spool), producer_(producer), options_(options) {}

Forwarder::~Forwarder() {
  stop();
}

void Forwarder::start() {
  thread_ = std::thread([this] { run(); });
}

void Forwarder::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t Forwarder::drain(Clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  changed_.wait_until(lock, deadline,
                      [this] { return !spool_.holds_records() || !producer_.reachable(); });
  return spool_.stats().records;
}

void Forwarder::run() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    if (carry_.empty() && !spool_.wait_for_records(Clock::now() + kIdleCheck)) continue;
    const bool ok = producer_.reachable() && forward_batch();
    changed_.notify_all();  // drain() re-checks
    if (!ok) {
      std::unique_lock lock(mutex_);
      changed_.wait_for(lock, options_.retry, [this] { return stopping_; });
    }
  }
}

bool Forwarder::forward_batch() {
  auto batch = std::move(carry_);
  carry_.clear();
  if (batch.size() < options_.batch) {
    for (auto& entry : spool_.read(options_.batch - batch.size()))
      batch.push_back(std::move(entry));
  }
  if (batch.empty()) return true;
  // At most one record per key in flight: when one fails and a later one of the same
  // conversation succeeds, the retry would put them out of order. The rest waits in memory.
  std::set<std::string> keys;
  const auto repeat = std::find_if(batch.begin(), batch.end(), [&](const auto& entry) {
    return !keys.insert(entry.first.record.key).second;
  });
  carry_.assign(std::make_move_iterator(repeat), std::make_move_iterator(batch.end()));
  batch.erase(repeat, batch.end());
  const auto results = send(batch);
  // Records leave the spool as a prefix: acknowledged ones, and ones Kafka refuses for good
  // (set aside in the quarantine, so one record never holds back those behind it).
  std::size_t done = 0;
  std::size_t refused = 0;
  for (; done < batch.size(); ++done) {
    const auto& failure = results[done];
    if (!failure) continue;
    if (kafka::disposition(*failure) != kafka::Disposition::give_up) break;
    if (auto problem = spool_.refuse(batch[done].first, failure->message)) {
      log::error("a spooled event kafka refused cannot be quarantined; holding it",
                 {{"key", batch[done].first.record.key}, {"error", *problem}});
      break;
    }
    ++refused;
  }
  // Acknowledged after the first failure: different keys, so the retry may skip them
  // without reordering a conversation, and Kafka gets each record once, not once a retry.
  for (auto i = done; i < batch.size(); ++i) {
    if (!results[i]) acknowledged_ahead_.insert(position_key(batch[i].second));
  }
  if (done > 0) {
    spool_.forwarded(batch[done - 1].second, done, refused);
    if (!spool_.holds_records()) {
      log::info("spool emptied; new events go to Kafka directly again",
                {{"forwarded_total", static_cast<long long>(spool_.stats().forwarded_total)}});
    }
  }
  if (done == batch.size()) return true;
  carry_.clear();  // read again after the rewind
  spool_.rewind();
  spool_.count_error("forward");
  log::warn("spooled events not acknowledged by kafka; retrying in order",
            {{"forwarded", static_cast<long long>(done)},
             {"left_in_batch", static_cast<long long>(batch.size() - done)},
             {"error", results[done]->message}});
  return false;
}

std::vector<std::optional<Error>> Forwarder::send(
    const std::vector<std::pair<SpooledRecord, Position>>& batch) {
  auto shared = std::make_shared<BatchResults>();
  shared->results.resize(batch.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    // Acknowledged by an earlier try of this batch: not written again.
    if (acknowledged_ahead_.erase(position_key(batch[i].second)) > 0) continue;
    ++shared->left;
    producer_.produce(batch[i].first.record, [shared, i](std::optional<Error> result) {
      std::lock_guard lock(shared->mutex);
      shared->results[i] = std::move(result);
      if (--shared->left == 0) shared->all_reported.notify_all();
    });
  }
  // librdkafka reports every record within message.timeout.ms (kafka.ack_timeout_ms).
  std::unique_lock lock(shared->mutex);
  shared->all_reported.wait(lock, [&] { return shared->left == 0; });
  return std::move(shared->results);
}

}  // namespace parley::spool
