#include "reading.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <system_error>
#include <vector>

#include "parley/config/section.hpp"

namespace parley::config {
namespace {

namespace fs = std::filesystem;

// Secret files are usually written by `echo` or editors, which add a newline nobody means
// to be part of the secret.
void strip_one_trailing_newline(std::string& text) {
  if (text.ends_with("\r\n")) {
    text.resize(text.size() - 2);
  } else if (text.ends_with('\n')) {
    text.pop_back();
  }
}

std::string env_value(std::string_view name, const std::string& path) {
  if (name.empty()) refuse(path, "${env:} needs a variable name");
  const std::string variable(name);
  const char* value = std::getenv(variable.c_str());
  if (value == nullptr) {
    refuse(path, "environment variable " + variable +
                     " is not set (referenced as ${env:" + variable + "})");
  }
  return value;
}

std::string error_text(int error) {
  return error != 0 ? std::generic_category().message(error) : "cannot open";
}

// "is a character device, not a regular file" for a file that is not one.
std::string not_regular(mode_t mode) {
  const char* kind = "a special file";
  if (S_ISDIR(mode)) {
    kind = "a directory";
  } else if (S_ISCHR(mode)) {
    kind = "a character device";
  } else if (S_ISBLK(mode)) {
    kind = "a block device";
  } else if (S_ISFIFO(mode)) {
    kind = "a FIFO (named pipe)";
  } else if (S_ISSOCK(mode)) {
    kind = "a socket";
  }
  return std::string("is ") + kind + ", not a regular file (only regular files are read)";
}

std::string too_large(std::size_t max_bytes) {
  return "is larger than the limit of " + std::to_string(max_bytes) + " bytes (" +
         std::to_string(max_bytes / 1024) + " KiB) for a referenced file";
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// "${env:A}", "${env:A} and ${file:b}", "${env:A}, ${env:B} and ${file:c}".
std::string join_references(const std::vector<std::string>& references) {
  std::string joined;
  for (std::size_t i = 0; i < references.size(); ++i) {
    if (i > 0) joined += i + 1 == references.size() ? " and " : ", ";
    joined += references[i];
  }
  return joined;
}

}  // namespace

void refuse(std::string path, std::string message) {
  throw Refusal{ConfigError{std::move(path), std::move(message)}};
}

Result<std::string, ReadFailure> read_whole_file(const fs::path& file) {
  std::error_code ec;
  // std::ifstream happily "opens" a directory on Linux and then reads nothing.
  if (fs::is_directory(file, ec)) return ReadFailure{"is a directory"};
  errno = 0;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    const int error = errno;
    return ReadFailure{error != 0 ? std::generic_category().message(error) : "cannot open"};
  }
  std::string content{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return ReadFailure{"read error"};
  return content;
}

Result<std::string, ReadFailure> read_small_regular_file(const fs::path& file,
                                                         std::size_t max_bytes) {
  // stat() before open(): opening is itself an action for some special files (a FIFO waits
  // for a writer, a device may react), so only a regular file is ever opened.
  struct stat before {};
  if (::stat(file.c_str(), &before) != 0) return ReadFailure{error_text(errno)};
  if (!S_ISREG(before.st_mode)) return ReadFailure{not_regular(before.st_mode)};
  if (static_cast<std::uintmax_t>(before.st_size) > max_bytes) {
    return ReadFailure{too_large(max_bytes)};
  }
  // O_NONBLOCK: should the path have become a FIFO since stat(), open() still returns at once.
  const FileDescriptor fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return ReadFailure{error_text(errno)};
  struct stat opened {};
  if (::fstat(fd.get(), &opened) != 0) return ReadFailure{error_text(errno)};
  if (!S_ISREG(opened.st_mode)) return ReadFailure{not_regular(opened.st_mode)};
  // One byte more than allowed tells a file that grew since stat() from one that fits.
  std::string content(max_bytes + 1, '\0');
  std::size_t size = 0;
  while (size < content.size()) {
    const ssize_t got = ::read(fd.get(), content.data() + size, content.size() - size);
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      return ReadFailure{error_text(errno)};
    }
    size += static_cast<std::size_t>(got);
  }
  if (size > max_bytes) return ReadFailure{too_large(max_bytes)};
  content.resize(size);
  return content;
}

std::string Reading::substitute(std::string_view text, const std::string& path) const {
  std::string result;
  std::vector<std::string> references;
  std::size_t position = 0;
  while (true) {
    const auto start = text.find("${", position);
    if (start == std::string_view::npos) break;
    result.append(text.substr(position, start - position));
    const auto end = text.find('}', start + 2);
    if (end == std::string_view::npos) {
      refuse(path, "unterminated \"${\" (missing \"}\"); write ${env:NAME} or ${file:PATH}");
    }
    result += resolve(text.substr(start + 2, end - start - 2), path);
    std::string reference(text.substr(start, end + 1 - start));
    if (std::find(references.begin(), references.end(), reference) == references.end()) {
      references.push_back(std::move(reference));
    }
    position = end + 1;
  }
  result.append(text.substr(position));
  if (references.empty()) {
    origins_.erase(path);
  } else {
    origins_.insert_or_assign(path, join_references(references));
  }
  return result;
}

std::string Reading::origin(std::string_view path) const {
  const auto it = origins_.find(path);
  return it == origins_.end() ? std::string() : it->second;
}

std::string Reading::echo(std::string_view path, std::string_view lead,
                          std::string_view shown) const {
  const std::string from = origin(path);
  if (!from.empty()) return " (value from " + from + ", not shown)";
  std::string text(lead);
  text += shown;
  return text;
}

std::string Reading::resolve(std::string_view reference, const std::string& path) const {
  const auto colon = reference.find(':');
  if (colon != std::string_view::npos) {
    const auto kind = reference.substr(0, colon);
    const auto argument = reference.substr(colon + 1);
    if (kind == "env") return env_value(argument, path);
    if (kind == "file") return file_value(argument, path);
  }
  refuse(path, "unknown substitution \"${" + std::string(reference) +
                   "}\"; only ${env:NAME} and ${file:PATH} are supported");
}

std::string Reading::file_value(std::string_view name, const std::string& path) const {
  if (name.empty()) refuse(path, "${file:} needs a file path");
  const fs::path file(name);
  const fs::path resolved = file.is_absolute() ? file : base_dir_ / file;
  auto content = read_small_regular_file(resolved, kMaxFileReferenceBytes);
  if (!content) {
    refuse(path, "cannot read file " + in_quotes(resolved.string()) + " (referenced as ${file:" +
                     std::string(name) + "}): " + content.error().reason);
  }
  strip_one_trailing_newline(content.value());
  return std::move(content).value();
}

}  // namespace parley::config
