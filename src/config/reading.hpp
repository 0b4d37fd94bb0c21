#pragma once

// The config reader's own parts, shared by config.cpp, section.cpp and reading.cpp.

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "parley/common/result.hpp"
#include "parley/config/config.hpp"

namespace parley::config {

// Thrown only while parse() reads a file. Loading the config happens once at start-up, and
// unwinding from deep inside the schema walk keeps every reader a short, linear function;
// parse() turns it back into a value, so nothing escapes the public API.
struct Refusal {
  ConfigError error;
};

[[noreturn]] void refuse(std::string path, std::string message);

/// What a node is, for messages: "a map", "a list", "empty" or "a scalar".
std::string kind_of(const YAML::Node& node);

struct ReadFailure {
  std::string reason;
};

Result<std::string, ReadFailure> read_whole_file(const std::filesystem::path& file);

/// The content of `file` if it is a regular file of at most `max_bytes` (symbolic links
/// followed, as in a mounted Kubernetes Secret). Anything else (a directory, a device such as
/// /dev/zero, a FIFO, a socket, a larger file) is refused without reading it, and a FIFO
/// without opening it: a ${file:...} reference must not hang or exhaust start-up.
Result<std::string, ReadFailure> read_small_regular_file(const std::filesystem::path& file,
                                                         std::size_t max_bytes);

/// One file being read: ${env:NAME} and ${file:PATH} substitution (relative paths against
/// `base_dir`) and whether the file serves webhooks (role is not enrich).
///
/// Values produced by a substitution are secrets, or may be: no message ever shows one.
/// Reading remembers which references produced the value at each path, and every message
/// about a value goes through echo(), which names the reference instead of the value.
class Reading {
 public:
  explicit Reading(std::filesystem::path base_dir) : base_dir_(std::move(base_dir)) {}

  /// `text` with every ${...} replaced; a replacement is inserted verbatim and never scanned
  /// again, so a secret that happens to contain "${" stays intact. Remembers the references
  /// as the origin of the value at `path`.
  std::string substitute(std::string_view text, const std::string& path) const;

  /// The references that produced the value at `path`, as written in the file
  /// ("${env:CAO_KEY}", "${env:HOST} and ${file:port}"); "" when the value was typed in the
  /// file (or has not been read).
  std::string origin(std::string_view path) const;

  /// For a message about the value at `path`: `lead` + `shown` (", got " and "\"abc\"") when
  /// the value was typed in the file, or " (value from ${env:NAME}, not shown)" when a
  /// substitution produced it.
  std::string echo(std::string_view path, std::string_view lead, std::string_view shown) const;

  bool serves_webhooks() const { return serves_webhooks_; }
  void set_serves_webhooks(bool serves) { serves_webhooks_ = serves; }

 private:
  std::string resolve(std::string_view reference, const std::string& path) const;
  std::string file_value(std::string_view name, const std::string& path) const;

  std::filesystem::path base_dir_;
  bool serves_webhooks_ = true;
  // Path -> origin() of every substituted value. A record of what substitute() did, not
  // state that changes what it does; hence mutable.
  mutable std::map<std::string, std::string, std::less<>> origins_;
};

}  // namespace parley::config
