#pragma once

// The config reader's own parts, shared by config.cpp, section.cpp and reading.cpp.

#include <filesystem>
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

/// One file being read: ${env:NAME} and ${file:PATH} substitution (relative paths against
/// `base_dir`) and whether the file serves webhooks (role is not enrich).
class Reading {
 public:
  explicit Reading(std::filesystem::path base_dir) : base_dir_(std::move(base_dir)) {}

  /// `text` with every ${...} replaced; a replacement is inserted verbatim and never scanned
  /// again, so a secret that happens to contain "${" stays intact.
  std::string substitute(std::string_view text, const std::string& path) const;

  bool serves_webhooks() const { return serves_webhooks_; }
  void set_serves_webhooks(bool serves) { serves_webhooks_ = serves; }

 private:
  std::string resolve(std::string_view reference, const std::string& path) const;
  std::string file_value(std::string_view name, const std::string& path) const;

  std::filesystem::path base_dir_;
  bool serves_webhooks_ = true;
};

}  // namespace parley::config
