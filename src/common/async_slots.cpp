#include "parley/common/async_slots.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <exception>

#include "parley/common/await.hpp"

namespace parley {

namespace asio = boost::asio;

namespace detail {
asio::awaitable<void> wait_cancelled(asio::steady_timer& timer) {
  co_await timer.async_wait(kAsTuple);  // cancellation is the wake-up signal
}
}  // namespace detail

struct AsyncSlots::State {
  State(asio::any_io_executor executor_in, std::size_t count)
      : executor(std::move(executor_in)), free(count) {}

  void give_back() {
    if (!open) return;  // the AsyncSlots is gone, and its waiters with it
    if (waiters.empty()) {
      ++free;
      return;
    }
    auto next = std::move(waiters.front());
    waiters.pop_front();
    next->cancel();
  }

  asio::any_io_executor executor;
  std::size_t free;
  std::deque<std::shared_ptr<asio::steady_timer>> waiters;
  bool open = true;
};

AsyncSlots::AsyncSlots(asio::any_io_executor executor, std::size_t count)
    : state_(std::make_shared<State>(std::move(executor), count)) {}

AsyncSlots::~AsyncSlots() {
  state_->open = false;
}

std::size_t AsyncSlots::free() const {
  return state_->free;
}

std::size_t AsyncSlots::waiting() const {
  return state_->waiters.size();
}

asio::awaitable<AsyncSlots::Slot> AsyncSlots::acquire() {
  auto state = state_;
  if (state->free > 0) {
    --state->free;
    co_return Slot(std::move(state));
  }
  auto timer =
      std::make_shared<asio::steady_timer>(state->executor, asio::steady_timer::time_point::max());
  state->waiters.push_back(timer);
  // give_back() cancels this timer after handing the slot over; no other wake-up exists.
  co_await detail::wait_cancelled(*timer);
  co_return Slot(std::move(state));
}

AsyncSlots::Slot::~Slot() {
  try {
    release();
  } catch (...) {
    // Handing the slot on cancels a waiter's timer, which does not fail for a live timer.
    // Were it to, that waiter would sleep for ever holding up the others: stop loudly
    // rather than throw out of a destructor.
    std::terminate();
  }
}

void AsyncSlots::Slot::release() {
  if (state_ == nullptr) return;
  state_->give_back();
  state_.reset();
}

}  // namespace parley
