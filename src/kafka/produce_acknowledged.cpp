#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>

#include "parley/kafka/producer.hpp"

namespace parley::kafka {
namespace {

// Shared by the waiting coroutine and the delivery callback: whoever settles it first
// decides the answer. The timer is touched only on the coroutine's executor.
struct PendingDelivery {
  explicit PendingDelivery(const boost::asio::any_io_executor& executor) : timer(executor) {}
  std::mutex mutex;
  bool settled = false;
  std::optional<Error> result;
  boost::asio::steady_timer timer;
};

}  // namespace

boost::asio::awaitable<std::optional<Error>> produce_acknowledged(
    Producer& producer, const Record& record, std::chrono::milliseconds ack_timeout) {
  const auto executor = co_await boost::asio::this_coro::executor;
  auto pending = std::make_shared<PendingDelivery>(executor);
  pending->timer.expires_after(ack_timeout);
  producer.produce(record, [pending, executor](std::optional<Error> result) {
    {
      std::lock_guard lock(pending->mutex);
      if (pending->settled) return;
      pending->settled = true;
      pending->result = std::move(result);
    }
    boost::asio::post(executor, [pending] { pending->timer.cancel(); });
  });
  co_await pending->timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  std::lock_guard lock(pending->mutex);
  if (!pending->settled) {
    pending->settled = true;
    co_return Error{Errc::kafka_timeout, "Kafka did not acknowledge the event within " +
                                             std::to_string(ack_timeout.count()) +
                                             " ms (kafka.ack_timeout_ms)"};
  }
  co_return pending->result;
}

}  // namespace parley::kafka
