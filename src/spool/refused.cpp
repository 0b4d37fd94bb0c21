#include "parley/spool/refused.hpp"

#include "file_io.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace parley::spool {
namespace fs = std::filesystem;
namespace {

std::string errno_text() {
  return std::strerror(errno);
}

}  // namespace

RefusedLog::RefusedLog(const fs::path& dir, std::uint64_t max_bytes)
    : path_(dir / kRefusedFile), max_bytes_(max_bytes) {}

std::optional<std::string> RefusedLog::add(const SpooledRecord& record, const std::string& reason) {
  auto with_reason = record.record;
  with_reason.headers.insert(with_reason.headers.begin(),
                             {std::string(kRefusedReasonHeader), reason});
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return path_.string() + ": cannot open: " + errno_text();
  struct stat status {};
  if (::fstat(fd, &status) != 0) {
    const auto problem = path_.string() + ": cannot stat: " + errno_text();
    ::close(fd);
    return problem;
  }
  auto size = static_cast<std::uint64_t>(status.st_size);
  if (!tail_checked_ && size > 0) {
    // Once per process: a crash mid-append left a torn record; the next one starts after
    // the last whole record.
    const auto scan = scan_segment(read_file(path_).value_or(std::string()));
    if (scan.damage != SegmentScan::Damage::corrupt && scan.valid_end < size &&
        ::ftruncate(fd, static_cast<off_t>(scan.valid_end)) == 0) {
      size = scan.valid_end;
    }
  }
  tail_checked_ = true;
  std::string bytes = size == 0 ? segment_header() : std::string();
  append_frame(bytes, with_reason, record.appended_ms);
  std::optional<std::string> problem;
  if (size + bytes.size() > max_bytes_) {
    problem = path_.string() + " would pass its limit of " + std::to_string(max_bytes_) +
              " bytes (a quarter of spool.max_bytes): export and remove it (parley spool "
              "export-refused)";
  } else if (::lseek(fd, static_cast<off_t>(size), SEEK_SET) < 0 ||
             !write_all(::write, fd, bytes) || ::fdatasync(fd) != 0) {
    problem = path_.string() + ": cannot write: " + errno_text();
    // Whatever part was written goes, so the file ends at its last whole record.
    if (::ftruncate(fd, static_cast<off_t>(size)) == 0) ::fdatasync(fd);
  }
  ::close(fd);
  return problem;
}

Result<std::vector<RefusedRecord>, std::string> read_refused(const fs::path& dir) {
  const auto path = dir / kRefusedFile;
  std::vector<RefusedRecord> records;
  std::error_code ec;
  if (!fs::exists(path, ec)) return records;
  const auto read = read_file(path);
  if (!read) return path.string() + ": cannot read";
  const std::string& bytes = *read;
  if (auto bad = check_segment_header(bytes)) return path.string() + ": " + *bad;
  std::size_t at = kSegmentHeaderBytes;
  while (at + kFrameHeaderBytes <= bytes.size()) {
    auto frame = read_frame_header(std::string_view(bytes).substr(at, kFrameHeaderBytes));
    if (!frame) return path.string() + " at offset " + std::to_string(at) + ": " + frame.error();
    const auto end = at + kFrameHeaderBytes + frame.value().length;
    if (end > bytes.size()) break;  // torn last record
    auto decoded =
        decode_payload(std::string_view(bytes).substr(at + kFrameHeaderBytes, frame.value().length),
                       frame.value().crc);
    if (!decoded) {
      return path.string() + " at offset " + std::to_string(at) + ": " + decoded.error();
    }
    RefusedRecord refused{.spooled = std::move(decoded).value(), .reason = {}};
    auto& headers = refused.spooled.record.headers;
    if (!headers.empty() && headers.front().first == kRefusedReasonHeader) {
      refused.reason = std::move(headers.front().second);
      headers.erase(headers.begin());
    }
    records.push_back(std::move(refused));
    at = end;
  }
  return records;
}

}  // namespace parley::spool
