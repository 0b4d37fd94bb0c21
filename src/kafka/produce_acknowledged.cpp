#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>

#include "parley/common/await.hpp"
#include "parley/kafka/disposition.hpp"
#include "parley/kafka/errors.hpp"
#include "parley/kafka/produce_stats.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/log/log.hpp"

namespace parley::kafka {
namespace {

// Shared by the waiting coroutine and the delivery callback: whoever settles it first
// decides the answer. It holds no I/O object, so a late delivery report (after the
// answer, even after the io_context is gone) only touches plain memory.
struct PendingDelivery {
  std::mutex mutex;
  bool settled = false;
  std::optional<Error> result;
  boost::asio::steady_timer* deadline = nullptr;  // set while the coroutine waits
};

}  // namespace

boost::asio::awaitable<std::optional<Error>> produce_acknowledged(
    Producer& producer, const Record& record, std::chrono::milliseconds ack_timeout,
    ProduceStats* counted) {
  const auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer deadline(executor, ack_timeout);
  auto pending = std::make_shared<PendingDelivery>();
  pending->deadline = &deadline;
  producer.produce(record, [pending, executor](std::optional<Error> result) {
    {
      std::lock_guard lock(pending->mutex);
      if (pending->settled) return;
      pending->settled = true;
      pending->result = std::move(result);
    }
    // Wake the coroutine on its own executor; it may have woken by itself meanwhile.
    boost::asio::post(executor, [pending] {
      std::lock_guard lock(pending->mutex);
      if (pending->deadline != nullptr) pending->deadline->cancel();
    });
  });
  // Woken by the report (which cancels the timer), the ack timeout, or a terminal
  // cancellation of the calling coroutine (the drain deadline).
  const auto [woken] = co_await deadline.async_wait(kAsTuple);
  const boost::asio::cancellation_state state = co_await boost::asio::this_coro::cancellation_state;
  const bool cancelled = woken == boost::asio::error::operation_aborted &&
                         state.cancelled() != boost::asio::cancellation_type::none;
  std::optional<Error> result;
  {
    std::lock_guard lock(pending->mutex);
    pending->deadline = nullptr;
    if (pending->settled) {
      result = std::move(pending->result);
    } else {
      pending->settled = true;
      result =
          Error{kafka::Errc::timeout,
                cancelled ? std::string("cancelled at the drain deadline before Kafka "
                                        "acknowledged the event")
                          : "Kafka did not acknowledge the event within " +
                                std::to_string(ack_timeout.count()) + " ms (kafka.ack_timeout_ms)"};
    }
  }
  if (counted != nullptr) counted->delivered(record.topic, !result);
  co_return result;
}

boost::asio::awaitable<Publication> publish_until_acknowledged(Producer& producer,
                                                               const Record& record,
                                                               const RetryPolicy& policy) {
  const auto executor = co_await boost::asio::this_coro::executor;
  while (!policy.keep_trying || policy.keep_trying()) {
    const auto failed =
        co_await produce_acknowledged(producer, record, policy.ack_timeout, policy.counted);
    if (!failed) co_return Publication::acknowledged;
    if (disposition(*failed) == Disposition::give_up) {
      log::error("kafka refused " + std::string(policy.what) + " for good; skipped",
                 {{"topic", record.topic}, {"key", record.key}, {"error", failed->message}});
      co_return Publication::refused;
    }
    log::warn(std::string(policy.what) + " not acknowledged; retrying",
              {{"topic", record.topic}, {"error", failed->message}});
    boost::asio::steady_timer pause(executor, policy.retry_every);
    co_await pause.async_wait(kAsTuple);
  }
  co_return Publication::stopped;
}

}  // namespace parley::kafka
