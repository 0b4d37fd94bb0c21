#include "parley/spool/forwarder.hpp"

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

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
  changed_.wait_until(lock, deadline, [this] { return !spool_.holds_records(); });
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
  auto shared = std::make_shared<BatchResults>();
  shared->results.resize(batch.size());
  shared->left = batch.size();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    producer_.produce(batch[i].first.record, [shared, i](std::optional<Error> result) {
      std::lock_guard lock(shared->mutex);
      shared->results[i] = std::move(result);
      if (--shared->left == 0) shared->all_reported.notify_all();
    });
  }
  // librdkafka reports every record within message.timeout.ms (kafka.ack_timeout_ms).
  std::unique_lock lock(shared->mutex);
  shared->all_reported.wait(lock, [&] { return shared->left == 0; });
  std::size_t acknowledged = 0;
  while (acknowledged < batch.size() && !shared->results[acknowledged])
    ++acknowledged;
  if (acknowledged > 0) {
    spool_.forwarded(batch[acknowledged - 1].second, acknowledged);
    if (!spool_.holds_records()) {
      log::info("spool emptied; new events go to Kafka directly again",
                {{"forwarded_total", static_cast<long long>(spool_.stats().forwarded_total)}});
    }
  }
  if (acknowledged == batch.size()) return true;
  carry_.clear();  // read again after the rewind
  spool_.rewind();
  spool_.count_error("forward");
  log::warn("spooled events not acknowledged by kafka; retrying in order",
            {{"forwarded", static_cast<long long>(acknowledged)},
             {"left_in_batch", static_cast<long long>(batch.size() - acknowledged)},
             {"error", shared->results[acknowledged]->message}});
  return false;
}

}  // namespace parley::spool
