#include "parley/config/section.hpp"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <system_error>

#include "reading.hpp"

namespace parley::config {
namespace {

std::string item_path(std::string_view list, std::size_t index) {
  return std::string(list) + "[" + std::to_string(index) + "]";
}

std::string join(KnownKeys words) {
  std::string joined;
  for (const auto word : words) {
    if (!joined.empty()) joined += ", ";
    joined += word;
  }
  return joined;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string unknown_key_message(std::string_view key, KnownKeys known) {
  std::string message = "unknown key";
  // A near miss is almost always a typo; naming the intended key saves a trip to the docs.
  const auto closest = std::min_element(known.begin(), known.end(), [&](auto lhs, auto rhs) {
    return edit_distance(key, lhs) < edit_distance(key, rhs);
  });
  if (closest != known.end() && edit_distance(key, *closest) <= 2) {
    message += "; did you mean " + std::string(*closest) + "?";
  }
  return message + " (known keys: " + join(known) + ")";
}

std::uint64_t parse_integer(const Reading& reading, std::string_view text, const std::string& path,
                            std::uint64_t min, std::uint64_t max) {
  std::uint64_t value = 0;
  const char* last = text.data() + text.size();
  const std::string got = reading.echo(path, ", got ", in_quotes(text));
  // from_chars on an unsigned type refuses '-', '+', spaces and "0x", which is the point.
  const auto [end, error] = std::from_chars(text.data(), last, value);
  if (text.empty() || error == std::errc::invalid_argument || end != last) {
    refuse(path, "must be a non-negative integer" + got);
  }
  if (error == std::errc::result_out_of_range || value > max) {
    refuse(path, "must be at most " + std::to_string(max) + got);
  }
  if (value < min) refuse(path, "must be at least " + std::to_string(min) + got);
  return value;
}

bool parse_bool(const Reading& reading, std::string_view text, const std::string& path) {
  // Only YAML 1.2's spellings: YAML 1.1's yes/no/on/off surprise people (Norway problem).
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  refuse(path, "must be true or false" + reading.echo(path, ", got ", in_quotes(text)));
}

}  // namespace

std::string kind_of(const YAML::Node& node) {
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  if (node.IsNull()) return "empty";
  return "a scalar";
}

std::string in_quotes(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

std::string child_path(std::string_view parent, std::string_view key) {
  std::string path(parent);
  if (!path.empty()) path += '.';
  path += key;
  return path;
}

Section::Section(const Reading& reading, const YAML::Node& node, std::string path, KnownKeys known)
    : reading_(&reading), path_(std::move(path)) {
  // "section:" with nothing under it means "present, all defaults" (how sources are enabled).
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsMap()) config::refuse(path_, "must be a map of keys, not " + kind_of(node));
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) config::refuse(path_, "keys must be plain names");
    const std::string& key = entry.first.Scalar();
    const std::string key_path = child_path(path_, key);
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      config::refuse(key_path, unknown_key_message(key, known));
    }
    // yaml-cpp keeps both copies of a repeated key; refusing beats silently picking one.
    if (!children_.emplace(key, entry.second).second) config::refuse(key_path, "duplicate key");
  }
}

Section Section::section(std::string_view key,
                         std::initializer_list<std::string_view> known) const {
  const YAML::Node* node = find(key);
  return Section(*reading_, node == nullptr ? YAML::Node() : *node, child_path(path_, key),
                 KnownKeys(known.begin(), known.size()));
}

const YAML::Node* Section::find(std::string_view key) const {
  const auto it = children_.find(key);
  return it == children_.end() ? nullptr : &it->second;
}

std::string Section::scalar(const YAML::Node& node, const std::string& path) const {
  if (node.IsNull()) {
    config::refuse(path, "has no value (remove the key to get the default, or write \"\")");
  }
  if (!node.IsScalar()) config::refuse(path, "must be a single value, not " + kind_of(node));
  return reading_->substitute(node.Scalar(), path);
}

void Section::refuse(std::string_view key, std::string message) const {
  config::refuse(key.empty() ? path_ : child_path(path_, key), std::move(message));
}

std::string Section::echo(std::string_view key, std::string_view lead,
                          std::string_view shown) const {
  return reading_->echo(key.empty() ? path_ : child_path(path_, key), lead, shown);
}

void Section::read_string(std::string_view key, std::string& target) const {
  if (const YAML::Node* node = find(key)) target = scalar(*node, child_path(path_, key));
}

void Section::read_bool(std::string_view key, bool& target) const {
  if (const YAML::Node* node = find(key)) {
    const std::string path = child_path(path_, key);
    target = parse_bool(*reading_, scalar(*node, path), path);
  }
}

bool Section::read_unsigned(std::string_view key, std::uint64_t& value, std::uint64_t min,
                            std::uint64_t max) const {
  const YAML::Node* node = find(key);
  if (node == nullptr) return false;
  const std::string path = child_path(path_, key);
  value = parse_integer(*reading_, scalar(*node, path), path, min, max);
  return true;
}

void Section::read_base_url(std::string& target) const {
  read_string("base_url", target);
  if (target.empty()) return;
  // Never echoed, even when typed in the file: a URL may carry credentials
  // (https://user:password@host). Only where a substituted value came from is named.
  const bool http = target.starts_with("http://") && target.size() > 7;
  const bool https = target.starts_with("https://") && target.size() > 8;
  if (!http && !https) {
    refuse("base_url",
           "must start with http:// or https:// followed by a host" + echo("base_url", "", ""));
  }
}

std::vector<std::string> Section::read_secrets(std::string_view key) const {
  std::vector<std::string> secrets;
  for (const auto& [node, path] : items(key)) {
    // Never echoed, even when typed in the file: these are the credentials themselves.
    secrets.push_back(scalar(node, path));
    if (secrets.back().empty()) {
      const std::string origin = reading_->origin(path);
      config::refuse(path, origin.empty() ? std::string("must not be empty")
                                          : "must not be empty (value from " + origin +
                                                ", which is empty: check that variable or file)");
    }
  }
  return secrets;
}

std::vector<Cidr> Section::read_cidrs(std::string_view key) const {
  std::vector<Cidr> cidrs;
  for (const auto& [node, path] : items(key)) {
    const std::string text = scalar(node, path);
    auto cidr = Cidr::parse(text);
    if (!cidr) {
      config::refuse(path, "must be a CIDR such as 10.0.0.0/8, 2001:db8::/32 or a single address" +
                               reading_->echo(path, ", got ", in_quotes(text)));
    }
    cidrs.push_back(*cidr);
  }
  return cidrs;
}

void Section::read_string_map(std::string_view key, std::string_view what,
                              std::map<std::string, std::string>& target) const {
  const YAML::Node* node = find(key);
  const std::string path = child_path(path_, key);
  if (node == nullptr || node->IsNull()) return;
  if (!node->IsMap()) {
    config::refuse(path, "must be a map of " + std::string(what) + ", not " + kind_of(*node));
  }
  for (const auto& entry : *node) {
    if (!entry.first.IsScalar() || entry.first.Scalar().empty()) {
      config::refuse(path, "names must be non-empty plain names");
    }
    const std::string& name = entry.first.Scalar();
    const std::string value_path = child_path(path, name);
    if (!target.emplace(name, scalar(entry.second, value_path)).second) {
      config::refuse(value_path, "duplicate key");
    }
  }
}

void Section::require_verification(bool verified, bool allow_unauthenticated,
                                   std::string_view keys) const {
  if (verified || allow_unauthenticated || !reading_->serves_webhooks()) return;
  refuse("", "no verification configured: set " + std::string(keys) +
                 ", or set allow_unauthenticated: true to accept unauthenticated requests");
}

std::vector<std::pair<YAML::Node, std::string>> Section::items(std::string_view key) const {
  std::vector<std::pair<YAML::Node, std::string>> items;
  const YAML::Node* node = find(key);
  const std::string path = child_path(path_, key);
  if (node == nullptr || node->IsNull()) return items;
  if (!node->IsSequence()) config::refuse(path, "must be a list, not " + kind_of(*node));
  for (std::size_t i = 0; i < node->size(); ++i)
    items.emplace_back((*node)[i], item_path(path, i));
  return items;
}

}  // namespace parley::config
