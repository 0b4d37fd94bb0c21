#pragma once
// File helpers the spool's segments and its quarantine share (internal to src/spool).

#include <sys/types.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace parley::spool {

/// The whole file, or nullopt when it cannot be opened.
inline std::optional<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return std::move(bytes).str();
}

/// Writes every byte of `bytes` with `write` (::write or a test seam of the same shape),
/// retrying short writes and EINTR; false with errno set when a write fails.
template <class Write>
bool write_all(const Write& write, int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

}  // namespace parley::spool
