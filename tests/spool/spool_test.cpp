// The durable spool: framing, crash recovery at every byte, rollover, bounds, the lock and
// the failure seams, and the forwarder's order.
#include "parley/spool/spool.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <random>

#include "parley/kafka/errors.hpp"
#include "parley/spool/crc32c.hpp"
#include "parley/spool/errors.hpp"
#include "parley/spool/format.hpp"
#include "parley/spool/forwarder.hpp"

namespace parley::spool {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

kafka::Record record(int n, std::size_t value_bytes = 40) {
  return kafka::Record{.topic = "parley.events.v1",
                       .key = "cao:" + std::to_string(n % 3),
                       .value = "{\"n\":" + std::to_string(n) + ",\"pad\":\"" +
                                std::string(value_bytes, 'v') + "\"}",
                       .headers = {{"ce_id", "id-" + std::to_string(n)}, {"ce_type", "t"}}};
}

class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = fs::temp_directory_path() / ("parley-spool-test-" + std::to_string(random()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::unique_ptr<Spool> open_spool(const fs::path& dir, Recovery* recovery = nullptr,
                                  SpoolOptions options = {}) {
  options.dir = dir;
  auto opened = Spool::open(std::move(options), recovery);
  EXPECT_TRUE(opened) << (opened ? "" : opened.error());
  return opened ? std::move(opened).value() : nullptr;
}

std::optional<Error> append_and_wait(Spool& spool, kafka::Record r) {
  std::promise<std::optional<Error>> done;
  auto answer = done.get_future();
  spool.append(std::move(r), [&done](std::optional<Error> e) { done.set_value(std::move(e)); });
  return answer.get();
}

std::vector<SpooledRecord> read_all(Spool& spool) {
  std::vector<SpooledRecord> out;
  for (auto batch = spool.read(1000); !batch.empty(); batch = spool.read(1000)) {
    for (auto& [r, position] : batch)
      out.push_back(std::move(r));
  }
  return out;
}

std::vector<fs::path> files_ending(const fs::path& dir, std::string_view suffix) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().string().ends_with(suffix)) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string contents_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(Crc32c, KnownVectors) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283U);
  EXPECT_EQ(crc32c(""), 0U);
  EXPECT_EQ(crc32c(std::string(32, '\0')), 0x8A9136AAU);
  EXPECT_EQ(crc32c("56789", crc32c("1234")), 0xE3069283U);  // continues
  EXPECT_EQ(detail::crc32c_portable("123456789"), 0xE3069283U);
}

// Whichever implementation crc32c() picked on this CPU, it agrees with the tables at every
// length and alignment (the instruction path takes 8 bytes at a time, then single bytes).
TEST(Crc32c, InstructionAndTablesAgreeAtEveryLengthAndAlignment) {
  std::string bytes(300, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i)
    bytes[i] = static_cast<char>((i * 131 + 7) & 0xFF);
  for (std::size_t start = 0; start < 8; ++start) {
    for (std::size_t length = 0; start + length <= bytes.size(); ++length) {
      const std::string_view piece(bytes.data() + start, length);
      ASSERT_EQ(crc32c(piece, 0x12345678U), detail::crc32c_portable(piece, 0x12345678U))
          << "start " << start << " length " << length;
    }
  }
}

TEST(Format, FrameRoundTripKeepsEveryField) {
  auto r = record(7);
  r.headers.emplace_back("empty", "");
  std::string frame;
  append_frame(frame, r, 1234567);
  EXPECT_EQ(frame.size(), frame_bytes(r));
  auto header = read_frame_header(std::string_view(frame).substr(0, kFrameHeaderBytes));
  ASSERT_TRUE(header);
  auto decoded =
      decode_payload(std::string_view(frame).substr(kFrameHeaderBytes), header.value().crc);
  ASSERT_TRUE(decoded) << decoded.error();
  EXPECT_EQ(decoded.value().appended_ms, 1234567);
  EXPECT_EQ(decoded.value().record.topic, r.topic);
  EXPECT_EQ(decoded.value().record.key, r.key);
  EXPECT_EQ(decoded.value().record.value, r.value);
  EXPECT_EQ(decoded.value().record.headers, r.headers);
  EXPECT_FALSE(decoded.value().record.tombstone);
  // Little-endian length: the payload's size in the first byte for a small record.
  EXPECT_EQ(static_cast<unsigned char>(frame[4]), (frame.size() - kFrameHeaderBytes) & 0xFFU);
}

TEST(Spool, AppendedRecordsSurviveAReopenInOrder) {
  TempDir dir;
  {
    auto spool = open_spool(dir.path());
    for (int i = 0; i < 10; ++i)
      ASSERT_FALSE(append_and_wait(*spool, record(i)));
    EXPECT_TRUE(spool->holds_records());
    EXPECT_EQ(spool->stats().records, 10u);
  }
  Recovery recovery;
  auto spool = open_spool(dir.path(), &recovery);
  EXPECT_EQ(recovery.records, 10u);
  const auto records = read_all(*spool);
  ASSERT_EQ(records.size(), 10u);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(records[i].record.value, record(i).value);
}

TEST(Spool, ASecondProcessOnTheSameDirIsRefused) {
  TempDir dir;
  auto first = open_spool(dir.path());
  auto second = Spool::open(SpoolOptions{.dir = dir.path()});
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("in use by another parley process"), std::string::npos)
      << second.error();
}

TEST(Spool, ADirThatCannotBeCreatedIsNamed) {
  auto opened = Spool::open(SpoolOptions{.dir = "/proc/parley-spool"});
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().find("spool.dir /proc/parley-spool"), std::string::npos)
      << opened.error();
}

// The crash of an unfinished append at any byte: recovery truncates it and keeps the rest.
TEST(Spool, TornTailAtEveryByteOffsetOfTheLastRecordIsTruncated) {
  TempDir dir;
  {
    auto spool = open_spool(dir.path());
    for (int i = 0; i < 3; ++i)
      ASSERT_FALSE(append_and_wait(*spool, record(i)));
  }
  const auto segment = files_ending(dir.path(), ".seg").at(0);
  const std::string bytes = contents_of(segment);
  const auto last = frame_bytes(record(2));
  const auto last_start = bytes.size() - last;
  int offsets = 0;
  for (std::size_t cut = last_start; cut < bytes.size(); ++cut) {
    // After the cut: nothing (a file that ended there), garbage, or the zeros of the
    // writer's preallocated room (what a crash of the active segment leaves).
    for (const char* after : {"", "garbage", "zeros"}) {
      TempDir copy;
      std::string torn = bytes.substr(0, cut);
      if (std::string_view(after) == "garbage") torn += std::string(37, '\x5a');
      if (std::string_view(after) == "zeros") torn += std::string(4096, '\0');
      std::ofstream(copy.path() / segment.filename(), std::ios::binary) << torn;
      Recovery recovery;
      auto spool = open_spool(copy.path(), &recovery);
      ASSERT_NE(spool, nullptr);
      EXPECT_EQ(recovery.records, 2u) << "cut at " << cut << " " << after;
      const bool clean_end = cut == last_start && std::string_view(after) != "garbage";
      EXPECT_EQ(recovery.torn_tails, clean_end ? 0u : 1u) << cut << " " << after;
      EXPECT_EQ(fs::file_size(copy.path() / segment.filename()), last_start)
          << "trimmed to the last whole record: " << cut << " " << after;
      EXPECT_TRUE(recovery.quarantined.empty()) << cut;
      EXPECT_EQ(read_all(*spool).size(), 2u) << cut;
      // Appending after the truncation works and survives a reopen.
      ASSERT_FALSE(append_and_wait(*spool, record(9)));
      spool.reset();
      Recovery again;
      auto reopened = open_spool(copy.path(), &again);
      EXPECT_EQ(again.records, 3u) << cut;
      EXPECT_EQ(again.torn_tails, 0u) << cut;
      ++offsets;
    }
  }
  std::cout << "[ measured ] torn tails tried: " << offsets << " (the last record's " << last
            << " byte offsets, each followed by nothing, garbage or zeros)\n";
}

// One bit flipped anywhere in a spool of four segments. Recovery keeps every record of the
// segments it did not touch, and of the damaged one exactly what it promises: a flip in the
// segment's last record is a torn tail (truncated there, the records before it kept); a flip
// before it -- the magic, the version, any earlier record -- is damage in the middle (the
// segment quarantined whole, none of its records forwarded). Every record read back is,
// byte for byte, one that was written, in append order, each once.
TEST(Spool, RandomBitFlipsNeverCrashAndNeverForwardADamagedRecord) {
  constexpr int kRecords = 20;
  constexpr std::size_t kSegments = 4;
  TempDir dir;
  {
    // Five records a segment (the frames of records 0-9 are two bytes shorter than 10-19's).
    auto spool = open_spool(
        dir.path(), nullptr,
        SpoolOptions{.segment_bytes = kSegmentHeaderBytes + 5 * frame_bytes(record(10))});
    ASSERT_NE(spool, nullptr);
    for (int i = 0; i < kRecords; ++i)
      ASSERT_FALSE(append_and_wait(*spool, record(i)));
  }
  // The segments as written, and where each record's frame sits in them.
  struct Written {
    fs::path name;
    std::string bytes;
    std::vector<std::size_t> starts;  // of each record's frame
    int first = 0;                    // the first record's number
  };
  std::vector<Written> segments;
  int next = 0;
  for (const auto& path : files_ending(dir.path(), ".seg")) {
    Written segment{
        .name = path.filename(), .bytes = contents_of(path), .starts = {}, .first = next};
    std::size_t at = kSegmentHeaderBytes;
    while (at < segment.bytes.size() && next < kRecords) {
      segment.starts.push_back(at);
      at += frame_bytes(record(next++));
    }
    ASSERT_EQ(at, segment.bytes.size()) << segment.name.string();
    ASSERT_GE(segment.starts.size(), 2u) << segment.name.string() << ": no middle record";
    segments.push_back(std::move(segment));
  }
  ASSERT_EQ(segments.size(), kSegments);
  ASSERT_EQ(next, kRecords);
  std::size_t total = 0;
  for (const auto& segment : segments)
    total += segment.bytes.size();

  // The frame of record `n` exactly as it was written (its append time included).
  const auto written_frame = [&](int n) {
    for (const auto& segment : segments) {
      const int index = n - segment.first;
      if (index < 0 || index >= static_cast<int>(segment.starts.size())) continue;
      const auto start = segment.starts[static_cast<std::size_t>(index)];
      return segment.bytes.substr(start, frame_bytes(record(n)));
    }
    return std::string();
  };

  // Which bit of which byte. In every segment: its magic, version and reserved bytes, the
  // first and last byte of its first record, the byte just before its last record, and that
  // record's magic, length and last byte. Then 200 anywhere, at random.
  struct Flip {
    std::size_t segment = 0;
    std::size_t at = 0;
    int bit = 0;
  };
  std::vector<Flip> flips;
  for (std::size_t s = 0; s < segments.size(); ++s) {
    const auto& starts = segments[s].starts;
    for (const std::size_t at :
         {std::size_t{0}, std::size_t{8}, std::size_t{12}, kSegmentHeaderBytes, starts[1] - 1,
          starts.back() - 1, starts.back(), starts.back() + 4, segments[s].bytes.size() - 1}) {
      flips.push_back({.segment = s, .at = at, .bit = static_cast<int>(at % 8)});
    }
  }
  std::mt19937 random(42);
  for (int trial = 0; trial < 200; ++trial) {
    auto at = std::uniform_int_distribution<std::size_t>(0, total - 1)(random);
    std::size_t hit = 0;
    while (at >= segments[hit].bytes.size()) {
      at -= segments[hit].bytes.size();
      ++hit;
    }
    flips.push_back({.segment = hit, .at = at, .bit = trial % 8});
  }

  int middle_damage = 0;
  int header_damage = 0;
  int torn_tails = 0;
  int reserved_flips = 0;
  for (const auto& [hit, at, bit] : flips) {
    const auto& damaged = segments[hit];
    const auto mask = static_cast<char>(1 << bit);
    SCOPED_TRACE("segment " + damaged.name.string() + " byte " + std::to_string(at) + " bit " +
                 std::to_string(bit));
    TempDir copy;
    for (const auto& segment : segments) {
      std::string bytes = segment.bytes;
      if (&segment == &damaged) bytes[at] = static_cast<char>(bytes[at] ^ mask);
      std::ofstream(copy.path() / segment.name, std::ios::binary) << bytes;
    }
    const std::string flipped = contents_of(copy.path() / damaged.name);

    // What recovery promises for a flip at `at`. The header's reserved bytes are not
    // checked by this format version: a flip there may leave the segment whole, or
    // quarantine it, never anything in between.
    enum class Outcome { whole, torn_tail, quarantined };
    const bool in_reserved = at >= 12 && at < kSegmentHeaderBytes;
    Recovery recovery;
    auto spool = open_spool(copy.path(), &recovery);
    ASSERT_NE(spool, nullptr);
    Outcome outcome = Outcome::quarantined;
    if (at >= damaged.starts.back()) {
      outcome = Outcome::torn_tail;
      ++torn_tails;
    } else if (in_reserved) {
      outcome = recovery.quarantined.empty() ? Outcome::whole : Outcome::quarantined;
      ++reserved_flips;
    } else if (at < kSegmentHeaderBytes) {
      ++header_damage;
    } else {
      ++middle_damage;
    }

    // The records it must forward: every one of the undamaged segments, and of the damaged
    // one all (whole), all but the last (torn tail) or none (quarantined).
    std::vector<int> expected;
    for (const auto& segment : segments) {
      auto count = static_cast<int>(segment.starts.size());
      if (&segment == &damaged) {
        if (outcome == Outcome::torn_tail) count -= 1;
        if (outcome == Outcome::quarantined) count = 0;
      }
      for (int i = 0; i < count; ++i)
        expected.push_back(segment.first + i);
    }

    EXPECT_EQ(recovery.records, expected.size());
    EXPECT_EQ(recovery.torn_tails, outcome == Outcome::torn_tail ? 1u : 0u);
    if (outcome == Outcome::quarantined) {
      ASSERT_EQ(recovery.quarantined.size(), 1u);
      EXPECT_TRUE(recovery.quarantined[0].starts_with(damaged.name.string() + ": "))
          << recovery.quarantined[0];
      // Kept aside as it was found, for a person to look at.
      auto kept = copy.path() / damaged.name;
      kept += ".quarantined";
      const auto set_aside = files_ending(copy.path(), ".quarantined");
      ASSERT_EQ(set_aside.size(), 1u);
      EXPECT_EQ(set_aside[0].string(), kept.string());
      EXPECT_EQ(contents_of(kept), flipped);
    } else {
      EXPECT_TRUE(recovery.quarantined.empty()) << recovery.quarantined[0];
      EXPECT_TRUE(files_ending(copy.path(), ".quarantined").empty());
    }
    // The undamaged segments are left as they were; a torn one ends at its last whole record.
    for (const auto& segment : segments) {
      const auto path = copy.path() / segment.name;
      if (&segment != &damaged) {
        EXPECT_EQ(contents_of(path), segment.bytes) << segment.name.string();
      } else if (outcome == Outcome::whole) {
        EXPECT_EQ(contents_of(path), flipped);
      } else if (outcome == Outcome::torn_tail) {
        EXPECT_EQ(contents_of(path), segment.bytes.substr(0, segment.starts.back()));
      } else {
        EXPECT_FALSE(fs::exists(path));
      }
    }

    const auto records = read_all(*spool);
    ASSERT_EQ(records.size(), expected.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
      const int n = expected[i];
      const auto& got = records[i].record;
      const auto want = record(n);
      EXPECT_EQ(got.topic, want.topic) << "record " << n;
      EXPECT_EQ(got.key, want.key) << "record " << n;
      EXPECT_EQ(got.value, want.value) << "record " << n;
      EXPECT_EQ(got.headers, want.headers) << "record " << n;
      EXPECT_EQ(got.tombstone, want.tombstone) << "record " << n;
      // And the whole frame, append time included, is the one written.
      std::string frame;
      append_frame(frame, got, records[i].appended_ms);
      EXPECT_EQ(frame, written_frame(n)) << "record " << n;
    }
  }
  std::cout << "[ measured ] " << flips.size() << " bit flips: " << middle_damage
            << " before a segment's last record, " << header_damage << " in a segment's magic or"
            << " version, " << reserved_flips << " in its reserved bytes, " << torn_tails
            << " in its last record\n";
  // Each outcome the promise names was tried.
  EXPECT_GE(header_damage, 2 * static_cast<int>(kSegments));
  EXPECT_GE(reserved_flips, static_cast<int>(kSegments));
  EXPECT_GE(torn_tails, 4 * static_cast<int>(kSegments));
  EXPECT_GT(middle_damage, 100);
}

TEST(Spool, SegmentsRollOverAndForwardedOnesAreDeleted) {
  TempDir dir;
  auto spool =
      open_spool(dir.path(), nullptr, SpoolOptions{.max_bytes = 1 << 20, .segment_bytes = 4096});
  for (int i = 0; i < 100; ++i)
    ASSERT_FALSE(append_and_wait(*spool, record(i, 200)));
  EXPECT_GT(files_ending(dir.path(), ".seg").size(), 5u);
  std::uint64_t count = 0;
  for (auto batch = spool->read(30); !batch.empty(); batch = spool->read(30)) {
    spool->forwarded(batch.back().second, batch.size());
    count += batch.size();
  }
  EXPECT_EQ(count, 100u);
  EXPECT_FALSE(spool->holds_records());
  EXPECT_EQ(files_ending(dir.path(), ".seg").size(), 1u);  // only the active one
  EXPECT_EQ(spool->stats().forwarded_total, 100u);
  EXPECT_FALSE(spool->stats().oldest_ms);
}

TEST(Spool, ARewindReadsTheUnforwardedRecordsAgain) {
  TempDir dir;
  auto spool = open_spool(dir.path());
  for (int i = 0; i < 5; ++i)
    ASSERT_FALSE(append_and_wait(*spool, record(i)));
  auto batch = spool->read(10);
  ASSERT_EQ(batch.size(), 5u);
  spool->forwarded(batch[1].second, 2);
  spool->rewind();
  auto again = spool->read(10);
  ASSERT_EQ(again.size(), 3u);
  EXPECT_EQ(again[0].first.record.value, record(2).value);
  // A restart repeats only what was not forwarded.
  spool.reset();
  Recovery recovery;
  auto reopened = open_spool(dir.path(), &recovery);
  EXPECT_EQ(recovery.records, 3u);
}

TEST(Spool, FullIsRefusedNamingTheLimitAndNothingIsEvicted) {
  TempDir dir;
  auto spool =
      open_spool(dir.path(), nullptr, SpoolOptions{.max_bytes = 8192, .segment_bytes = 4096});
  int accepted = 0;
  std::optional<Error> refused;
  for (int i = 0; i < 100 && !refused; ++i) {
    refused = append_and_wait(*spool, record(i, 200));
    if (!refused) ++accepted;
  }
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, spool::Errc::unavailable);
  EXPECT_NE(refused->message.find("spool.max_bytes (8192)"), std::string::npos) << refused->message;
  EXPECT_TRUE(spool->refusal());
  EXPECT_EQ(read_all(*spool).size(), static_cast<std::size_t>(accepted));  // the oldest kept
  EXPECT_EQ(spool->stats().errors.at("full"), 1u);
}

TEST(Spool, AFailedWriteIsRefusedNamingTheCauseAndLeavesNoPartialRecord) {
  TempDir dir;
  std::atomic<bool> disk_full{false};
  SpoolOptions options;
  options.write = [&](int fd, const void* data, std::size_t size) -> ssize_t {
    if (disk_full.load()) {
      ::write(fd, data, size / 2);  // a partial write, then the error
      errno = ENOSPC;
      return -1;
    }
    return ::write(fd, data, size);
  };
  auto spool = open_spool(dir.path(), nullptr, options);
  ASSERT_FALSE(append_and_wait(*spool, record(1)));
  disk_full = true;
  const auto refused = append_and_wait(*spool, record(2));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, spool::Errc::unavailable);
  EXPECT_NE(refused->message.find("No space left on device"), std::string::npos)
      << refused->message;
  disk_full = false;
  ASSERT_FALSE(append_and_wait(*spool, record(3)));  // space again: appends work
  spool.reset();
  Recovery recovery;
  auto reopened = open_spool(dir.path(), &recovery);
  EXPECT_EQ(recovery.torn_tails, 0u);
  const auto records = read_all(*reopened);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].record.value, record(3).value);
}

// A disk with room for the records but not for the zero-filled room ahead still takes them.
TEST(Spool, ADiskTooFullToPreallocateStillTakesRecords) {
  TempDir dir;
  SpoolOptions options;
  options.write = [](int fd, const void* data, std::size_t size) -> ssize_t {
    if (size >= 4096) {  // the zero chunks; records here are far smaller
      errno = ENOSPC;
      return -1;
    }
    return ::write(fd, data, size);
  };
  auto spool = open_spool(dir.path(), nullptr, options);
  for (int i = 0; i < 3; ++i)
    ASSERT_FALSE(append_and_wait(*spool, record(i)));
  const auto segment = files_ending(dir.path(), ".seg").at(0);
  EXPECT_EQ(fs::file_size(segment), kSegmentHeaderBytes + 3 * frame_bytes(record(0)));
  EXPECT_FALSE(spool->stats().errors.contains("write"));
  spool.reset();
  Recovery recovery;
  auto reopened = open_spool(dir.path(), &recovery);
  EXPECT_EQ(recovery.records, 3u);
  EXPECT_EQ(recovery.torn_tails, 0u);
}

TEST(Spool, AFailedFdatasyncFailsClosed) {
  TempDir dir;
  std::atomic<bool> failing{false};
  SpoolOptions options;
  options.sync = [&](int fd) {
    if (failing.load()) {
      errno = EIO;
      return -1;
    }
    return ::fdatasync(fd);
  };
  auto spool = open_spool(dir.path(), nullptr, options);
  ASSERT_FALSE(append_and_wait(*spool, record(1)));
  failing = true;
  const auto refused = append_and_wait(*spool, record(2));
  ASSERT_TRUE(refused);
  EXPECT_NE(refused->message.find("fdatasync"), std::string::npos) << refused->message;
  failing = false;
  // Nothing after a failed fdatasync can be trusted: refused until restart.
  EXPECT_TRUE(append_and_wait(*spool, record(3)));
  ASSERT_TRUE(spool->refusal());
  EXPECT_NE(spool->refusal()->find("fdatasync failed"), std::string::npos);
}

// The active segment is zero-filled ahead of its records (fdatasync then changes no file
// metadata). A copy taken while it is open -- what SIGKILL leaves -- recovers every record
// as a clean end, and a clean close trims the room away.
TEST(Spool, TheActiveSegmentsZeroFilledRoomIsACleanEnd) {
  TempDir dir;
  auto spool = open_spool(dir.path());
  for (int i = 0; i < 5; ++i)
    ASSERT_FALSE(append_and_wait(*spool, record(i)));
  const auto segment = files_ending(dir.path(), ".seg").at(0);
  const std::string live = contents_of(segment);
  const auto data_end = kSegmentHeaderBytes + 5 * frame_bytes(record(0));
  ASSERT_GT(live.size(), data_end) << "no room preallocated";
  EXPECT_EQ(live.find_first_not_of('\0', data_end), std::string::npos);

  TempDir copy;
  std::ofstream(copy.path() / segment.filename(), std::ios::binary) << live;
  Recovery recovery;
  auto recovered = open_spool(copy.path(), &recovery);
  EXPECT_EQ(recovery.records, 5u);
  EXPECT_EQ(recovery.torn_tails, 0u);
  EXPECT_TRUE(recovery.quarantined.empty());
  EXPECT_EQ(fs::file_size(copy.path() / segment.filename()), data_end);
  EXPECT_EQ(read_all(*recovered).size(), 5u);

  spool.reset();
  EXPECT_EQ(fs::file_size(segment), data_end);
}

// Preallocated room counts against max_bytes: the files never hold more than the limit.
TEST(Spool, PreallocatedRoomStaysWithinMaxBytes) {
  TempDir dir;
  auto spool =
      open_spool(dir.path(), nullptr, SpoolOptions{.max_bytes = 20000, .segment_bytes = 1 << 20});
  for (int i = 0; i < 100; ++i) {
    if (append_and_wait(*spool, record(i, 200))) break;
    std::uintmax_t on_disk = 0;
    for (const auto& file : files_ending(dir.path(), ".seg"))
      on_disk += fs::file_size(file);
    ASSERT_LE(on_disk, 20000u) << "after append " << i;
  }
  EXPECT_TRUE(spool->refusal());
}

TEST(Spool, ConcurrentAppendsShareFdatasyncs) {
  TempDir dir;
  std::atomic<int> syncs{0};
  SpoolOptions options;
  options.sync = [&](int fd) {
    ++syncs;
    return ::fdatasync(fd);
  };
  auto spool = open_spool(dir.path(), nullptr, options);
  constexpr int kAppends = 400;
  std::mutex mutex;
  std::condition_variable all_done;
  int done = 0;
  for (int i = 0; i < kAppends; ++i) {
    spool->append(record(i), [&](std::optional<Error> e) {
      EXPECT_FALSE(e);
      std::lock_guard lock(mutex);
      if (++done == kAppends) all_done.notify_all();
    });
  }
  std::unique_lock lock(mutex);
  ASSERT_TRUE(all_done.wait_for(lock, 30s, [&] { return done == kAppends; }));
  std::cout << "[ measured ] " << kAppends << " appends queued together: " << syncs.load()
            << " fdatasyncs\n";
  EXPECT_LT(syncs.load(), kAppends / 4);
}

/// Acknowledges or fails records as told; thread-safe.
class ScriptedProducer final : public kafka::Producer {
 public:
  void produce(const kafka::Record& r, kafka::DeliveryCallback on_delivery) override {
    std::optional<Error> result;
    {
      std::lock_guard lock(mutex);
      if (fail_next > 0) {
        --fail_next;
        result = Error{kafka::Errc::timeout, "scripted timeout"};
      } else {
        values.push_back(r.value);
      }
    }
    on_delivery(std::move(result));
  }
  bool reachable() const override { return true; }
  std::mutex mutex;
  int fail_next = 0;
  std::vector<std::string> values;
};

TEST(Forwarder, ForwardsInOrderRetriesFromTheFirstFailureAndEmptiesTheSpool) {
  TempDir dir;
  auto spool = open_spool(dir.path());
  for (int i = 0; i < 50; ++i)
    ASSERT_FALSE(append_and_wait(*spool, record(i)));
  ScriptedProducer producer;
  producer.fail_next = 3;  // the first three of the first batch fail
  Forwarder forwarder(*spool, producer, ForwarderOptions{.batch = 10, .retry = 10ms});
  forwarder.start();
  EXPECT_EQ(forwarder.drain(std::chrono::steady_clock::now() + 30s), 0u);
  forwarder.stop();
  std::lock_guard lock(producer.mutex);
  // Dropping repeats by id, as consumers do, leaves every record once and in order.
  std::vector<std::string> unique;
  for (const auto& value : producer.values) {
    if (std::find(unique.begin(), unique.end(), value) == unique.end()) unique.push_back(value);
  }
  ASSERT_EQ(unique.size(), 50u);
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(unique[i], record(i).value);
  EXPECT_EQ(spool->stats().errors.at("forward"), 1u);
}

TEST(Inspect, ListsSegmentsRecordsAndDamage) {
  TempDir dir;
  {
    auto spool = open_spool(dir.path());
    for (int i = 0; i < 4; ++i)
      ASSERT_FALSE(append_and_wait(*spool, record(i)));
  }
  const auto segment = files_ending(dir.path(), ".seg").at(0);
  std::ofstream(segment, std::ios::binary | std::ios::app) << "torn";
  auto reports = inspect(dir.path());
  ASSERT_TRUE(reports) << reports.error();
  ASSERT_EQ(reports.value().size(), 1u);
  EXPECT_EQ(reports.value()[0].records, 4u);
  EXPECT_NE(reports.value()[0].damage.find("torn tail"), std::string::npos);
}

}  // namespace
}  // namespace parley::spool
