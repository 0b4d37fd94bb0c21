#include "cli_support.hpp"

#include <iostream>

#include "service.hpp"

namespace parley::app {

std::string Flags::get(std::string_view name) const {
  const auto found = values.find(name);
  return found == values.end() ? std::string() : found->second;
}

Result<Flags, std::string> parse_flags(int argc, char** argv,
                                       const std::set<std::string_view>& with_value,
                                       const std::set<std::string_view>& without_value) {
  Flags flags;
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (without_value.contains(arg)) {
      flags.switches.emplace(arg);
    } else if (with_value.contains(arg)) {
      if (i + 1 >= argc || std::string_view(argv[i + 1]).starts_with("--")) {
        return std::string(arg) + ": needs a value";
      }
      if (!flags.values.emplace(std::string(arg), argv[++i]).second) {
        return std::string(arg) + ": given twice";
      }
    } else {
      return std::string(arg) + ": unknown flag";
    }
  }
  return flags;
}

int usage_error(std::string_view command, std::string_view problem, std::string_view usage) {
  std::cerr << "parley " << command << ": " << problem << "\n" << usage << "\n";
  return 2;
}

Result<std::unique_ptr<kafka::KafkaProducer>, std::string> reachable_producer(
    const config::Config& config) {
  auto producer = make_producer(config);
  if (!producer) return producer.error();
  if (!producer.value()->wait_reachable(true, config.shutdown_timeout)) {
    return "Kafka (" + config.kafka.brokers + ") unreachable within shutdown_timeout_ms (" +
           std::to_string(config.shutdown_timeout.count()) + " ms)";
  }
  return std::move(producer).value();
}

}  // namespace parley::app
