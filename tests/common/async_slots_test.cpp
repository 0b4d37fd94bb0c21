#include "parley/common/async_slots.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <optional>

namespace parley {
namespace {

namespace asio = boost::asio;

TEST(AsyncSlots, NeverMoreHoldersThanSlotsAndWaitersServedInOrder) {
  asio::io_context io;
  AsyncSlots slots(io.get_executor(), 2);
  int holding = 0;
  int most = 0;
  std::vector<int> order;
  for (int i = 0; i < 6; ++i) {
    asio::co_spawn(
        io,
        [&, i]() -> asio::awaitable<void> {
          const auto slot = co_await slots.acquire();
          order.push_back(i);
          most = std::max(most, ++holding);
          co_await asio::post(io, asio::use_awaitable);  // hold the slot across a suspension
          --holding;
        },
        asio::detached);
  }
  io.run();
  EXPECT_EQ(most, 2);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(slots.free(), 2u);
  EXPECT_EQ(slots.waiting(), 0u);
}

TEST(AsyncSlots, AReleasedSlotGoesBackOnceAndASlotMayOutliveItsOwner) {
  asio::io_context io;
  auto slots = std::make_unique<AsyncSlots>(io.get_executor(), 1);
  std::optional<AsyncSlots::Slot> held;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { held.emplace(co_await slots->acquire()); },
      asio::detached);
  io.run();
  ASSERT_TRUE(held);
  EXPECT_EQ(slots->free(), 0u);
  held->release();
  held->release();  // a second release gives nothing more back
  EXPECT_EQ(slots->free(), 1u);

  // The slot is held again, and a waiter queues behind it.
  bool waiter_woken = false;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { held.emplace(co_await slots->acquire()); },
      asio::detached);
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        const auto slot = co_await slots->acquire();
        waiter_woken = true;
      },
      asio::detached);
  io.restart();
  io.poll();  // not run(): the waiter never finishes
  EXPECT_EQ(slots->free(), 0u);
  EXPECT_EQ(slots->waiting(), 1u);
  EXPECT_FALSE(waiter_woken);
  slots.reset();  // the owner goes first, as at teardown
  held.reset();   // the slot outlives it and gives nothing back: no waiter is handed it
  io.restart();
  io.poll();
  EXPECT_FALSE(waiter_woken) << "a slot released after its owner was gone woke a waiter";
  // `io` goes last, destroying the waiter's frame (and the shared state it keeps).
}

TEST(SharedResult, EveryWaiterSeesTheOneValue) {
  asio::io_context io;
  auto shared = std::make_shared<SharedResult<int>>(io.get_executor());
  std::vector<int> seen;
  for (int i = 0; i < 3; ++i) {
    asio::co_spawn(
        io,
        [&, shared]() -> asio::awaitable<void> {
          co_await shared->wait();
          seen.push_back(shared->value());
        },
        asio::detached);
  }
  asio::post(io, [shared] { shared->set(42); });
  io.run();
  EXPECT_EQ(seen, (std::vector<int>{42, 42, 42}));
}

}  // namespace
}  // namespace parley
