#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>

namespace parley {

/// A counting semaphore for coroutines: acquire() waits for one of `count` slots and
/// returns it held; the slot goes back (to the longest waiter) when the Slot is destroyed or
/// released. Not thread-safe: every call must run on the same strand (or single-threaded
/// executor) that owns the object.
class AsyncSlots {
  struct State;

 public:
  /// One held slot. Move-only. It may outlive its AsyncSlots (a coroutine frame destroyed
  /// with its io_context after the owner): it then gives nothing back.
  class Slot {
   public:
    Slot(Slot&& other) noexcept = default;
    Slot& operator=(Slot&&) = delete;
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    ~Slot();

    /// Gives the slot back now; later calls and the destructor do nothing.
    void release();

   private:
    friend class AsyncSlots;
    explicit Slot(std::shared_ptr<State> state) : state_(std::move(state)) {}
    std::shared_ptr<State> state_;
  };

  AsyncSlots(boost::asio::any_io_executor executor, std::size_t count);
  ~AsyncSlots();
  AsyncSlots(const AsyncSlots&) = delete;
  AsyncSlots& operator=(const AsyncSlots&) = delete;

  boost::asio::awaitable<Slot> acquire();

  std::size_t free() const;
  std::size_t waiting() const;

 private:
  std::shared_ptr<State> state_;
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
