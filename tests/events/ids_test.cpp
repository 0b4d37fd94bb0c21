#include "parley/events/ids.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

namespace parley::events {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

system_clock::time_point at_ms(std::int64_t ms) {
  return system_clock::time_point(milliseconds(ms));
}

// The 48-bit millisecond prefix, as the 12 hex digits before the third dash.
std::string time_hex(const std::string& id) {
  return id.substr(0, 8) + id.substr(9, 4);
}

TEST(UuidV7, Format) {
  const std::regex shape("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  const auto id = make_uuid_v7(system_clock::now());
  EXPECT_EQ(id.size(), 36u);
  EXPECT_TRUE(std::regex_match(id, shape)) << id;
}

TEST(UuidV7, VersionAndVariantOnEveryId) {
  const auto now = at_ms(1'700'000'000'000);
  for (int i = 0; i < 10'000; ++i) {
    const auto id = make_uuid_v7(now);
    ASSERT_EQ(id.size(), 36u);
    ASSERT_EQ(id[14], '7') << id;
    ASSERT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'a' || id[19] == 'b') << id;
  }
}

TEST(UuidV7, EncodesUnixMillisecondsBigEndian) {
  EXPECT_EQ(time_hex(make_uuid_v7(at_ms(0x0123'4567'89AB))), "0123456789ab");
  EXPECT_EQ(time_hex(make_uuid_v7(at_ms(0))), "000000000000");
  EXPECT_EQ(time_hex(make_uuid_v7(at_ms(1'700'000'000'123))), "018bcfe5687b");
  // Near the end of what system_clock (int64 nanoseconds) can represent, year 2248.
  EXPECT_EQ(time_hex(make_uuid_v7(at_ms(0x07FF'FFFF'FFFF))), "07ffffffffff");
}

TEST(UuidV7, SubMillisecondPartIsIgnored) {
  const auto base = at_ms(1'700'000'000'123);
  EXPECT_EQ(time_hex(make_uuid_v7(base + std::chrono::microseconds(999))),
            time_hex(make_uuid_v7(base)));
}

TEST(UuidV7, UniqueWithinOneMillisecond) {
  const auto now = at_ms(1'700'000'000'000);
  std::unordered_set<std::string> ids;
  constexpr int kCount = 100'000;
  ids.reserve(kCount);
  for (int i = 0; i < kCount; ++i)
    ids.insert(make_uuid_v7(now));
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kCount));
}

TEST(UuidV7, UniqueAcrossThreads) {
  // Each thread has its own generator: they must not share a seed.
  const auto now = at_ms(1'700'000'000'000);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5'000;
  std::vector<std::vector<std::string>> per_thread(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i)
        per_thread[t].push_back(make_uuid_v7(now));
    });
  }
  for (auto& thread : threads)
    thread.join();
  std::unordered_set<std::string> ids;
  for (const auto& batch : per_thread)
    ids.insert(batch.begin(), batch.end());
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kPerThread));
}

TEST(UuidV7, EveryRandomDigitVaries) {
  // 74 random bits: all digits after the time prefix except the version digit and the
  // two fixed variant bits must take many values over many ids.
  const auto now = at_ms(1'700'000'000'000);
  std::vector<std::set<char>> seen(36);
  for (int i = 0; i < 2'000; ++i) {
    const auto id = make_uuid_v7(now);
    for (std::size_t p = 0; p < id.size(); ++p)
      seen[p].insert(id[p]);
  }
  for (std::size_t p = 15; p < 36; ++p) {
    if (p == 18 || p == 23) continue;  // dashes
    const std::size_t expected = p == 19 ? 4 : 16;
    EXPECT_EQ(seen[p].size(), expected) << "position " << p;
  }
}

TEST(UuidV7, LaterMillisecondSortsAfter) {
  // Includes byte carries (0xff -> 0x100, 0xffffff -> 0x1000000).
  const std::int64_t starts[] = {0, 0xFF, 0xFFFF, 0xFF'FFFF, 0xFFFF'FFFF, 1'700'000'000'000};
  for (const auto start : starts) {
    for (int i = 0; i < 100; ++i) {
      const auto earlier = make_uuid_v7(at_ms(start));
      const auto later = make_uuid_v7(at_ms(start + 1));
      ASSERT_LT(earlier, later) << start;
    }
  }
}

TEST(UuidV7, SortingIdsSortsByTime) {
  std::vector<std::string> ids;
  for (std::int64_t ms = 1'700'000'000'000; ms < 1'700'000'002'000; ms += 7) {
    ids.push_back(make_uuid_v7(at_ms(ms)));
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
}

// --- ids derived from platform values ---

TEST(DerivedIds, ShapesOfEveryKind) {
  EXPECT_EQ(message_event_id("cao", "12345678"), "cao:message:12345678");
  EXPECT_EQ(platform_event_id("talkjs", "evt_1"), "talkjs:event:evt_1");
  EXPECT_EQ(receipt_event_id("cao", "987654322", "2"), "cao:receipt:987654322:2");
  EXPECT_EQ(state_event_id("directly", "5a1e0000-0000-4000-8000-000000000007", "2f0c5b1d8e6a4c93"),
            "directly:state:5a1e0000-0000-4000-8000-000000000007:2f0c5b1d8e6a4c93");
  EXPECT_EQ(message_event_id("cao-eu", "1"), "cao-eu:message:1");
}

TEST(DerivedIds, MessageIdsKeepThePlatformIdVerbatimAtTheEnd) {
  // The contract: `<source>:message:<platform message id>`, on every path.
  EXPECT_EQ(message_event_id("talkjs", "a:b%c"), "talkjs:message:a:b%c");
}

TEST(DerivedIds, AnEventIdCannotPoseAsAMessageId) {
  // TalkJS user.created with event id "message:m_victim2" and the message.sent of m_victim2.
  EXPECT_EQ(platform_event_id("talkjs", "message:m_victim2"), "talkjs:event:message:m_victim2");
  EXPECT_NE(platform_event_id("talkjs", "message:m_victim2"),
            message_event_id("talkjs", "m_victim2"));
  EXPECT_NE(platform_event_id("talkjs", "receipt:1:2"), receipt_event_id("talkjs", "1", "2"));
}

TEST(DerivedIds, ReceiptIdsOfDifferentMessageAndStatusNeverCollide) {
  EXPECT_NE(receipt_event_id("cao", "7:1", "2"), receipt_event_id("cao", "7", "1:2"));
  EXPECT_EQ(receipt_event_id("cao", "7:1", "2"), "cao:receipt:7%3A1:2");
  EXPECT_EQ(receipt_event_id("cao", "7", "1:2"), "cao:receipt:7:1:2");
  // The escape itself cannot be forged: a literal "%3A" is escaped too.
  EXPECT_NE(receipt_event_id("cao", "7%3A1", "2"), receipt_event_id("cao", "7:1", "2"));
  EXPECT_EQ(receipt_event_id("cao", "7%3A1", "2"), "cao:receipt:7%253A1:2");
}

TEST(DerivedIds, StateIdsEscapeTheConversationId) {
  EXPECT_NE(state_event_id("directly", "q:a", "b"), state_event_id("directly", "q", "a:b"));
}

TEST(DerivedIds, NoTwoDistinctInputsShareAnId) {
  // Every kind over values made of the characters that could confuse a parser.
  const std::vector<std::string> values = {"1",         "2",       ":",          "1:",  ":1",
                                           "1:2",       "%",       "%3A",        "%25", "message",
                                           "message:1", "event:1", "receipt:1:2"};
  std::set<std::string> ids;
  std::size_t made = 0;
  for (const auto& a : values) {
    ids.insert(message_event_id("s", a));
    ids.insert(platform_event_id("s", a));
    made += 2;
    for (const auto& b : values) {
      ids.insert(receipt_event_id("s", a, b));
      ids.insert(state_event_id("s", a, b));
      made += 2;
    }
  }
  EXPECT_EQ(ids.size(), made);
}

TEST(DerivedIds, EscapingChangesOnlyPercentAndColon) {
  EXPECT_EQ(escape_id_part("abc-123_XYZ.~ /"), "abc-123_XYZ.~ /");
  EXPECT_EQ(escape_id_part("a:b%c"), "a%3Ab%25c");
  EXPECT_EQ(escape_id_part(""), "");
}

TEST(DerivedIds, AUuidV7IsNoDerivedId) {
  EXPECT_EQ(make_uuid_v7(system_clock::now()).find(':'), std::string::npos);
}

}  // namespace
}  // namespace parley::events
