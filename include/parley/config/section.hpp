#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parley/common/cidr.hpp"

namespace parley::config {

/// The keys a map may have; any other is refused, naming the closest known one.
using KnownKeys = std::span<const std::string_view>;

class Reading;  // the file being read: its ${...} substitution and its role

/// One map of the config file as a reader of a section sees it (config.cpp for the top
/// level, each platform's settings.cpp for its sources): its keys already checked against
/// the known ones, every read checking the value and naming its full path when refusing
/// ("sources.cao-eu.api.base_url: must start with http://"). An absent key leaves the
/// target at its default. Exists only while config::parse runs: a refusal unwinds to parse,
/// which answers it as its ConfigError. Not thread-safe; cheap to copy.
class Section {
 public:
  Section(const Reading& reading, const YAML::Node& node, std::string path, KnownKeys known);
  Section(const Reading& reading, const YAML::Node& node, std::string path,
          std::initializer_list<std::string_view> known)
      : Section(reading, node, std::move(path), KnownKeys(known.begin(), known.size())) {}

  /// Its dotted path ("sources.cao-eu"); "" for the top level.
  const std::string& path() const { return path_; }

  /// The child map `key` (absent or empty: all defaults), its keys checked against `known`.
  Section section(std::string_view key, std::initializer_list<std::string_view> known) const;

  void read_string(std::string_view key, std::string& target) const;
  void read_bool(std::string_view key, bool& target) const;
  /// `base_url`: http:// or https:// and a host, when set.
  void read_base_url(std::string& target) const;
  /// A list of credentials, none empty (an empty one would accept an empty credential).
  std::vector<std::string> read_secrets(std::string_view key) const;
  /// A list of CIDRs or single addresses.
  std::vector<Cidr> read_cidrs(std::string_view key) const;
  /// A free-form map of scalars (`what` names it in errors); the caller checks the values.
  void read_string_map(std::string_view key, std::string_view what,
                       std::map<std::string, std::string>& target) const;

  template <class Int>
  void read_integer(std::string_view key, Int& target, std::uint64_t min = 0,
                    std::uint64_t max = std::numeric_limits<Int>::max()) const {
    std::uint64_t value = static_cast<std::uint64_t>(target);
    if (read_unsigned(key, value, min, max)) target = static_cast<Int>(value);
  }

  template <class Rep, class Period>
  void read_duration(std::string_view key, std::chrono::duration<Rep, Period>& target,
                     std::uint64_t min) const {
    Rep count = target.count();
    read_integer(key, count, min);
    target = std::chrono::duration<Rep, Period>(count);
  }

  /// DESIGN.md: a source with no verification refuses to start unless explicitly opened
  /// up. A role: enrich file serves no webhooks, so there its sources may carry only `api`.
  void require_verification(bool verified, bool allow_unauthenticated, std::string_view keys) const;

  /// Refuses the value of `key` ("" = this map itself) with `message`.
  [[noreturn]] void refuse(std::string_view key, std::string message) const;

  /// For a message about the value of `key`: `lead` + `shown` (", got " and in_quotes(text))
  /// when the value was typed in the file, or " (value from ${env:NAME}, not shown)" when a
  /// ${env:...} or ${file:...} substitution produced it. Messages show values only this way,
  /// so a secret never appears in one. echo(key, "", "") names only where a substituted value
  /// came from, for messages that never show the value.
  std::string echo(std::string_view key, std::string_view lead, std::string_view shown) const;

  // For config.cpp's top-level readers.
  const Reading& reading() const { return *reading_; }
  const YAML::Node* find(std::string_view key) const;
  std::string scalar(const YAML::Node& node, const std::string& path) const;

 private:
  bool read_unsigned(std::string_view key, std::uint64_t& value, std::uint64_t min,
                     std::uint64_t max) const;
  /// The items of the list `key` with the paths that name them ("...tokens[1]").
  std::vector<std::pair<YAML::Node, std::string>> items(std::string_view key) const;

  const Reading* reading_;
  std::string path_;
  std::map<std::string, YAML::Node, std::less<>> children_;
};

/// `"text"`, for messages that quote a value (typed in the file: see Section::echo).
std::string in_quotes(std::string_view text);

/// `parent.key` (`key` when parent is empty).
std::string child_path(std::string_view parent, std::string_view key);

}  // namespace parley::config
