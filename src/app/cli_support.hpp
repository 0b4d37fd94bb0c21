#pragma once

// What the operator's subcommands (replay, backfill, command) share: flags, usage errors,
// a producer that has reached Kafka.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "parley/common/result.hpp"
#include "parley/config/config.hpp"
#include "parley/kafka/producer.hpp"

namespace parley::app {

/// `--flag value` pairs and bare switches, checked against what the command knows.
struct Flags {
  std::map<std::string, std::string, std::less<>> values;
  std::set<std::string, std::less<>> switches;

  /// The value of `name`, or "" when not given.
  std::string get(std::string_view name) const;
};

/// Parses argv[2..]; an unknown flag, a missing value or a repeated flag is an error naming it.
Result<Flags, std::string> parse_flags(int argc, char** argv,
                                       const std::set<std::string_view>& with_value,
                                       const std::set<std::string_view>& without_value);

/// Prints "parley <command>: <problem>" and the usage to stderr; returns 2.
int usage_error(std::string_view command, std::string_view problem, std::string_view usage);

/// A producer of `config` once Kafka answered, within shutdown_timeout_ms; else why not.
Result<std::unique_ptr<kafka::KafkaProducer>, std::string> reachable_producer(
    const config::Config& config);

}  // namespace parley::app
