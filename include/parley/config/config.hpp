#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "parley/common/cidr.hpp"
#include "parley/common/result.hpp"
#include "parley/platforms/cao/settings.hpp"
#include "parley/platforms/directly/settings.hpp"
#include "parley/platforms/justanswer/settings.hpp"
#include "parley/platforms/talkjs/settings.hpp"

namespace parley::config {

/// "host:port" as written in `listen` / `admin_listen`. Port 0 asks the OS for a free port.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

enum class Role { ingest, enrich, all };
enum class LogLevel { debug, info, warn, error };

struct Limits {
  std::size_t max_body_bytes = 1048576;
  std::size_t max_inflight = 10000;
  std::chrono::milliseconds read_timeout{10000};
  std::size_t max_header_bytes = 16384;  ///< extension: request line + headers
  /// extension: request bodies held in memory at once (declared length; chunked bodies
  /// count as max_body_bytes); beyond it parley answers 429
  std::size_t max_inflight_bytes = 268435456;
  /// extension: after an answer that leaves part of a request unread (413, 415, 429, 503
  /// before the body), how long parley keeps reading and dropping it so the client sees the
  /// answer instead of a reset ("lingering close")
  std::chrono::milliseconds lingering_close{5000};
  /// extension: connections lingering at once per listener; past it, closed at once
  std::size_t max_lingering_connections = 1024;
  /// extension: open connections of the webhook listener; at it, the oldest idle keep-alive
  /// connection is closed, else accepting pauses (the admin listener has its own 64)
  std::size_t max_connections = 4096;
  /// extension: bodies whose proof is a signature over them (not verified until read), at
  /// once and per peer address; beyond either parley answers 429
  std::size_t max_unverified_bytes = 33554432;
  std::size_t max_unverified_bytes_per_peer = 4194304;
};

struct Tls {
  std::string cert_file;  ///< empty = plain HTTP
  std::string key_file;
};

struct Dedupe {
  std::chrono::seconds window{600};
  std::size_t max_entries = 1000000;
};

struct KafkaTopics {
  std::string events = "parley.events.v1";
  std::string enriched = "parley.enriched.v1";
  std::string deadletter = "parley.deadletter.v1";
  std::string directly_watches = "parley.directly.watches.v1";
  std::string commands = "parley.commands.v1";
  std::string command_results = "parley.command-results.v1";
  /// The executor's durable intents and results (compacted; docs/commands.md).
  std::string command_journal = "parley.command-journal.v1";
};

struct Kafka {
  std::string brokers = "embedded";  ///< "embedded" or "host:port,host:port"
  std::chrono::milliseconds ack_timeout{4000};
  KafkaTopics topics;
  std::map<std::string, std::string> properties;  ///< passed through to librdkafka
  /// group.instance.id of every consumer group parley joins (static membership): a
  /// restarted member takes its partitions back at once. Default: the host name; "" =
  /// dynamic membership (every stop leaves the group).
  std::string instance_id;
};

/// Every platform a source can be (`platform:`): one settings type each, defined with its
/// reader in the platform's folder (platforms/<name>/settings.hpp). A fifth platform adds
/// its type here.
using Settings = std::variant<JustAnswerSource, CaoSource, TalkJsSource, DirectlySource>;

namespace detail {
template <class>
struct PlatformNames;
template <class... T>
struct PlatformNames<std::variant<T...>> {
  static constexpr std::array<std::string_view, sizeof...(T)> value = {T::kPlatform...};
};
}  // namespace detail

/// The platforms' names, in the order of Settings.
inline constexpr auto kPlatforms = detail::PlatformNames<Settings>::value;

/// One source: an account of a platform, configured under `sources.<name>`. Its name
/// names its webhook paths, its events' `source`, record keys and ids, and the `source`
/// label of its metrics; `platform:` says which platform it is (default: the name).
struct Source {
  std::string name;  ///< lowercase letters, digits and '-'
  Settings settings;

  /// "justanswer", "cao", "talkjs" or "directly".
  std::string_view platform() const {
    return std::visit([](const auto& s) { return s.kPlatform; }, settings);
  }
};

/// Every configured source, by name (a source is enabled when its section is present).
struct Sources {
  std::vector<Source> all;  ///< in the file's order

  /// The settings of the source called `name` when it is of platform T; else null.
  template <class T>
  const T* find(std::string_view name) const {
    for (const auto& source : all) {
      if (source.name == name) return std::get_if<T>(&source.settings);
    }
    return nullptr;
  }
};

struct Enrich {
  bool enabled = true;
  unsigned concurrency = 64;
  std::chrono::milliseconds timeout{5000};
  unsigned max_attempts = 5;
  /// Fetch a conversation once more this long after its last event; 0 = off.
  std::chrono::milliseconds reconcile_after{180000};
  std::size_t reconcile_max_conversations = 100000;  ///< waiting, per platform
  unsigned reconcile_max_per_second = 5;             ///< reconcile fetches, per platform
};

/// The commands path (DESIGN.md "Commands: the way back"; docs/commands.md).
struct Commands {
  bool enabled = true;                       ///< the executor runs where enrichment runs
  std::vector<std::string> tokens;           ///< the HTTP door's bearer tokens; empty = door closed
  unsigned concurrency = 64;                 ///< commands at a platform at once, per source
  std::chrono::milliseconds timeout{10000};  ///< connect, and each send call's exchange
  unsigned max_attempts = 8;
  /// extension: calls per second to a platform, per source; 0 = no limit beyond
  /// concurrency and the platform's Retry-After
  unsigned max_per_second = 0;
  /// extension: commands the executor remembers (their intent or result) in memory; a
  /// repeat older than that is performed as new
  std::size_t journal_max_entries = 1000000;
};

struct Events {
  bool include_raw = true;  ///< extension: copy the platform payload into data.raw
};

/// The whole configuration of DESIGN.md ("Config (contract)") plus documented extensions.
/// A plain value: copy freely, immutable once loaded.
/// The durable local spool (docs/operations.md, "Spool"). Empty dir = off.
struct Spool {
  std::string dir;
  std::uint64_t max_bytes = 1073741824;
  std::uint64_t segment_bytes = 67108864;
};

struct Config {
  HostPort listen{"0.0.0.0", 8080};
  HostPort admin_listen{"0.0.0.0", 9464};
  Role role = Role::all;
  unsigned threads = 0;  ///< 0 = one per core (resolved by the caller)
  LogLevel log_level = LogLevel::info;
  Limits limits;
  std::chrono::milliseconds shutdown_timeout{20000};
  Tls tls;
  Dedupe dedupe;
  Kafka kafka;
  Sources sources;
  Enrich enrich;
  Events events;
  Spool spool;
  Commands commands;
};

/// Why a configuration was refused. `path` is the key's dotted path
/// ("limits.max_body_bytes", "sources.justanswer.webhook.allow_cidrs[1]"); empty
/// for problems with the file as a whole. `message` says what is wrong.
struct ConfigError {
  std::string path;
  std::string message;
  /// "path: message" (or just the message when path is empty).
  std::string to_string() const;
};

/// The most a `${file:PATH}` reference reads: 64 KiB, far more than any credential. Only
/// regular files are read; a larger one, a directory, a device or a FIFO is refused.
inline constexpr std::size_t kMaxFileReferenceBytes = std::size_t{64} * 1024;

/// Parses and validates YAML text. `${env:NAME}` and `${file:PATH}` are substituted in
/// every string scalar; relative file paths resolve against `base_dir`.
/// Never throws: every problem becomes a ConfigError naming the key. A message never shows a
/// value produced by a substitution (it may be a secret); it names the reference instead:
/// "threads: must be a non-negative integer (value from ${env:THREADS}, not shown)".
Result<Config, ConfigError> parse(std::string_view yaml_text,
                                  const std::filesystem::path& base_dir);

/// Reads `file` and parses it with its directory as base_dir.
Result<Config, ConfigError> load_file(const std::filesystem::path& file);

}  // namespace parley::config
