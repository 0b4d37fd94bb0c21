#include "parley/config/config.hpp"

#include <unistd.h>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <boost/asio/ip/address_v6.hpp>
#include <cctype>
#include <charconv>
#include <initializer_list>
#include <limits>
#include <utility>

#include "parley/config/section.hpp"
#include "reading.hpp"

namespace parley::config {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// Value rules that need no YAML

bool is_ipv6_address(std::string_view text) {
  boost::system::error_code ec;
  boost::asio::ip::make_address_v6(std::string(text), ec);
  return !ec;
}

HostPort parse_host_port(const Reading& reading, std::string_view text, const std::string& path) {
  const std::string expected =
      " (e.g. 0.0.0.0:8080 or [::1]:8080)" + reading.echo(path, ", got ", in_quotes(text));
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
      refuse(path, "an IPv6 host must be written in brackets, e.g. [::1]:8080" +
                       reading.echo(path, "; got ", in_quotes(text)));
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

template <class Enum>
Enum parse_choice(const Reading& reading, std::string_view text, const std::string& path,
                  std::initializer_list<std::pair<std::string_view, Enum>> choices) {
  std::string names;
  for (const auto& [name, value] : choices) {
    if (text == name) return value;
    names += names.empty() ? "" : ", ";
    names += name;
  }
  refuse(path, "must be one of " + names + reading.echo(path, ", got ", in_quotes(text)));
}

void check_topic(const Reading& reading, std::string_view topic, const std::string& path) {
  // Kafka's own rules (kafka.common.internals.Topic), checked here so a typo fails at start-up
  // rather than at the first produce.
  constexpr std::size_t kMaxTopicLength = 249;
  if (topic.empty()) refuse(path, "topic name must not be empty" + reading.echo(path, "", ""));
  if (topic.size() > kMaxTopicLength) {
    refuse(path, "topic name must be at most 249 characters" +
                     reading.echo(path, ", has ", std::to_string(topic.size())));
  }
  if (topic == "." || topic == "..") {
    refuse(path, "topic name cannot be \".\" or \"..\"" + reading.echo(path, "", ""));
  }
  const bool legal = std::all_of(topic.begin(), topic.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
  if (!legal) {
    refuse(path, "topic name may contain only letters, digits, '.', '_' and '-'" +
                     reading.echo(path, ", got ", in_quotes(topic)));
  }
}

// ---------------------------------------------------------------------------------------------
// The schema's top level; each platform reads its own sources (platforms/<name>/settings.cpp).

// The settings of a source of `platform` (known), read by the platform's own reader.
template <std::size_t I = 0>
Settings read_settings(std::string_view platform, const Reading& reading, const YAML::Node& node,
                       const std::string& path) {
  using Platform = std::variant_alternative_t<I, Settings>;
  if (platform == Platform::kPlatform) {
    return Platform::read(Section(reading, node, path, Platform::kKeys));
  }
  if constexpr (I + 1 < std::variant_size_v<Settings>) {
    return read_settings<I + 1>(platform, reading, node, path);
  } else {
    refuse(path, "unknown platform " + in_quotes(platform));
  }
}

// "justanswer, cao, talkjs<last>directly".
std::string platform_list(std::string_view last) {
  std::string list;
  for (std::size_t i = 0; i < kPlatforms.size(); ++i) {
    if (i > 0) list += i + 1 == kPlatforms.size() ? last : std::string_view(", ");
    list += kPlatforms[i];
  }
  return list;
}

// Walks one YAML document along the schema and fills a Config, refusing on the first problem.
class SchemaReader {
 public:
  explicit SchemaReader(fs::path base_dir) : reading_(std::move(base_dir)) {}

  Config read(const YAML::Node& root) {
    if (!root.IsNull() && !root.IsMap()) {
      refuse("", "the top level must be a map of keys, not " + kind_of(root));
    }
    const Section top(
        reading_, root, "",
        {"listen", "admin_listen", "role", "threads", "log_level", "limits", "shutdown_timeout_ms",
         "tls", "dedupe", "kafka", "sources", "enrich", "events", "spool", "commands"});
    Config config;
    read_server(top, config);
    reading_.set_serves_webhooks(config.role != Role::enrich);
    read_limits(top, config.limits);
    read_tls(top, config.tls);
    read_dedupe(top, config.dedupe);
    read_kafka(top, config.kafka);
    read_sources(top, config.sources);
    read_enrich(top, config.enrich);
    read_events(top, config.events);
    read_spool(top, config.spool);
    read_commands(top, config.commands);
    check_timeouts(reading_, config);
    return config;
  }

 private:
  // Calls `use(text, path)` with the substituted scalar when `key` is present.
  template <class Use>
  static void with_scalar(const Section& map, std::string_view key, Use&& use) {
    const YAML::Node* node = map.find(key);
    if (node == nullptr) return;
    const std::string path = child_path(map.path(), key);
    use(map.scalar(*node, path), path);
  }

  static void read_host_port(const Section& map, std::string_view key, HostPort& target) {
    with_scalar(map, key, [&](const std::string& text, const std::string& path) {
      target = parse_host_port(map.reading(), text, path);
    });
  }

  static void read_topic(const Section& map, std::string_view key, std::string& target) {
    map.read_string(key, target);
    check_topic(map.reading(), target, child_path(map.path(), key));
  }

  // --- sections ------------------------------------------------------------------------------

  static void read_server(const Section& top, Config& config) {
    read_host_port(top, "listen", config.listen);
    read_host_port(top, "admin_listen", config.admin_listen);
    with_scalar(top, "role", [&](const std::string& text, const std::string& path) {
      config.role = parse_choice<Role>(
          top.reading(), text, path,
          {{"ingest", Role::ingest}, {"enrich", Role::enrich}, {"all", Role::all}});
    });
    with_scalar(top, "log_level", [&](const std::string& text, const std::string& path) {
      config.log_level = parse_choice<LogLevel>(top.reading(), text, path,
                                                {{"debug", LogLevel::debug},
                                                 {"info", LogLevel::info},
                                                 {"warn", LogLevel::warn},
                                                 {"error", LogLevel::error}});
    });
    constexpr std::uint64_t kMaxThreads = 1024;
    top.read_integer("threads", config.threads, 0, kMaxThreads);
    top.read_duration("shutdown_timeout_ms", config.shutdown_timeout, 1);
  }

  static void read_limits(const Section& top, Limits& limits) {
    const Section map = top.section(
        "limits", {"max_body_bytes", "max_inflight", "read_timeout_ms", "max_header_bytes",
                   "max_inflight_bytes", "lingering_close_ms", "max_lingering_connections",
                   "max_connections", "max_unverified_bytes", "max_unverified_bytes_per_peer"});
    map.read_integer("max_body_bytes", limits.max_body_bytes, 1);
    map.read_integer("max_inflight", limits.max_inflight, 1);
    map.read_duration("read_timeout_ms", limits.read_timeout, 1);
    // Below 1 KiB even an ordinary request line plus Host header may not fit.
    constexpr std::uint64_t kMinHeaderBytes = 1024;
    map.read_integer("max_header_bytes", limits.max_header_bytes, kMinHeaderBytes);
    map.read_integer("max_inflight_bytes", limits.max_inflight_bytes, 1);
    map.read_duration("lingering_close_ms", limits.lingering_close, 0);
    map.read_integer("max_lingering_connections", limits.max_lingering_connections, 0);
    map.read_integer("max_connections", limits.max_connections, 1);
    map.read_integer("max_unverified_bytes", limits.max_unverified_bytes, 1);
    map.read_integer("max_unverified_bytes_per_peer", limits.max_unverified_bytes_per_peer, 1);
    if (limits.max_unverified_bytes_per_peer < limits.max_body_bytes) {
      map.refuse("max_unverified_bytes_per_peer",
                 "must be at least limits.max_body_bytes" +
                     map.echo("max_body_bytes", " (", std::to_string(limits.max_body_bytes) + ")") +
                     ", or no signed body of the largest allowed size could be admitted");
    }
    if (limits.max_unverified_bytes < limits.max_unverified_bytes_per_peer) {
      map.refuse("max_unverified_bytes",
                 "must be at least limits.max_unverified_bytes_per_peer" +
                     map.echo("max_unverified_bytes_per_peer", " (",
                              std::to_string(limits.max_unverified_bytes_per_peer) + ")"));
    }
    if (limits.max_inflight_bytes < limits.max_body_bytes) {
      map.refuse("max_inflight_bytes",
                 "must be at least limits.max_body_bytes" +
                     map.echo("max_body_bytes", " (", std::to_string(limits.max_body_bytes) + ")") +
                     ", or no body of the largest allowed size could ever be admitted");
    }
    if (limits.max_unverified_bytes >= limits.max_inflight_bytes) {
      map.refuse("max_unverified_bytes",
                 "must be less than limits.max_inflight_bytes" +
                     map.echo("max_inflight_bytes", " (",
                              std::to_string(limits.max_inflight_bytes) + ")") +
                     ", or bodies awaiting their signature check could take the whole budget "
                     "verified webhooks need");
    }
  }

  static void read_tls(const Section& top, Tls& tls) {
    const Section map = top.section("tls", {"cert_file", "key_file"});
    map.read_string("cert_file", tls.cert_file);
    map.read_string("key_file", tls.key_file);
    if (tls.cert_file.empty() != tls.key_file.empty()) {
      const bool cert_missing = tls.cert_file.empty();
      refuse(cert_missing ? "tls.cert_file" : "tls.key_file",
             cert_missing ? "must be set when tls.key_file is set (leave both empty for plain HTTP)"
                          : "must be set when tls.cert_file is set (leave both empty for plain "
                            "HTTP)");
    }
  }

  static void read_dedupe(const Section& top, Dedupe& dedupe) {
    const Section map = top.section("dedupe", {"window_seconds", "max_entries"});
    map.read_duration("window_seconds", dedupe.window, 1);
    map.read_integer("max_entries", dedupe.max_entries, 1);
  }

  static void read_kafka(const Section& top, Kafka& kafka) {
    const Section map =
        top.section("kafka", {"brokers", "ack_timeout_ms", "topics", "properties", "instance_id"});
    map.read_string("brokers", kafka.brokers);
    // Not split further: librdkafka also accepts "host" alone and "SASL_SSL://host:port".
    if (kafka.brokers.empty()) {
      map.refuse("brokers", "must not be empty (\"embedded\" or \"host:port,host:port\")" +
                                map.echo("brokers", "", ""));
    }
    map.read_duration("ack_timeout_ms", kafka.ack_timeout, 1);
    read_topics(map, kafka.topics);
    map.read_string_map("properties", "librdkafka properties", kafka.properties);
    kafka.instance_id = host_name();
    map.read_string("instance_id", kafka.instance_id);
    // "" = dynamic membership: for brokers without KIP-345 (librdkafka's mock cluster).
    if (kafka.instance_id.size() > 249) {
      map.refuse("instance_id", "must be at most 249 characters (default: the host name)" +
                                    map.echo("instance_id", "", ""));
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

  static void read_spool(const Section& top, Spool& spool) {
    const Section map = top.section("spool", {"dir", "max_bytes", "segment_bytes"});
    map.read_string("dir", spool.dir);
    map.read_integer("max_bytes", spool.max_bytes, 1);
    map.read_integer("segment_bytes", spool.segment_bytes, 4096);
    if (spool.max_bytes < spool.segment_bytes) {
      map.refuse("max_bytes",
                 "must be at least spool.segment_bytes" +
                     map.echo("segment_bytes", " (", std::to_string(spool.segment_bytes) + ")") +
                     map.echo("max_bytes", ", got ", std::to_string(spool.max_bytes)));
    }
  }

  static void read_topics(const Section& kafka, KafkaTopics& topics) {
    const Section map =
        kafka.section("topics", {"events", "enriched", "deadletter", "directly_watches", "commands",
                                 "command_results", "command_journal"});
    const std::pair<std::string_view, std::string*> named[] = {
        {"events", &topics.events},
        {"enriched", &topics.enriched},
        {"deadletter", &topics.deadletter},
        {"directly_watches", &topics.directly_watches},
        {"commands", &topics.commands},
        {"command_results", &topics.command_results},
        {"command_journal", &topics.command_journal}};
    for (const auto& [key, topic] : named)
      read_topic(map, key, *topic);
    // A shared topic would feed a stage its own output (enriched == events loops forever).
    for (std::size_t i = 0; i < std::size(named); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (*named[i].second == *named[j].second) {
          // The shared name is shown only when neither value came from a substitution.
          const std::string other = map.echo(named[j].first, "", "");
          const std::string shared =
              other.empty() ? map.echo(named[i].first, " (both ", in_quotes(*named[i].second) + ")")
                            : other;
          map.refuse(named[i].first,
                     "must differ from kafka.topics." + std::string(named[j].first) + shared);
        }
      }
    }
  }

  // Every key under sources: is a source's name; platform: (default: the name) says what
  // it is, and the platform's reader reads the rest.
  void read_sources(const Section& top, Sources& sources) const {
    for (const auto& [name, node] : source_entries(top)) {
      const std::string path = child_path("sources", name);
      check_source_name(name, path);
      const std::string platform = source_platform(top, name, node, path);
      sources.all.push_back(
          Source{.name = name, .settings = read_settings(platform, reading_, node, path)});
    }
  }

  // The entries of sources: in the file's order (the first problem is the first one
  // written); only repeated names are refused here.
  static std::vector<std::pair<std::string, YAML::Node>> source_entries(const Section& top) {
    std::vector<std::pair<std::string, YAML::Node>> entries;
    const YAML::Node* node = top.find("sources");
    if (node == nullptr || node->IsNull()) return entries;
    if (!node->IsMap()) {
      refuse("sources", "must be a map of source names, not " + kind_of(*node));
    }
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

  static std::string source_platform(const Section& top, const std::string& name,
                                     const YAML::Node& node, const std::string& path) {
    const auto known = [](std::string_view platform) {
      return std::find(kPlatforms.begin(), kPlatforms.end(), platform) != kPlatforms.end();
    };
    const YAML::Node platform = node.IsMap() ? node["platform"] : YAML::Node();
    if (!platform.IsDefined() || platform.IsNull()) {
      if (known(name)) return name;
      refuse(path, "unknown key: a source called " + in_quotes(name) +
                       " needs platform: (known keys and platforms: " + platform_list(", ") + ")");
    }
    const std::string field_path = child_path(path, "platform");
    std::string value = top.scalar(platform, field_path);
    if (!known(value)) {
      refuse(field_path, "must be " + platform_list(" or ") +
                             top.reading().echo(field_path, ", got ", in_quotes(value)));
    }
    return value;
  }

  static void read_commands(const Section& top, Commands& commands) {
    const Section map =
        top.section("commands", {"enabled", "tokens", "concurrency", "timeout_ms", "max_attempts",
                                 "max_per_second", "journal_max_entries"});
    map.read_bool("enabled", commands.enabled);
    commands.tokens = map.read_secrets("tokens");
    map.read_integer("concurrency", commands.concurrency, 1);
    map.read_duration("timeout_ms", commands.timeout, 1);
    map.read_integer("max_attempts", commands.max_attempts, 1);
    map.read_integer("max_per_second", commands.max_per_second, 0);
    map.read_integer("journal_max_entries", commands.journal_max_entries, 1);
  }

  static void read_enrich(const Section& top, Enrich& enrich) {
    const Section map = top.section(
        "enrich", {"enabled", "concurrency", "timeout_ms", "max_attempts", "reconcile_after_ms",
                   "reconcile_max_conversations", "reconcile_max_per_second"});
    map.read_bool("enabled", enrich.enabled);
    map.read_integer("concurrency", enrich.concurrency, 1);
    map.read_duration("timeout_ms", enrich.timeout, 1);
    map.read_integer("max_attempts", enrich.max_attempts, 1);
    map.read_duration("reconcile_after_ms", enrich.reconcile_after, 0);
    map.read_integer("reconcile_max_conversations", enrich.reconcile_max_conversations, 1);
    map.read_integer("reconcile_max_per_second", enrich.reconcile_max_per_second, 1);
  }

  static void read_events(const Section& top, Events& events) {
    const Section map = top.section("events", {"include_raw"});
    map.read_bool("include_raw", events.include_raw);
  }

  // --- rules across keys ---------------------------------------------------------------------

  // During shutdown every in-flight request still waits up to ack_timeout for Kafka's answer;
  // if that wait can outlast the shutdown budget, accepted webhooks get cut off unanswered.
  static void check_timeouts(const Reading& reading, const Config& config) {
    if (config.kafka.ack_timeout < config.shutdown_timeout) return;
    refuse("kafka.ack_timeout_ms",
           "must be less than shutdown_timeout_ms" +
               reading.echo("shutdown_timeout_ms", " (",
                            std::to_string(config.shutdown_timeout.count()) + ")") +
               reading.echo("kafka.ack_timeout_ms", ", got ",
                            std::to_string(config.kafka.ack_timeout.count())) +
               ", so in-flight requests get their Kafka answer before shutdown ends");
  }

  Reading reading_;
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
