#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>

namespace parley {

/// A counting semaphore for coroutines: acquire() waits for one of `count` slots,
/// release() hands a slot to the longest waiter. Not thread-safe: every call must run on
/// the same strand (or single-threaded executor) that owns the object.
class AsyncSlots {
 public:
  AsyncSlots(boost::asio::any_io_executor executor, std::size_t count)
      : executor_(std::move(executor)), free_(count) {}

  boost::asio::awaitable<void> acquire();
  /// Gives a slot back; the caller must hold one.
  void release();

  std::size_t free() const { return free_; }
  std::size_t waiting() const { return waiters_.size(); }

 private:
  boost::asio::any_io_executor executor_;
  std::size_t free_;
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters_;
};

/// A value produced once and awaited by any number of coroutines (single flight). Same
/// threading rule as AsyncSlots. Hold it by shared_ptr so waiters keep it alive.
template <class T>
class SharedResult {
 public:
  explicit SharedResult(const boost::asio::any_io_executor& executor)
      : timer_(executor, boost::asio::steady_timer::time_point::max()) {}

  bool ready() const { return value_.has_value(); }
  const T& value() const { return *value_; }

  /// Resumes once set() was called.
  boost::asio::awaitable<void> wait();

  void set(T value) {
    value_.emplace(std::move(value));
    timer_.cancel();
  }

 private:
  boost::asio::steady_timer timer_;
  std::optional<T> value_;
};

namespace detail {
boost::asio::awaitable<void> wait_cancelled(boost::asio::steady_timer& timer);
}

template <class T>
boost::asio::awaitable<void> SharedResult<T>::wait() {
  while (!value_)
    co_await detail::wait_cancelled(timer_);
}

}  // namespace parley
