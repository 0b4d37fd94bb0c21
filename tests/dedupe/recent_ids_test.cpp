#include "parley/dedupe/recent_ids.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace parley::dedupe {
namespace {

using namespace std::chrono_literals;

/// A clock the test moves by hand.
struct ManualClock {
  std::chrono::steady_clock::time_point now{};
  RecentIds::Clock function() {
    return [this] { return now; };
  }
};

TEST(RecentIds, RemembersWithinTheWindowAndForgetsAfter) {
  ManualClock clock;
  RecentIds ids(600s, 100, clock.function());
  EXPECT_FALSE(ids.contains("cao:message:1"));
  ids.remember("cao:message:1");
  EXPECT_TRUE(ids.contains("cao:message:1"));
  EXPECT_FALSE(ids.contains("cao:message:2"));
  clock.now += 599s;
  EXPECT_TRUE(ids.contains("cao:message:1"));
  clock.now += 1s;
  EXPECT_FALSE(ids.contains("cao:message:1"));
  EXPECT_EQ(ids.size(), 0u);
}

TEST(RecentIds, ARepeatKeepsItsFirstTime) {
  ManualClock clock;
  RecentIds ids(10s, 100, clock.function());
  ids.remember("a");
  clock.now += 9s;
  ids.remember("a");
  clock.now += 1s;
  EXPECT_FALSE(ids.contains("a"));
}

TEST(RecentIds, NeverHoldsMoreThanMaxEntriesAndForgetsTheOldestFirst) {
  ManualClock clock;
  RecentIds ids(600s, 3, clock.function());
  for (const auto* id : {"a", "b", "c", "d"}) {
    ids.remember(id);
    clock.now += 1s;
  }
  EXPECT_EQ(ids.size(), 3u);
  EXPECT_FALSE(ids.contains("a"));
  EXPECT_TRUE(ids.contains("b"));
  EXPECT_TRUE(ids.contains("d"));
}

TEST(RecentIds, ShardedTableStaysWithinItsBoundUnderLoad) {
  constexpr std::size_t kMax = 16 * 1024;
  RecentIds ids(600s, kMax);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&ids, t] {
      for (int i = 0; i < 20000; ++i)
        ids.remember("id-" + std::to_string(t) + "-" + std::to_string(i));
    });
  }
  for (auto& thread : threads)
    thread.join();
  EXPECT_LE(ids.size(), kMax);
  EXPECT_GT(ids.size(), kMax / 2);
  // The newest survive. (Not "id-3-19999": the threads finish in any order, and the others'
  // later ids may push a thread that finished first out of the table.)
  ids.remember("newest");
  EXPECT_TRUE(ids.contains("newest"));
  EXPECT_LE(ids.size(), kMax);
}

TEST(RecentIds, SimilarIdsAreDistinct) {
  RecentIds ids(600s, 1000);
  ids.remember("talkjs:evt_1");
  EXPECT_FALSE(ids.contains("talkjs:evt_10"));
  EXPECT_FALSE(ids.contains("talkjs:evt_"));
  EXPECT_FALSE(ids.contains(""));
}

}  // namespace
}  // namespace parley::dedupe
