#include "parley/spool/append_durable.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <mutex>

namespace parley::spool {

namespace asio = boost::asio;

namespace {

// Shared by the waiting coroutine and the writer thread's callback (the shape of
// kafka::produce_acknowledged): the callback only stores the result and wakes the timer.
struct PendingAppend {
  std::mutex mutex;
  bool settled = false;
  std::optional<Error> result;
  asio::steady_timer* wakeup = nullptr;  // set while the coroutine waits
};

}  // namespace

asio::awaitable<std::optional<Error>> append_durable(Spool& spool, kafka::Record record) {
  const auto executor = co_await asio::this_coro::executor;
  asio::steady_timer wakeup(executor, asio::steady_timer::time_point::max());
  auto pending = std::make_shared<PendingAppend>();
  pending->wakeup = &wakeup;
  spool.append(record, [pending, executor](std::optional<Error> result) {
    {
      std::lock_guard lock(pending->mutex);
      pending->settled = true;
      pending->result = std::move(result);
    }
    asio::post(executor, [pending] {
      std::lock_guard lock(pending->mutex);
      if (pending->wakeup != nullptr) pending->wakeup->cancel();
    });
  });
  // The spool answers every append (durable, refused, or closing): no deadline needed.
  for (;;) {
    {
      std::lock_guard lock(pending->mutex);
      if (pending->settled) {
        pending->wakeup = nullptr;
        co_return std::move(pending->result);
      }
    }
    co_await wakeup.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace parley::spool
