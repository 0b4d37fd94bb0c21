#include "parley/common/async_slots.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace parley {

namespace asio = boost::asio;

namespace detail {
asio::awaitable<void> wait_cancelled(asio::steady_timer& timer) {
  boost::system::error_code ignored;  // cancellation is the wake-up signal
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}
}  // namespace detail

asio::awaitable<void> AsyncSlots::acquire() {
  if (free_ > 0) {
    --free_;
    co_return;
  }
  auto timer =
      std::make_shared<asio::steady_timer>(executor_, asio::steady_timer::time_point::max());
  waiters_.push_back(timer);
  // release() cancels this timer after handing the slot over; no other wake-up exists.
  co_await detail::wait_cancelled(*timer);
}

void AsyncSlots::release() {
  if (waiters_.empty()) {
    ++free_;
    return;
  }
  auto next = std::move(waiters_.front());
  waiters_.pop_front();
  next->cancel();
}

}  // namespace parley
