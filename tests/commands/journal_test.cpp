// The journal's record format and its memory bound.
#include "parley/commands/journal.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "support/memory_producer.hpp"

namespace parley::commands {
namespace {

TEST(JournalFormat, RoundTripsBothStates) {
  const JournalEntry calling{
      .calls = 2,
      .since = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764000000123))};
  auto decoded = decode(encode(calling));
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(decoded.value().state, JournalEntry::State::calling);
  EXPECT_EQ(decoded.value().calls, 2u);
  EXPECT_EQ(decoded.value().since, calling.since);
  const JournalEntry done{.state = JournalEntry::State::done,
                          .calls = 1,
                          .result_key = "cao:1",
                          .result = R"({"id":"x:result"})"};
  decoded = decode(encode(done));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.value().result, done.result);
  EXPECT_EQ(decoded.value().result_key, "cao:1");
}

TEST(JournalFormat, RefusesWhatItCannotRead) {
  EXPECT_FALSE(decode("nope"));
  EXPECT_EQ(decode(R"({"state":"maybe"})").error(), R"(field state: must be "calling" or "done")");
  EXPECT_EQ(decode(R"({"state":"done"})").error(), "field result: is required when state is done");
}

TEST(JournalIdentity, SeparatesCallerFromId) {
  EXPECT_EQ(identity_of("/crm", "a"), R"(["/crm","a"])");
  EXPECT_NE(identity_of("/crm\",\"x", "a"), identity_of("/crm", "x\",\"a"));
}

TEST(Journal, ForgetsResultsBeforeIntentsAndScansNeverOverwriteNewerState) {
  boost::asio::io_context io;
  testing::MemoryProducer producer;
  Journal journal(producer, "journal", std::chrono::milliseconds(1000), 2);
  const JournalEntry calling{.calls = 1};
  const JournalEntry done{.state = JournalEntry::State::done, .calls = 1, .result = "{}"};
  for (const auto& [id, entry] :
       {std::pair{"a", calling}, std::pair{"b", done}, std::pair{"c", calling}}) {
    boost::asio::co_spawn(io, journal.record(id, entry, [] { return true; }),
                          boost::asio::detached);
  }
  io.run();
  EXPECT_TRUE(journal.find("a"));
  EXPECT_FALSE(journal.find("b"));  // a result goes before an intent
  EXPECT_TRUE(journal.find("c"));
}

TEST(Journal, RemembersWhatKafkaAcknowledgedWithinItsBound) {
  boost::asio::io_context io;
  testing::MemoryProducer producer;
  Journal journal(producer, "journal", std::chrono::milliseconds(1000), 2);
  for (const auto* id : {"a", "b", "c"}) {
    boost::asio::co_spawn(io, journal.record(id, JournalEntry{.calls = 1}, [] { return true; }),
                          boost::asio::detached);
  }
  io.run();
  EXPECT_EQ(producer.on("journal").size(), 3u);
  EXPECT_EQ(journal.size(), 2u);
  EXPECT_FALSE(journal.find("a"));  // the oldest is forgotten first
  EXPECT_TRUE(journal.find("c"));
}

}  // namespace
}  // namespace parley::commands
