// `parley command`: one command onto the commands topic, and its result back
// (DESIGN.md "CLI"; docs/commands.md).
#include "command_cli.hpp"

#include <boost/asio/io_context.hpp>
#include <charconv>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <mutex>
#include <sstream>

#include "cli_support.hpp"
#include "parley/commands/intake.hpp"
#include "parley/kafka/topic_scan.hpp"
#include "parley/sources/json.hpp"
#include "wiring.hpp"

namespace parley::app {
namespace {

constexpr std::string_view kUsage =
    "usage: parley command --config FILE --file CMD.json [--wait SECONDS]";
constexpr unsigned kDefaultWaitSeconds = 30;

/// Reads `path` (at most `limit` bytes) into `text`; the problem when it cannot.
std::optional<std::string> read_command_file(const std::string& path, std::size_t limit,
                                             std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "--file: cannot read " + path;
  text.resize(limit + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > limit) {
    return "--file: " + path + " is over limits.max_body_bytes (" + std::to_string(limit) +
           " bytes)";
  }
  return std::nullopt;
}

Result<unsigned, std::string> wait_seconds(const Flags& flags) {
  const auto text = flags.get("--wait");
  if (text.empty()) return kDefaultWaitSeconds;
  unsigned seconds = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error != std::errc() || end != text.data() + text.size() || seconds > 86400) {
    return std::string("--wait: must be a whole number of seconds from 0 to 86400");
  }
  return seconds;
}

// Whether `record` is the result of the command `id` from `caller`.
bool is_result_of(const kafka::ConsumedRecord& record, const std::string& id,
                  const std::string& caller) {
  auto object = sources::parse_object(record.value);
  if (!object) return false;
  const sources::FieldReader event(object.value());
  auto result_id = event.required_string("id", 512);
  if (!result_id || result_id.value() != id + ":result") return false;
  auto data = event.required_object("data");
  if (!data) return false;
  auto command = data.value().required_object("command");
  if (!command) return false;
  auto source = command.value().required_string("source", 512);
  return source && source.value() == caller;
}

bool succeeded(const std::string& result) {
  auto object = sources::parse_object(result);
  if (!object) return false;
  auto type = sources::FieldReader(object.value()).required_string("type");
  return type && type.value() == "parley.command.succeeded";
}

int run(const config::Config& config, const commands::Command& command, std::string json,
        unsigned wait) {
  auto producer = reachable_producer(config);
  if (!producer) {
    std::cerr << "parley command: " << producer.error() << "\n";
    return 1;
  }
  const kafka::ScanOptions results{.bootstrap_servers = config.kafka.brokers,
                                   .topic = config.kafka.topics.command_results,
                                   .properties = config.kafka.properties,
                                   .missing_is_empty = true};
  // Where the results topic ends before the command exists: its result comes after.
  auto ends = kafka::topic_ends(results);
  if (!ends) {
    std::cerr << "parley command: " << ends.error() << "\n";
    return 1;
  }
  const auto record =
      commands::command_record(config.kafka.topics.commands, command, std::move(json));
  // Shared with the delivery callback, which may still run on the producer's thread (its
  // destructor purges) after this function gave up waiting.
  struct Delivery {
    std::mutex mutex;
    std::optional<std::string> failure;
  };
  const auto delivery = std::make_shared<Delivery>();
  producer.value()->produce(record, [delivery](std::optional<Error> error) {
    std::lock_guard lock(delivery->mutex);
    if (error) delivery->failure = error->message;
  });
  const bool unacknowledged = producer.value()->flush(config.kafka.ack_timeout) > 0;
  std::optional<std::string> failure;
  {
    std::lock_guard lock(delivery->mutex);
    failure = delivery->failure;
  }
  if (unacknowledged && !failure) failure = "no acknowledgement within kafka.ack_timeout_ms";
  if (failure) {
    std::cerr << "parley command: " << command.id << " not accepted: " << *failure << "\n";
    return 1;
  }
  std::cerr << "parley command: " << command.id << " accepted on " << record.topic << " (key "
            << record.key << ")\n";
  if (wait == 0) {
    std::cout << R"({"id":")" << command.id << R"(","status":"accepted"})"
              << "\n";
    return 0;
  }
  std::cerr << "parley command: waiting up to " << wait << " s for its result on " << results.topic
            << "\n";
  std::string result;
  const auto found = kafka::follow_topic(
      results, ends.value(), std::chrono::steady_clock::now() + std::chrono::seconds(wait),
      [&](const kafka::ConsumedRecord& candidate) {
        if (!is_result_of(candidate, command.id, command.caller)) return false;
        result = candidate.value;
        return true;
      });
  if (!found) {
    std::cerr << "parley command: " << found.error() << "\n";
    return 1;
  }
  if (!found.value()) {
    std::cerr << "parley command: no result for " << command.id << " within " << wait << " s\n";
    return 1;
  }
  std::cout << result << "\n";
  const bool ok = succeeded(result);
  std::cerr << "parley command: " << command.id << (ok ? " succeeded" : " did not succeed") << "\n";
  return ok ? 0 : 1;
}

}  // namespace

int command_subcommand(int argc, char** argv, const ConfigLoader& load) {
  auto flags = parse_flags(argc, argv, {"--config", "--file", "--wait"}, {});
  if (!flags) return usage_error("command", flags.error(), kUsage);
  for (const auto* required : {"--config", "--file"}) {
    if (flags.value().get(required).empty()) {
      return usage_error("command", std::string(required) + ": is required", kUsage);
    }
  }
  auto wait = wait_seconds(flags.value());
  if (!wait) return usage_error("command", wait.error(), kUsage);
  auto config = load(flags.value().get("--config"));
  if (!config) return usage_error("command", config.error(), kUsage);
  if (config.value().kafka.brokers == "embedded") {
    return usage_error("command",
                       "--config: kafka.brokers is embedded, inside the serving process; give "
                       "the config of a cluster, or its bootstrap address",
                       kUsage);
  }
  const auto file = flags.value().get("--file");
  std::string text;
  if (auto problem = read_command_file(file, config.value().limits.max_body_bytes, text)) {
    return usage_error("command", *problem, kUsage);
  }
  auto command = commands::parse_command(text);
  if (!command) {
    std::cerr << "parley command: " << file << ": " << command.error().to_string() << "\n";
    return 2;
  }
  boost::asio::io_context io;  // no client is made: the command is only checked
  auto senders = command_senders(config.value(), io.get_executor(), false);
  if (!senders) return usage_error("command", senders.error(), kUsage);
  if (auto refusal = commands::check_sendable(command.value(), senders.value(), false)) {
    std::cerr << "parley command: " << file << ": " << refusal->problem.to_string() << "\n";
    return 2;
  }
  return run(config.value(), command.value(), std::string(sources::received_json(text)),
             wait.value());
}

}  // namespace parley::app
