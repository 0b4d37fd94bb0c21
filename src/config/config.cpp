#include "parley/config/config.hpp"

#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/asio/ip/address_v6.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <numeric>
#include <system_error>
#include <utility>

namespace parley::config {
namespace {

namespace fs = std::filesystem;

using KnownKeys = std::initializer_list<std::string_view>;

// Thrown only inside this file. Loading the config happens once at start-up, and unwinding
// from deep inside the schema walk keeps every reader a short, linear function; parse()
// turns it back into a value, so nothing escapes the public API.
struct Refusal {
  ConfigError error;
};

[[noreturn]] void refuse(std::string path, std::string message) {
  throw Refusal{ConfigError{std::move(path), std::move(message)}};
}

std::string child_path(std::string_view parent, std::string_view key) {
  std::string path(parent);
  if (!path.empty()) path += '.';
  path += key;
  return path;
}

std::string item_path(std::string_view list, std::size_t index) {
  return std::string(list) + "[" + std::to_string(index) + "]";
}

std::string in_quotes(std::string_view text) {
  return "\"" + std::string(text) + "\"";
}

std::string join(KnownKeys words) {
  std::string joined;
  for (const auto word : words) {
    if (!joined.empty()) joined += ", ";
    joined += word;
  }
  return joined;
}

std::string kind_of(const YAML::Node& node) {
  if (node.IsMap()) return "a map";
  if (node.IsSequence()) return "a list";
  if (node.IsNull()) return "empty";
  return "a scalar";
}

// ---------------------------------------------------------------------------------------------
// Unknown-key suggestions

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

// ---------------------------------------------------------------------------------------------
// Files and ${...} substitution

struct ReadFailure {
  std::string reason;
};

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

// Secret files are usually written by `echo` or editors, which add a newline nobody means
// to be part of the secret.
void strip_one_trailing_newline(std::string& text) {
  if (text.ends_with("\r\n")) {
    text.resize(text.size() - 2);
  } else if (text.ends_with('\n')) {
    text.pop_back();
  }
}

// Replaces ${env:NAME} and ${file:PATH} in scalars. A replacement is inserted verbatim and
// never scanned again, so a secret that happens to contain "${" stays intact.
class Substituter {
 public:
  explicit Substituter(fs::path base_dir) : base_dir_(std::move(base_dir)) {}

  std::string apply(std::string_view text, const std::string& path) const {
    std::string result;
    std::size_t position = 0;
    while (true) {
      const auto start = text.find("${", position);
      if (start == std::string_view::npos) return result.append(text.substr(position));
      result.append(text.substr(position, start - position));
      const auto end = text.find('}', start + 2);
      if (end == std::string_view::npos) {
        refuse(path, "unterminated \"${\" (missing \"}\"); write ${env:NAME} or ${file:PATH}");
      }
      result += resolve(text.substr(start + 2, end - start - 2), path);
      position = end + 1;
    }
  }

 private:
  std::string resolve(std::string_view reference, const std::string& path) const {
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

  static std::string env_value(std::string_view name, const std::string& path) {
    if (name.empty()) refuse(path, "${env:} needs a variable name");
    const std::string variable(name);
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) {
      refuse(path, "environment variable " + variable +
                       " is not set (referenced as ${env:" + variable + "})");
    }
    return value;
  }

  std::string file_value(std::string_view name, const std::string& path) const {
    if (name.empty()) refuse(path, "${file:} needs a file path");
    const fs::path file(name);
    const fs::path resolved = file.is_absolute() ? file : base_dir_ / file;
    auto content = read_whole_file(resolved);
    if (!content) {
      refuse(path, "cannot read file " + in_quotes(resolved.string()) + " (referenced as ${file:" +
                       std::string(name) + "}): " + content.error().reason);
    }
    strip_one_trailing_newline(content.value());
    return std::move(content).value();
  }

  fs::path base_dir_;
};

// ---------------------------------------------------------------------------------------------
// Value rules that need no YAML

bool is_ipv6_address(std::string_view text) {
  boost::system::error_code ec;
  boost::asio::ip::make_address_v6(std::string(text), ec);
  return !ec;
}

HostPort parse_host_port(std::string_view text, const std::string& path) {
  const std::string expected = " (e.g. 0.0.0.0:8080 or [::1]:8080), got " + in_quotes(text);
  std::string_view host;
  std::string_view port;
  if (text.starts_with('[')) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      refuse(path, "must be host:port" + expected);
    }
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    if (!host.empty() && !is_ipv6_address(host)) {
      refuse(path, "host in brackets must be an IPv6 address" + expected);
    }
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) refuse(path, "must be host:port" + expected);
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      refuse(path,
             "an IPv6 host must be written in brackets, e.g. [::1]:8080; got " + in_quotes(text));
    }
    const bool plain = std::all_of(host.begin(), host.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
    });
    if (!plain) refuse(path, "host may contain only letters, digits, '.', '-', '_'" + expected);
  }
  if (host.empty()) refuse(path, "host must not be empty" + expected);
  unsigned value = 0;
  const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || error != std::errc{} || end != port.data() + port.size() || value > 65535) {
    refuse(path, "port must be a number from 0 to 65535" + expected);
  }
  return HostPort{std::string(host), static_cast<std::uint16_t>(value)};
}

std::uint64_t parse_integer(std::string_view text, const std::string& path, std::uint64_t min,
                            std::uint64_t max) {
  std::uint64_t value = 0;
  const char* last = text.data() + text.size();
  // from_chars on an unsigned type refuses '-', '+', spaces and "0x", which is the point.
  const auto [end, error] = std::from_chars(text.data(), last, value);
  if (text.empty() || error == std::errc::invalid_argument || end != last) {
    refuse(path, "must be a non-negative integer, got " + in_quotes(text));
  }
  if (error == std::errc::result_out_of_range || value > max) {
    refuse(path, "must be at most " + std::to_string(max) + ", got " + in_quotes(text));
  }
  if (value < min)
    refuse(path, "must be at least " + std::to_string(min) + ", got " + in_quotes(text));
  return value;
}

bool parse_bool(std::string_view text, const std::string& path) {
  // Only YAML 1.2's spellings: YAML 1.1's yes/no/on/off surprise people (Norway problem).
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  refuse(path, "must be true or false, got " + in_quotes(text));
}

template <class Enum>
Enum parse_choice(std::string_view text, const std::string& path,
                  std::initializer_list<std::pair<std::string_view, Enum>> choices) {
  std::string names;
  for (const auto& [name, value] : choices) {
    if (text == name) return value;
    names += names.empty() ? "" : ", ";
    names += name;
  }
  refuse(path, "must be one of " + names + ", got " + in_quotes(text));
}

void check_topic(std::string_view topic, const std::string& path) {
  // Kafka's own rules (kafka.common.internals.Topic), checked here so a typo fails at start-up
  // rather than at the first produce.
  constexpr std::size_t kMaxTopicLength = 249;
  if (topic.empty()) refuse(path, "topic name must not be empty");
  if (topic.size() > kMaxTopicLength) {
    refuse(path, "topic name must be at most 249 characters, has " + std::to_string(topic.size()));
  }
  if (topic == "." || topic == "..") refuse(path, "topic name cannot be \".\" or \"..\"");
  const bool legal = std::all_of(topic.begin(), topic.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
  if (!legal) {
    refuse(path, "topic name may contain only letters, digits, '.', '_' and '-', got " +
                     in_quotes(topic));
  }
}

void check_base_url(std::string_view url, const std::string& path) {
  if (url.empty()) return;
  // Not echoed: a URL may carry credentials (https://user:password@host).
  const bool http = url.starts_with("http://") && url.size() > 7;
  const bool https = url.starts_with("https://") && url.size() > 8;
  if (!http && !https) refuse(path, "must start with http:// or https:// followed by a host");
}

// ---------------------------------------------------------------------------------------------
// YAML structure

// One YAML map of the schema, its keys already checked against the known ones.
struct MapNode {
  std::string path;
  std::map<std::string, YAML::Node, std::less<>> children;

  const YAML::Node* find(std::string_view key) const {
    const auto it = children.find(key);
    return it == children.end() ? nullptr : &it->second;
  }
};

// A list item or map value together with the path that names it in errors.
struct Field {
  YAML::Node node;
  std::string path;
};

MapNode open_map(const YAML::Node& node, std::string path, KnownKeys known) {
  MapNode map{std::move(path), {}};
  // "section:" with nothing under it means "present, all defaults" (how sources are enabled).
  if (node.IsNull()) return map;
  if (!node.IsMap()) refuse(map.path, "must be a map of keys, not " + kind_of(node));
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) refuse(map.path, "keys must be plain names");
    const std::string& key = entry.first.Scalar();
    const std::string key_path = child_path(map.path, key);
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      refuse(key_path, unknown_key_message(key, known));
    }
    // yaml-cpp keeps both copies of a repeated key; refusing beats silently picking one.
    if (!map.children.emplace(key, entry.second).second) refuse(key_path, "duplicate key");
  }
  return map;
}

MapNode open_section(const MapNode& parent, std::string_view key, KnownKeys known) {
  std::string path = child_path(parent.path, key);
  const YAML::Node* node = parent.find(key);
  if (node == nullptr) return MapNode{std::move(path), {}};
  return open_map(*node, std::move(path), known);
}

std::vector<Field> list_items(const MapNode& map, std::string_view key) {
  std::vector<Field> items;
  const YAML::Node* node = map.find(key);
  const std::string path = child_path(map.path, key);
  if (node == nullptr || node->IsNull()) return items;
  if (!node->IsSequence()) refuse(path, "must be a list, not " + kind_of(*node));
  for (std::size_t i = 0; i < node->size(); ++i) {
    items.push_back(Field{(*node)[i], item_path(path, i)});
  }
  return items;
}

// Walks one YAML document along the schema and fills a Config, refusing on the first problem.
class SchemaReader {
 public:
  explicit SchemaReader(fs::path base_dir) : substituter_(std::move(base_dir)) {}

  Config read(const YAML::Node& root) const {
    if (!root.IsNull() && !root.IsMap()) {
      refuse("", "the top level must be a map of keys, not " + kind_of(root));
    }
    const MapNode top = open_map(
        root, "",
        {"listen", "admin_listen", "role", "threads", "log_level", "limits", "shutdown_timeout_ms",
         "tls", "dedupe", "kafka", "sources", "enrich", "events", "spool"});
    Config config;
    read_server(top, config);
    serves_webhooks_ = config.role != Role::enrich;
    read_limits(top, config.limits);
    read_tls(top, config.tls);
    read_dedupe(top, config.dedupe);
    read_kafka(top, config.kafka);
    read_sources(top, config.sources);
    read_enrich(top, config.enrich);
    read_events(top, config.events);
    read_spool(top, config.spool);
    check_timeouts(config);
    return config;
  }

 private:
  // --- scalars -------------------------------------------------------------------------------

  std::string scalar_text(const Field& field) const {
    if (field.node.IsNull()) {
      refuse(field.path, "has no value (remove the key to get the default, or write \"\")");
    }
    if (!field.node.IsScalar()) {
      refuse(field.path, "must be a single value, not " + kind_of(field.node));
    }
    return substituter_.apply(field.node.Scalar(), field.path);
  }

  // Calls `use(text, path)` with the substituted scalar when `key` is present.
  template <class Use>
  void with_scalar(const MapNode& map, std::string_view key, Use&& use) const {
    const YAML::Node* node = map.find(key);
    if (node == nullptr) return;
    const Field field{*node, child_path(map.path, key)};
    use(scalar_text(field), field.path);
  }

  void read_string(const MapNode& map, std::string_view key, std::string& target) const {
    with_scalar(map, key, [&](std::string text, const std::string&) { target = std::move(text); });
  }

  void read_bool(const MapNode& map, std::string_view key, bool& target) const {
    with_scalar(map, key, [&](const std::string& text, const std::string& path) {
      target = parse_bool(text, path);
    });
  }

  template <class Int>
  void read_integer(const MapNode& map, std::string_view key, Int& target, std::uint64_t min = 0,
                    std::uint64_t max = std::numeric_limits<Int>::max()) const {
    with_scalar(map, key, [&](const std::string& text, const std::string& path) {
      target = static_cast<Int>(parse_integer(text, path, min, max));
    });
  }

  template <class Rep, class Period>
  void read_duration(const MapNode& map, std::string_view key,
                     std::chrono::duration<Rep, Period>& target, std::uint64_t min) const {
    Rep count = target.count();
    read_integer(map, key, count, min);
    target = std::chrono::duration<Rep, Period>(count);
  }

  void read_host_port(const MapNode& map, std::string_view key, HostPort& target) const {
    with_scalar(map, key, [&](const std::string& text, const std::string& path) {
      target = parse_host_port(text, path);
    });
  }

  void read_topic(const MapNode& map, std::string_view key, std::string& target) const {
    read_string(map, key, target);
    check_topic(target, child_path(map.path, key));
  }

  void read_base_url(const MapNode& map, std::string& target) const {
    read_string(map, "base_url", target);
    check_base_url(target, child_path(map.path, "base_url"));
  }

  // An empty entry in a credential list would accept an empty credential.
  std::vector<std::string> read_secrets(const MapNode& map, std::string_view key) const {
    std::vector<std::string> secrets;
    for (const Field& item : list_items(map, key)) {
      secrets.push_back(scalar_text(item));
      if (secrets.back().empty()) {
        refuse(item.path, "must not be empty (check the variable or file it references)");
      }
    }
    return secrets;
  }

  std::vector<Cidr> read_cidrs(const MapNode& map, std::string_view key) const {
    std::vector<Cidr> cidrs;
    for (const Field& item : list_items(map, key)) {
      const std::string text = scalar_text(item);
      auto cidr = Cidr::parse(text);
      if (!cidr) {
        refuse(item.path,
               "must be a CIDR such as 10.0.0.0/8, 2001:db8::/32 or a single address, "
               "got " +
                   in_quotes(text));
      }
      cidrs.push_back(*cidr);
    }
    return cidrs;
  }

  // --- sections ------------------------------------------------------------------------------

  void read_server(const MapNode& top, Config& config) const {
    read_host_port(top, "listen", config.listen);
    read_host_port(top, "admin_listen", config.admin_listen);
    with_scalar(top, "role", [&](const std::string& text, const std::string& path) {
      config.role = parse_choice<Role>(
          text, path, {{"ingest", Role::ingest}, {"enrich", Role::enrich}, {"all", Role::all}});
    });
    with_scalar(top, "log_level", [&](const std::string& text, const std::string& path) {
      config.log_level = parse_choice<LogLevel>(text, path,
                                                {{"debug", LogLevel::debug},
                                                 {"info", LogLevel::info},
                                                 {"warn", LogLevel::warn},
                                                 {"error", LogLevel::error}});
    });
    constexpr std::uint64_t kMaxThreads = 1024;
    read_integer(top, "threads", config.threads, 0, kMaxThreads);
    read_duration(top, "shutdown_timeout_ms", config.shutdown_timeout, 1);
  }

  void read_limits(const MapNode& top, Limits& limits) const {
    const MapNode map = open_section(top, "limits",
                                     {"max_body_bytes", "max_inflight", "read_timeout_ms",
                                      "max_header_bytes", "max_inflight_bytes"});
    read_integer(map, "max_body_bytes", limits.max_body_bytes, 1);
    read_integer(map, "max_inflight", limits.max_inflight, 1);
    read_duration(map, "read_timeout_ms", limits.read_timeout, 1);
    // Below 1 KiB even an ordinary request line plus Host header may not fit.
    constexpr std::uint64_t kMinHeaderBytes = 1024;
    read_integer(map, "max_header_bytes", limits.max_header_bytes, kMinHeaderBytes);
    read_integer(map, "max_inflight_bytes", limits.max_inflight_bytes, 1);
    if (limits.max_inflight_bytes < limits.max_body_bytes) {
      refuse(child_path(map.path, "max_inflight_bytes"),
             "must be at least limits.max_body_bytes (" + std::to_string(limits.max_body_bytes) +
                 "), or no body of the largest allowed size could ever be admitted");
    }
  }

  void read_tls(const MapNode& top, Tls& tls) const {
    const MapNode map = open_section(top, "tls", {"cert_file", "key_file"});
    read_string(map, "cert_file", tls.cert_file);
    read_string(map, "key_file", tls.key_file);
    if (tls.cert_file.empty() != tls.key_file.empty()) {
      const bool cert_missing = tls.cert_file.empty();
      refuse(cert_missing ? "tls.cert_file" : "tls.key_file",
             cert_missing ? "must be set when tls.key_file is set (leave both empty for plain HTTP)"
                          : "must be set when tls.cert_file is set (leave both empty for plain "
                            "HTTP)");
    }
  }

  void read_dedupe(const MapNode& top, Dedupe& dedupe) const {
    const MapNode map = open_section(top, "dedupe", {"window_seconds", "max_entries"});
    read_duration(map, "window_seconds", dedupe.window, 1);
    read_integer(map, "max_entries", dedupe.max_entries, 1);
  }

  void read_kafka(const MapNode& top, Kafka& kafka) const {
    const MapNode map = open_section(
        top, "kafka", {"brokers", "ack_timeout_ms", "topics", "properties", "instance_id"});
    read_string(map, "brokers", kafka.brokers);
    // Not split further: librdkafka also accepts "host" alone and "SASL_SSL://host:port".
    if (kafka.brokers.empty()) {
      refuse("kafka.brokers", "must not be empty (\"embedded\" or \"host:port,host:port\")");
    }
    read_duration(map, "ack_timeout_ms", kafka.ack_timeout, 1);
    read_topics(map, kafka.topics);
    read_properties(map, kafka.properties);
    kafka.instance_id = host_name();
    read_string(map, "instance_id", kafka.instance_id);
    // "" = dynamic membership: for brokers without KIP-345 (librdkafka's mock cluster).
    if (kafka.instance_id.size() > 249) {
      refuse("kafka.instance_id", "must be at most 249 characters (default: the host name)");
    }
    if (kafka.properties.contains("group.instance.id")) {
      refuse("kafka.properties.group.instance.id", "set kafka.instance_id instead");
    }
  }

  static std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "parley";
    return name;
  }

  void read_spool(const MapNode& top, Spool& spool) const {
    const MapNode map = open_section(top, "spool", {"dir", "max_bytes", "segment_bytes"});
    read_string(map, "dir", spool.dir);
    read_integer(map, "max_bytes", spool.max_bytes, 1);
    read_integer(map, "segment_bytes", spool.segment_bytes, 4096);
    if (spool.max_bytes < spool.segment_bytes) {
      refuse("spool.max_bytes", "must be at least spool.segment_bytes (" +
                                    std::to_string(spool.segment_bytes) + "), got " +
                                    std::to_string(spool.max_bytes));
    }
  }

  void read_topics(const MapNode& kafka, KafkaTopics& topics) const {
    const MapNode map =
        open_section(kafka, "topics", {"events", "enriched", "deadletter", "directly_watches"});
    const std::pair<std::string_view, std::string*> named[] = {
        {"events", &topics.events},
        {"enriched", &topics.enriched},
        {"deadletter", &topics.deadletter},
        {"directly_watches", &topics.directly_watches}};
    for (const auto& [key, topic] : named)
      read_topic(map, key, *topic);
    // A shared topic would feed a stage its own output (enriched == events loops forever).
    for (std::size_t i = 0; i < std::size(named); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (*named[i].second == *named[j].second) {
          refuse(child_path(map.path, named[i].first), "must differ from kafka.topics." +
                                                           std::string(named[j].first) + " (both " +
                                                           in_quotes(*named[i].second) + ")");
        }
      }
    }
  }

  // Free-form maps of scalars (librdkafka properties, TalkJS roles): the caller checks
  // the names and values it cares about.
  void read_string_map(const MapNode& section, std::string_view key, std::string_view what,
                       std::map<std::string, std::string>& out) const {
    const YAML::Node* node = section.find(std::string(key));
    const std::string path = child_path(section.path, std::string(key));
    if (node == nullptr || node->IsNull()) return;
    if (!node->IsMap())
      refuse(path, "must be a map of " + std::string(what) + ", not " + kind_of(*node));
    for (const auto& entry : *node) {
      if (!entry.first.IsScalar() || entry.first.Scalar().empty()) {
        refuse(path, "names must be non-empty plain names");
      }
      const std::string& name = entry.first.Scalar();
      const Field value{entry.second, child_path(path, name)};
      if (!out.emplace(name, scalar_text(value)).second) refuse(value.path, "duplicate key");
    }
  }

  void read_properties(const MapNode& kafka, std::map<std::string, std::string>& properties) const {
    read_string_map(kafka, "properties", "librdkafka properties", properties);
  }

  // Every key under sources: is a source's name; platform: (default: the name) says what
  // it is, and the platform's keys follow.
  void read_sources(const MapNode& top, Sources& sources) const {
    for (const auto& [name, node] : source_entries(top)) {
      const std::string path = child_path("sources", name);
      check_source_name(name, path);
      const std::string platform = source_platform(name, node, path);
      Source source{.name = name, .settings = {}};
      if (platform == JustAnswerSource::kPlatform) {
        source.settings = read_justanswer(open_map(node, path, {"platform", "webhook", "api"}));
      } else if (platform == CaoSource::kPlatform) {
        source.settings = read_cao(open_map(node, path, {"platform", "webhook", "api"}));
      } else if (platform == TalkJsSource::kPlatform) {
        source.settings = read_talkjs(open_map(node, path, {"platform", "webhook", "api"}));
      } else {
        source.settings = read_directly(open_map(node, path, {"platform", "watch", "api", "poll"}));
      }
      sources.all.push_back(std::move(source));
    }
  }

  // The entries of sources: in the file's order (the first problem is the first one
  // written); only repeated names are refused here.
  static std::vector<std::pair<std::string, YAML::Node>> source_entries(const MapNode& top) {
    std::vector<std::pair<std::string, YAML::Node>> entries;
    const YAML::Node* node = top.find("sources");
    if (node == nullptr || node->IsNull()) return entries;
    if (!node->IsMap()) refuse("sources", "must be a map of source names, not " + kind_of(*node));
    for (const auto& entry : *node) {
      if (!entry.first.IsScalar()) refuse("sources", "keys must be plain names");
      const std::string& name = entry.first.Scalar();
      for (const auto& [seen, unused] : entries) {
        if (seen == name) refuse(child_path("sources", name), "duplicate key");
      }
      entries.emplace_back(name, entry.second);
    }
    return entries;
  }

  // The name goes into URL paths, event sources, record keys and metric labels.
  static void check_source_name(const std::string& name, const std::string& path) {
    constexpr std::size_t kMaxName = 63;
    const bool valid = !name.empty() && name.size() <= kMaxName &&
                       std::all_of(name.begin(), name.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
                       });
    if (!valid) {
      refuse(path, "a source name must be 1 to 63 lowercase letters, digits or '-', got " +
                       in_quotes(name));
    }
  }

  std::string source_platform(const std::string& name, const YAML::Node& node,
                              const std::string& path) const {
    const auto known = [](std::string_view platform) {
      return std::find(kPlatforms.begin(), kPlatforms.end(), platform) != kPlatforms.end();
    };
    const YAML::Node platform = node.IsMap() ? node["platform"] : YAML::Node();
    if (!platform.IsDefined() || platform.IsNull()) {
      if (known(name)) return name;
      refuse(path, "unknown key: a source called " + in_quotes(name) +
                       " needs platform: (known keys and platforms: justanswer, cao, talkjs, "
                       "directly)");
    }
    const Field field{platform, child_path(path, "platform")};
    std::string value = scalar_text(field);
    if (!known(value)) {
      refuse(field.path, "must be justanswer, cao, talkjs or directly, got " + in_quotes(value));
    }
    return value;
  }

  JustAnswerSource read_justanswer(const MapNode& source) const {
    JustAnswerSource ja;
    const MapNode webhook = open_section(
        source, "webhook", {"tokens", "hmac_secrets", "allow_cidrs", "allow_unauthenticated"});
    ja.webhook.tokens = read_secrets(webhook, "tokens");
    ja.webhook.hmac_secrets = read_secrets(webhook, "hmac_secrets");
    ja.webhook.allow_cidrs = read_cidrs(webhook, "allow_cidrs");
    read_bool(webhook, "allow_unauthenticated", ja.webhook.allow_unauthenticated);
    const bool verified = !ja.webhook.tokens.empty() || !ja.webhook.hmac_secrets.empty() ||
                          !ja.webhook.allow_cidrs.empty();
    require_verification(webhook.path, verified, ja.webhook.allow_unauthenticated,
                         "tokens, hmac_secrets or allow_cidrs");

    const MapNode api =
        open_section(source, "api", {"base_url", "client_id", "client_secret", "api_key"});
    read_base_url(api, ja.api.base_url);
    read_string(api, "client_id", ja.api.client_id);
    read_string(api, "client_secret", ja.api.client_secret);
    read_string(api, "api_key", ja.api.api_key);
    return ja;
  }

  CaoSource read_cao(const MapNode& source) const {
    CaoSource cao;
    const MapNode webhook = open_section(source, "webhook", {"api_keys", "allow_unauthenticated"});
    cao.webhook.api_keys = read_secrets(webhook, "api_keys");
    read_bool(webhook, "allow_unauthenticated", cao.webhook.allow_unauthenticated);
    require_verification(webhook.path, !cao.webhook.api_keys.empty(),
                         cao.webhook.allow_unauthenticated, "api_keys");

    const MapNode api = open_section(source, "api", {"base_url", "api_key"});
    read_base_url(api, cao.api.base_url);
    read_string(api, "api_key", cao.api.api_key);
    return cao;
  }

  TalkJsSource read_talkjs(const MapNode& source) const {
    TalkJsSource talkjs;
    const MapNode webhook = open_section(
        source, "webhook", {"secret_keys", "max_skew_seconds", "allow_unauthenticated", "roles"});
    talkjs.webhook.secret_keys = read_secrets(webhook, "secret_keys");
    read_duration(webhook, "max_skew_seconds", talkjs.webhook.max_skew, 1);
    read_string_map(webhook, "roles", "TalkJS role names to author roles", talkjs.webhook.roles);
    for (const auto& [name, role] : talkjs.webhook.roles) {
      if (role != "customer" && role != "expert" && role != "agent" && role != "system") {
        refuse(child_path(child_path(webhook.path, "roles"), name),
               "must be customer, expert, agent or system, not " + in_quotes(role));
      }
    }
    read_bool(webhook, "allow_unauthenticated", talkjs.webhook.allow_unauthenticated);
    require_verification(webhook.path, !talkjs.webhook.secret_keys.empty(),
                         talkjs.webhook.allow_unauthenticated, "secret_keys");

    const MapNode api = open_section(source, "api", {"base_url", "app_id", "secret_key"});
    read_base_url(api, talkjs.api.base_url);
    read_string(api, "app_id", talkjs.api.app_id);
    read_string(api, "secret_key", talkjs.api.secret_key);
    if (talkjs.api.app_id.empty()) {
      refuse(child_path(api.path, "app_id"),
             "is required: TalkJS events carry the source /parley/talkjs/<app_id>");
    }
    return talkjs;
  }

  DirectlySource read_directly(const MapNode& source) const {
    DirectlySource directly;
    const MapNode watch = open_section(source, "watch", {"tokens", "allow_unauthenticated"});
    directly.watch.tokens = read_secrets(watch, "tokens");
    read_bool(watch, "allow_unauthenticated", directly.watch.allow_unauthenticated);
    require_verification(watch.path, !directly.watch.tokens.empty(),
                         directly.watch.allow_unauthenticated, "tokens");

    const MapNode api = open_section(
        source, "api", {"base_url", "client_id", "client_secret", "token_path", "logout_path"});
    read_base_url(api, directly.api.base_url);
    read_string(api, "client_id", directly.api.client_id);
    read_string(api, "client_secret", directly.api.client_secret);
    read_string(api, "token_path", directly.api.token_path);
    read_string(api, "logout_path", directly.api.logout_path);

    const MapNode poll = open_section(
        source, "poll",
        {"interval_ms", "max_interval_ms", "max_requests_per_second", "concurrency", "timeout_ms"});
    // Faster polling only burns Directly's rate limit; 100 ms is already far below any need.
    constexpr std::uint64_t kMinPollMs = 100;
    read_duration(poll, "interval_ms", directly.poll.interval, kMinPollMs);
    read_duration(poll, "max_interval_ms", directly.poll.max_interval, kMinPollMs);
    if (directly.poll.max_interval < directly.poll.interval) {
      refuse(
          child_path(poll.path, "max_interval_ms"),
          "must be at least interval_ms (" + std::to_string(directly.poll.interval.count()) + ")");
    }
    read_integer(poll, "max_requests_per_second", directly.poll.max_requests_per_second, 1);
    read_integer(poll, "concurrency", directly.poll.concurrency, 1);
    read_duration(poll, "timeout_ms", directly.poll.timeout, 1);
    return directly;
  }

  void read_enrich(const MapNode& top, Enrich& enrich) const {
    const MapNode map =
        open_section(top, "enrich",
                     {"enabled", "concurrency", "timeout_ms", "max_attempts", "reconcile_after_ms",
                      "reconcile_max_conversations", "reconcile_max_per_second"});
    read_bool(map, "enabled", enrich.enabled);
    read_integer(map, "concurrency", enrich.concurrency, 1);
    read_duration(map, "timeout_ms", enrich.timeout, 1);
    read_integer(map, "max_attempts", enrich.max_attempts, 1);
    read_duration(map, "reconcile_after_ms", enrich.reconcile_after, 0);
    read_integer(map, "reconcile_max_conversations", enrich.reconcile_max_conversations, 1);
    read_integer(map, "reconcile_max_per_second", enrich.reconcile_max_per_second, 1);
  }

  void read_events(const MapNode& top, Events& events) const {
    const MapNode map = open_section(top, "events", {"include_raw"});
    read_bool(map, "include_raw", events.include_raw);
  }

  // --- rules across keys ---------------------------------------------------------------------

  // DESIGN.md: a source with no verification refuses to start unless explicitly opened up.
  // A file with role: enrich serves no webhooks, so its sources may carry only `api`: the
  // enrichment pods then hold no webhook secret (main refuses --role ingest|all on it).
  void require_verification(const std::string& path, bool verified, bool allow_unauthenticated,
                            std::string_view keys) const {
    if (verified || allow_unauthenticated || !serves_webhooks_) return;
    refuse(path, "no verification configured: set " + std::string(keys) +
                     ", or set allow_unauthenticated: true to accept unauthenticated requests");
  }

  // During shutdown every in-flight request still waits up to ack_timeout for Kafka's answer;
  // if that wait can outlast the shutdown budget, accepted webhooks get cut off unanswered.
  static void check_timeouts(const Config& config) {
    if (config.kafka.ack_timeout < config.shutdown_timeout) return;
    refuse("kafka.ack_timeout_ms",
           "must be less than shutdown_timeout_ms (" +
               std::to_string(config.kafka.ack_timeout.count()) +
               " >= " + std::to_string(config.shutdown_timeout.count()) +
               ") so in-flight requests get their Kafka answer before shutdown ends");
  }

  Substituter substituter_;
  /// False while reading a role: enrich file (see require_verification).
  mutable bool serves_webhooks_ = true;
};

ConfigError yaml_error(const YAML::Exception& error) {
  if (error.mark.is_null()) return ConfigError{"", "invalid YAML: " + error.msg};
  return ConfigError{"", "invalid YAML at line " + std::to_string(error.mark.line + 1) +
                             ", column " + std::to_string(error.mark.column + 1) + ": " +
                             error.msg};
}

}  // namespace

std::string ConfigError::to_string() const {
  return path.empty() ? message : path + ": " + message;
}

Result<Config, ConfigError> parse(std::string_view yaml_text, const fs::path& base_dir) {
  try {
    const std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml_text));
    // An empty or comment-only file has no document at all: all defaults.
    if (documents.empty()) return SchemaReader(base_dir).read(YAML::Node());
    if (documents.size() > 1) {
      refuse("", "expected one YAML document, found " + std::to_string(documents.size()));
    }
    return SchemaReader(base_dir).read(documents.front());
  } catch (const Refusal& refusal) {
    return refusal.error;
  } catch (const YAML::Exception& error) {
    return yaml_error(error);
  } catch (const std::exception& error) {
    return ConfigError{"", std::string("cannot load the configuration: ") + error.what()};
  } catch (...) {
    return ConfigError{"", "cannot load the configuration: unknown error"};
  }
}

Result<Config, ConfigError> load_file(const fs::path& file) {
  try {
    auto content = read_whole_file(file);
    if (!content) {
      return ConfigError{"", "cannot read config file " + in_quotes(file.string()) + ": " +
                                 content.error().reason};
    }
    return parse(content.value(), file.parent_path());
  } catch (const std::exception& error) {
    return ConfigError{"",
                       "cannot read config file " + in_quotes(file.string()) + ": " + error.what()};
  }
}

}  // namespace parley::config
