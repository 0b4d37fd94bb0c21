#include "parley/spool/spool.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "file_io.hpp"
#include "parley/log/log.hpp"
#include "parley/spool/errors.hpp"
#include "parley/spool/refused.hpp"

namespace parley::spool {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kSegmentSuffix = ".seg";
constexpr std::string_view kQuarantineSuffix = ".quarantined";
constexpr std::string_view kCursorFile = "forwarded.cursor";
constexpr std::string_view kLockFile = "lock";
// How far ahead of its records the active segment is zero-filled. An fdatasync of bytes
// written over zeros already on disk changes no file metadata (size, extents), so it waits
// for no journal commit: 179 us instead of 313 us per small append + fdatasync here
// (ext4). One extension per MiB costs a larger fdatasync about every 2,000 records.
constexpr std::uint64_t kPreallocateBytes = 1 << 20;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string errno_text(int error) {
  return std::strerror(error);
}

fs::path segment_path(const fs::path& dir, std::uint64_t id) {
  std::string name = std::to_string(id);
  name.insert(0, 20 - std::min<std::size_t>(20, name.size()), '0');
  return dir / (name + std::string(kSegmentSuffix));
}

// Segment ids found in `dir`, ascending.
std::vector<std::uint64_t> segment_ids(const fs::path& dir) {
  std::vector<std::uint64_t> ids;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (!name.ends_with(kSegmentSuffix)) continue;
    const auto stem = name.substr(0, name.size() - kSegmentSuffix.size());
    if (stem.empty() || !std::all_of(stem.begin(), stem.end(), ::isdigit)) continue;
    ids.push_back(std::stoull(stem));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool sync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok;
}

struct Segment {
  std::uint64_t id = 0;
  fs::path path;
  std::uint64_t size = 0;  ///< durable bytes (header included)
  bool sealed = true;      ///< no more appends: recovered, or rolled over
};

struct Pending {
  std::string frame;
  Spool::AppendDone done;
};

}  // namespace

class Spool::Impl {
 public:
  SpoolOptions options;
  int lock_fd = -1;
  int active_fd = -1;
  // Writer thread only: the active segment's length on disk, zeros after its records.
  std::uint64_t active_allocated = 0;

  mutable std::mutex mutex;
  std::condition_variable queue_changed;
  std::condition_variable records_changed;
  std::vector<Pending> queue;
  bool stopping = false;
  std::vector<Segment> segments;
  std::uint64_t next_id = 1;
  std::uint64_t bytes = 0;
  // Queued + durable, not forwarded. Changed under `mutex`; read without it on every webhook.
  std::atomic<std::uint64_t> unforwarded{0};
  std::uint64_t durable = 0;     // durable, not forwarded
  std::uint64_t handed_out = 0;  // durable, read by the forwarder, not forwarded
  Position read_cursor;
  Position acked_cursor;
  std::vector<std::pair<Position, std::int64_t>> read_times;  // of records handed out
  std::optional<std::int64_t> oldest_ms;
  std::optional<std::string> failure;
  bool full = false;
  std::uint64_t appended_total = 0;
  std::uint64_t forwarded_total = 0;
  std::map<std::string, std::uint64_t> errors;
  std::optional<RefusedLog> refused;  // the forwarder's; opened with the spool
  std::thread writer;

  ~Impl() {
    {
      std::lock_guard lock(mutex);
      stopping = true;
    }
    queue_changed.notify_all();
    records_changed.notify_all();
    if (writer.joinable()) writer.join();
    if (active_fd >= 0) {
      trim_active_segment();
      ::close(active_fd);
    }
    if (lock_fd >= 0) ::close(lock_fd);
  }

  // --- opening ---

  std::optional<std::string> lock_dir() {
    std::error_code ec;
    fs::create_directories(options.dir, ec);
    if (ec) return "spool.dir " + options.dir.string() + ": cannot create: " + ec.message();
    const auto lock_path = options.dir / kLockFile;
    lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd < 0) {
      return "spool.dir " + options.dir.string() + ": cannot write: " + errno_text(errno);
    }
    if (::flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
      return "spool.dir " + options.dir.string() + " is in use by another parley process (" +
             lock_path.string() + " is locked)";
    }
    return std::nullopt;
  }

  Position read_saved_cursor() const {
    Position cursor;
    if (auto text = read_file(options.dir / kCursorFile)) {
      std::istringstream in(*text);
      in >> cursor.segment >> cursor.end;
      if (!in) cursor = Position{};
    }
    return cursor;
  }

  void save_cursor() const {
    // Not fsynced: losing it only repeats records (same ids), never loses one.
    const auto tmp = options.dir / (std::string(kCursorFile) + ".tmp");
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << acked_cursor.segment << " " << acked_cursor.end << "\n";
    }
    std::error_code ec;
    fs::rename(tmp, options.dir / kCursorFile, ec);
  }

  void quarantine(const fs::path& path, const std::string& why, Recovery& recovery) {
    auto target = path;
    target += kQuarantineSuffix;
    std::error_code ec;
    fs::rename(path, target, ec);
    ++errors["quarantined"];
    recovery.quarantined.push_back(path.filename().string() + ": " + why);
    log::error("spool segment damaged in the middle; quarantined, its records are not forwarded",
               {{"segment", path.string()}, {"renamed_to", target.string()}, {"damage", why}});
  }

  std::optional<std::string> recover(Recovery& recovery) {
    const auto saved = read_saved_cursor();
    for (const auto id : segment_ids(options.dir)) {
      next_id = std::max(next_id, id + 1);
      const auto path = segment_path(options.dir, id);
      if (saved.segment > id) {  // forwarded before a crash that left the file behind
        std::error_code ec;
        fs::remove(path, ec);
        continue;
      }
      auto bytes_read = read_file(path);
      if (!bytes_read) return "spool segment " + path.string() + ": cannot read";
      const std::uint64_t from = saved.segment == id ? saved.end : kSegmentHeaderBytes;
      auto scan = scan_segment(*bytes_read, from);
      if (scan.damage == SegmentScan::Damage::corrupt) {
        quarantine(path, scan.detail + " at offset " + std::to_string(scan.damage_offset),
                   recovery);
        continue;
      }
      // Whatever follows the last whole record goes: a torn tail, or the zero-filled room of
      // the segment that was active (recovered segments are sealed).
      if (scan.valid_end < bytes_read->size() &&
          ::truncate(path.c_str(), static_cast<off_t>(scan.valid_end)) != 0) {
        return "spool segment " + path.string() +
               ": cannot truncate after its last record: " + errno_text(errno);
      }
      if (scan.damage == SegmentScan::Damage::torn_tail) {
        ++recovery.torn_tails;
        ++errors["torn_tail"];
        log::warn("spool segment had a torn tail (an append cut by a crash); truncated",
                  {{"segment", path.string()},
                   {"at", static_cast<long long>(scan.damage_offset)},
                   {"dropped_bytes", static_cast<long long>(bytes_read->size() - scan.valid_end)},
                   {"damage", scan.detail}});
      }
      std::uint64_t pending = scan.records_after;
      Position start{id, from};
      if (!scan.from_is_boundary) {  // a cursor that does not fit: forward all (repeats)
        pending = scan.records;
        start = {id, kSegmentHeaderBytes};
        auto rescan = scan_segment(*bytes_read, kSegmentHeaderBytes);
        scan.first_appended_ms_after = rescan.first_appended_ms_after;
      }
      if (segments.empty()) acked_cursor = start;
      if (pending > 0 && !oldest_ms) oldest_ms = scan.first_appended_ms_after;
      segments.push_back(Segment{.id = id, .path = path, .size = scan.valid_end, .sealed = true});
      bytes += scan.valid_end;
      durable += pending;
    }
    if (segments.empty()) acked_cursor = {next_id, kSegmentHeaderBytes};
    read_cursor = acked_cursor;
    unforwarded.store(durable);
    recovery.records = durable;
    return std::nullopt;
  }

  // --- writing ---

  void run_writer() {
    std::unique_lock lock(mutex);
    for (;;) {
      queue_changed.wait(lock, [this] { return stopping || !queue.empty(); });
      if (queue.empty()) break;
      auto batch = std::move(queue);
      queue.clear();
      lock.unlock();
      commit(batch);
      lock.lock();
    }
  }

  Error unavailable(const std::string& why) const {
    return Error{spool::Errc::unavailable,
                 "Kafka cannot take the event and the spool cannot either: " + why};
  }

  // Fails `dones` (their records were counted as unforwarded at append()).
  void refuse(std::vector<AppendDone>& dones, const Error& error) {
    {
      std::lock_guard lock(mutex);
      unforwarded -= dones.size();
    }
    for (auto& done : dones)
      done(error);
    dones.clear();
  }

  bool write_all(std::string_view buffer) {
    return spool::write_all(options.write, active_fd, buffer);
  }

  // Writes and fdatasyncs `buffer` to the active segment, then answers `dones`.
  void flush(std::string& buffer, std::vector<AppendDone>& dones) {
    if (dones.empty()) return;
    // The forwarder erases sealed segments at the front: only touch back() under the lock.
    const std::uint64_t active_size = active_segment_size();
    // The zero-filled room is only a speed-up: on a disk too full for it, records go in plainly.
    const bool placed =
        preallocate(active_size, active_size + buffer.size()) || discard_room(active_size);
    if (!placed || !write_all(buffer)) {
      const int error = errno;
      // Nothing half-written may stay: a later append would follow garbage.
      const bool cleaned = discard_room(active_size);
      {
        std::lock_guard lock(mutex);
        ++errors["write"];
        if (!cleaned) failure = "write failed and the partial record could not be removed";
      }
      buffer.clear();
      log::error("spool write failed; events answered 503",
                 {{"dir", options.dir.string()}, {"error", errno_text(error)}});
      refuse(dones, unavailable("write to spool.dir " + options.dir.string() +
                                " failed: " + errno_text(error)));
      return;
    }
    if (options.sync(active_fd) != 0) {
      const int error = errno;
      {
        // After a failed fdatasync the kernel may have dropped the pages: nothing written
        // since the last good sync can be trusted, so the spool refuses until restart.
        std::lock_guard lock(mutex);
        ++errors["sync"];
        failure = "fdatasync failed: " + errno_text(error) + "; restart parley to recover";
      }
      log::error("spool fdatasync failed; the spool refuses appends until restart",
                 {{"dir", options.dir.string()}, {"error", errno_text(error)}});
      buffer.clear();
      refuse(dones, unavailable("fdatasync of spool.dir " + options.dir.string() +
                                " failed: " + errno_text(error)));
      return;
    }
    {
      std::lock_guard lock(mutex);
      segments.back().size += buffer.size();
      bytes += buffer.size();
      durable += dones.size();
      appended_total += dones.size();
      if (!oldest_ms) oldest_ms = now_ms();
    }
    records_changed.notify_all();
    buffer.clear();
    for (auto& done : dones)
      done(std::nullopt);
    dones.clear();
  }

  std::uint64_t active_segment_size() const {
    std::lock_guard lock(mutex);
    return segments.back().size;
  }

  // Zero-fills the active segment up to at least `needed` bytes, a chunk ahead, leaving the
  // file offset at `data_end`. The room stays within segment_bytes (unless one record is
  // larger) and within max_bytes counted over every segment on disk.
  bool preallocate(std::uint64_t data_end, std::uint64_t needed) {
    if (needed <= active_allocated) return true;
    std::uint64_t other_segments = 0;
    {
      std::lock_guard lock(mutex);
      other_segments = bytes - segments.back().size;
    }
    const std::uint64_t room =
        other_segments < options.max_bytes ? options.max_bytes - other_segments : 0;
    const std::uint64_t limit = std::max(needed, std::min(options.segment_bytes, room));
    const std::uint64_t target =
        std::min(limit, std::max(needed, active_allocated + kPreallocateBytes));
    static const std::string kZeros(std::size_t{64} * 1024, '\0');
    if (::lseek(active_fd, static_cast<off_t>(active_allocated), SEEK_SET) < 0) return false;
    for (std::uint64_t at = active_allocated; at < target;) {
      const auto chunk = std::min<std::uint64_t>(kZeros.size(), target - at);
      if (!write_all(std::string_view(kZeros.data(), chunk))) return false;
      at += chunk;
    }
    active_allocated = target;
    return ::lseek(active_fd, static_cast<off_t>(data_end), SEEK_SET) >= 0;
  }

  // Cuts the active segment back to its records (dropping a partial write or the room),
  // leaving the file offset there.
  bool discard_room(std::uint64_t data_end) {
    active_allocated = data_end;
    return ::ftruncate(active_fd, static_cast<off_t>(data_end)) == 0 &&
           ::lseek(active_fd, static_cast<off_t>(data_end), SEEK_SET) >= 0;
  }

  // A segment that takes no more appends keeps no zero tail (best effort: recovery trims a
  // tail left behind too).
  void trim_active_segment() {
    if (!discard_room(active_segment_size())) {
      log::warn("spool segment keeps its zero-filled tail; the next start trims it",
                {{"dir", options.dir.string()}, {"error", errno_text(errno)}});
    }
  }

  std::optional<std::string> roll_over() {
    if (active_fd >= 0) {
      trim_active_segment();
      ::close(active_fd);
      active_fd = -1;
      std::lock_guard lock(mutex);
      segments.back().sealed = true;
    }
    const auto path = segment_path(options.dir, next_id);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) return "cannot create segment " + path.string() + ": " + errno_text(errno);
    const auto header = segment_header();
    active_fd = fd;
    if (!write_all(header) || options.sync(fd) != 0 || !sync_dir(options.dir)) {
      const auto why = errno_text(errno);
      ::close(fd);
      active_fd = -1;
      std::error_code ec;
      fs::remove(path, ec);
      return "cannot start segment " + path.string() + ": " + why;
    }
    active_allocated = header.size();
    std::lock_guard lock(mutex);
    segments.push_back(
        Segment{.id = next_id, .path = path, .size = header.size(), .sealed = false});
    bytes += header.size();
    ++next_id;
    return std::nullopt;
  }

  void commit(std::vector<Pending>& batch) {
    std::string buffer;
    std::vector<AppendDone> dones;
    for (auto& pending : batch) {
      std::optional<std::string> refusal;
      bool out_of_space = false;
      {
        std::lock_guard lock(mutex);
        refusal = failure;
        if (!refusal && bytes + buffer.size() + pending.frame.size() > options.max_bytes) {
          out_of_space = true;
          full = true;
          ++errors["full"];
        }
      }
      if (out_of_space) {
        std::vector<AppendDone> one{std::move(pending.done)};
        refuse(one, unavailable("spool full: spool.max_bytes (" +
                                std::to_string(options.max_bytes) + ") reached"));
        continue;
      }
      if (refusal) {
        std::vector<AppendDone> one{std::move(pending.done)};
        refuse(one, unavailable(*refusal));
        continue;
      }
      const bool needs_segment =
          active_fd < 0 ||
          active_segment_size() + buffer.size() + pending.frame.size() > options.segment_bytes;
      if (needs_segment) {
        flush(buffer, dones);
        if (auto problem = roll_over()) {
          {
            std::lock_guard lock(mutex);
            ++errors["write"];
          }
          log::error("spool segment not created", {{"error", *problem}});
          std::vector<AppendDone> one{std::move(pending.done)};
          refuse(one, unavailable(*problem));
          continue;
        }
      }
      buffer += pending.frame;
      dones.push_back(std::move(pending.done));
    }
    flush(buffer, dones);
  }
};

Result<std::unique_ptr<Spool>, std::string> Spool::open(SpoolOptions options, Recovery* recovery) {
  if (!options.write)
    options.write = [](int fd, const void* data, std::size_t size) {
      return ::write(fd, data, size);
    };
  if (!options.sync) options.sync = [](int fd) { return ::fdatasync(fd); };
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  if (auto problem = impl->lock_dir()) return *problem;
  Recovery ignored;
  if (auto problem = impl->recover(recovery != nullptr ? *recovery : ignored)) return *problem;
  // Refused records are rare and each may be as large as Kafka's limit: a quarter of the
  // spool's own budget holds many of them and keeps the disk bounded.
  impl->refused.emplace(impl->options.dir, impl->options.max_bytes / 4);
  impl->writer = std::thread([raw = impl.get()] { raw->run_writer(); });
  return std::unique_ptr<Spool>(new Spool(std::move(impl)));
}

Spool::Spool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Spool::~Spool() = default;

void Spool::append(const kafka::Record& record, AppendDone done) {
  Pending pending{.frame = {}, .done = std::move(done)};
  append_frame(pending.frame, record, now_ms());
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->stopping) {
      impl_->queue.push_back(std::move(pending));
      ++impl_->unforwarded;
      impl_->queue_changed.notify_one();
      return;
    }
  }
  pending.done(impl_->unavailable("the spool is closing"));
}

bool Spool::holds_records() const {
  return impl_->unforwarded.load() > 0;
}

std::optional<std::string> Spool::refusal() const {
  std::lock_guard lock(impl_->mutex);
  if (impl_->failure) return "spool failing: " + *impl_->failure;
  if (impl_->full)
    return "spool full: spool.max_bytes (" + std::to_string(impl_->options.max_bytes) + ") reached";
  return std::nullopt;
}

SpoolStats Spool::stats() const {
  std::lock_guard lock(impl_->mutex);
  return SpoolStats{.bytes = impl_->bytes,
                    .records = impl_->unforwarded.load(),
                    .oldest_ms = impl_->unforwarded > 0 ? impl_->oldest_ms : std::nullopt,
                    .segments = impl_->segments.size(),
                    .appended_total = impl_->appended_total,
                    .forwarded_total = impl_->forwarded_total,
                    .errors = impl_->errors,
                    .full = impl_->full};
}

std::vector<std::pair<SpooledRecord, Position>> Spool::read(std::size_t max) {
  std::vector<Segment> segments;
  Position cursor;
  {
    std::lock_guard lock(impl_->mutex);
    segments = impl_->segments;
    cursor = impl_->read_cursor;
  }
  std::vector<std::pair<SpooledRecord, Position>> out;
  auto segment = std::find_if(segments.begin(), segments.end(),
                              [&](const Segment& s) { return s.id >= cursor.segment; });
  if (segment != segments.end() && segment->id != cursor.segment) {
    cursor = {segment->id, kSegmentHeaderBytes};
  }
  int fd = -1;
  std::uint64_t fd_segment = 0;
  while (out.size() < max && segment != segments.end()) {
    if (cursor.end >= segment->size) {
      if (!segment->sealed) break;
      ++segment;
      if (segment != segments.end()) cursor = {segment->id, kSegmentHeaderBytes};
      continue;
    }
    if (fd < 0 || fd_segment != segment->id) {
      if (fd >= 0) ::close(fd);
      fd = ::open(segment->path.c_str(), O_RDONLY | O_CLOEXEC);
      fd_segment = segment->id;
      if (fd < 0) break;
    }
    char head[kFrameHeaderBytes];
    if (::pread(fd, head, sizeof head, static_cast<off_t>(cursor.end)) !=
        static_cast<ssize_t>(sizeof head)) {
      break;
    }
    auto frame = read_frame_header(std::string_view(head, sizeof head));
    if (!frame) break;
    std::string payload(frame.value().length, '\0');
    if (::pread(fd, payload.data(), payload.size(),
                static_cast<off_t>(cursor.end + kFrameHeaderBytes)) !=
        static_cast<ssize_t>(payload.size())) {
      break;
    }
    auto record = decode_payload(payload, frame.value().crc);
    if (!record) {
      // Verified at start-up or written by this process: a change under us is damage.
      count_error("corrupt_read");
      log::error("spool record unreadable while forwarding",
                 {{"segment", segment->path.string()},
                  {"offset", static_cast<long long>(cursor.end)},
                  {"error", record.error()}});
      break;
    }
    cursor.end += kFrameHeaderBytes + frame.value().length;
    out.emplace_back(std::move(record).value(), cursor);
  }
  if (fd >= 0) ::close(fd);
  std::lock_guard lock(impl_->mutex);
  impl_->read_cursor = cursor;
  impl_->handed_out += out.size();
  for (const auto& [record, position] : out)
    impl_->read_times.emplace_back(position, record.appended_ms);
  return out;
}

void Spool::forwarded(Position up_to, std::uint64_t count, std::uint64_t refused) {
  std::vector<fs::path> done_segments;
  {
    std::lock_guard lock(impl_->mutex);
    auto& s = *impl_;
    s.acked_cursor = up_to;
    s.unforwarded -= count;
    s.durable -= count;
    s.handed_out -= std::min(s.handed_out, count);
    s.forwarded_total += count - std::min(count, refused);
    // The oldest record left is the first handed out after `up_to`, if any.
    std::erase_if(s.read_times, [&](const auto& entry) {
      const auto& at = entry.first;
      return at.segment < up_to.segment || (at.segment == up_to.segment && at.end <= up_to.end);
    });
    if (!s.read_times.empty()) s.oldest_ms = s.read_times.front().second;
    if (s.unforwarded == 0) s.oldest_ms.reset();
    while (!s.segments.empty() && s.segments.front().sealed &&
           (s.segments.front().id < up_to.segment ||
            (s.segments.front().id == up_to.segment && s.segments.front().size <= up_to.end))) {
      s.bytes -= s.segments.front().size;
      done_segments.push_back(s.segments.front().path);
      s.segments.erase(s.segments.begin());
    }
    if (!done_segments.empty()) s.full = false;
    s.save_cursor();
  }
  for (const auto& path : done_segments) {
    std::error_code ec;
    fs::remove(path, ec);
  }
}

void Spool::rewind() {
  std::lock_guard lock(impl_->mutex);
  impl_->read_cursor = impl_->acked_cursor;
  impl_->handed_out = 0;
  impl_->read_times.clear();
}

bool Spool::wait_for_records(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(impl_->mutex);
  return impl_->records_changed.wait_until(lock, deadline,
                                           [this] { return impl_->durable > impl_->handed_out; });
}

std::optional<std::string> Spool::refuse(const SpooledRecord& record, const std::string& reason) {
  if (auto problem = impl_->refused->add(record, reason)) return problem;
  count_error("refused");
  log::error("kafka refused a spooled event for good; moved to the spool's quarantine",
             {{"topic", record.record.topic},
              {"key", record.record.key},
              {"file", (impl_->options.dir / kRefusedFile).string()},
              {"error", reason}});
  return std::nullopt;
}

void Spool::count_error(const std::string& kind) {
  std::lock_guard lock(impl_->mutex);
  ++impl_->errors[kind];
}

Result<std::vector<SegmentReport>, std::string> inspect(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return "spool dir " + dir.string() + ": not a directory";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const auto name = entry.path().filename().string();
    if (name.ends_with(kSegmentSuffix) || name.ends_with(kQuarantineSuffix))
      files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<SegmentReport> reports;
  for (const auto& file : files) {
    auto bytes = read_file(file);
    if (!bytes) return "spool segment " + file.string() + ": cannot read";
    const auto scan = scan_segment(*bytes);
    SegmentReport report{.file = file.filename().string(),
                         .bytes = bytes->size(),
                         .records = scan.records,
                         .first_appended_ms = scan.first_appended_ms_after};
    if (scan.damage == SegmentScan::Damage::torn_tail) {
      report.damage =
          "torn tail at offset " + std::to_string(scan.damage_offset) + ": " + scan.detail;
    } else if (scan.damage == SegmentScan::Damage::corrupt) {
      report.damage =
          "corrupt at offset " + std::to_string(scan.damage_offset) + ": " + scan.detail;
    }
    if (file.string().ends_with(kQuarantineSuffix)) report.damage = "quarantined; " + report.damage;
    reports.push_back(std::move(report));
  }
  return reports;
}

}  // namespace parley::spool
