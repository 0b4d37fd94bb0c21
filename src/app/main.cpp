// parley: verified platform webhooks in, CloudEvents on Kafka out. main() parses the
// command line; app/app.cpp starts and stops the components of app/components.cpp.
#include <cstring>
#include <iostream>
#include <string_view>

#include "command_cli.hpp"
#include "heal_commands.hpp"
#include "parley/config/config.hpp"
#include "parley/log/log.hpp"
#include "parley/version.hpp"
#include "service.hpp"
#include "spool_command.hpp"

namespace {

constexpr const char* kUsage = R"(usage:
  parley --config FILE [--role ingest|enrich|all]   serve with FILE (YAML, see config/parley.yaml)
  parley --check-config FILE                        validate FILE, exit 0 when valid, 2 otherwise
  parley spool inspect --dir DIR                    list a spool's segments, records, age, damage
  parley spool export-refused --dir DIR             the events Kafka refused for good, as JSON lines
  parley spool forward --config FILE                empty FILE's spool.dir into Kafka and exit
  parley replay --config FILE [--platform P] [--conversation ID] [--since T] [--until T]
                [--reason TEXT] [--dry-run]         send dead letters back to enrichment
  parley backfill --config FILE --source NAME --conversation ID [--customer ID]
                                                    fetch a conversation now, publish its messages
  parley command --config FILE --file CMD.json [--wait SECONDS]
                                                    put one command on Kafka, print its result
  parley --version                                  print the version
  parley --help                                     print this help

Signals: SIGTERM or SIGINT drain and stop (in-flight requests still get their answer).
Logs: JSON lines on stderr.
)";

parley::log::Level to_log_level(parley::config::LogLevel level) {
  switch (level) {
    case parley::config::LogLevel::debug:
      return parley::log::Level::debug;
    case parley::config::LogLevel::info:
      return parley::log::Level::info;
    case parley::config::LogLevel::warn:
      return parley::log::Level::warn;
    case parley::config::LogLevel::error:
      return parley::log::Level::error;
  }
  return parley::log::Level::info;
}

int usage_error(std::string_view problem) {
  std::cerr << "parley: " << problem << "\n\n" << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  const auto load =
      [](const std::string& file) -> parley::Result<parley::config::Config, std::string> {
    auto loaded = parley::config::load_file(file);
    if (!loaded) return loaded.error().to_string();
    return std::move(loaded).value();
  };
  const std::string_view command = argc > 1 ? argv[1] : "";
  if (command == "spool") return parley::app::spool_command(argc, argv, load);
  if (command == "replay") return parley::app::replay_command(argc, argv, load);
  if (command == "backfill") return parley::app::backfill_command(argc, argv, load);
  if (command == "command") return parley::app::command_subcommand(argc, argv, load);
  std::string_view config_file;
  std::string_view check_file;
  std::string_view role;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--version") {
      std::cout << "parley " << parley::kVersion << "\n";
      return 0;
    } else if (arg == "--config" && has_value) {
      config_file = argv[++i];
    } else if (arg == "--check-config" && has_value) {
      check_file = argv[++i];
    } else if (arg == "--role" && has_value) {
      role = argv[++i];
    } else {
      return usage_error("unknown or incomplete argument '" + std::string(arg) + "'");
    }
  }
  if (!check_file.empty()) {
    auto loaded = parley::config::load_file(std::string(check_file));
    if (!loaded) {
      std::cerr << "parley: " << check_file << ": " << loaded.error().to_string() << "\n";
      return 2;
    }
    if (auto problem = parley::app::unservable(loaded.value())) {
      std::cerr << "parley: " << check_file << ": " << *problem << "\n";
      return 2;
    }
    for (const auto& warning : parley::app::warnings(loaded.value()))
      std::cerr << "parley: " << check_file << ": warning: " << warning << "\n";
    std::cout << "parley: " << check_file << ": configuration is valid\n";
    return 0;
  }
  if (config_file.empty()) return usage_error("--config FILE is required");

  auto loaded = parley::config::load_file(std::string(config_file));
  if (!loaded) {
    std::cerr << "parley: " << config_file << ": " << loaded.error().to_string() << "\n";
    return 2;
  }
  auto config = std::move(loaded).value();
  if (config.role == parley::config::Role::enrich && !role.empty() && role != "enrich") {
    // Its sources' webhook sections were not required to verify anything.
    return usage_error("--role " + std::string(role) + ": " + std::string(config_file) +
                       " says role: enrich, so it serves no webhooks; use a config for that role");
  }
  if (role == "ingest") {
    config.role = parley::config::Role::ingest;
  } else if (role == "enrich") {
    config.role = parley::config::Role::enrich;
  } else if (role == "all") {
    config.role = parley::config::Role::all;
  } else if (!role.empty()) {
    return usage_error("--role must be ingest, enrich or all");
  }
  parley::log::set_level(to_log_level(config.log_level));
  return parley::app::serve(config);
}
