// `parley spool inspect --dir D`, `parley spool export-refused --dir D` and
// `parley spool forward --config F`.
#include "spool_command.hpp"

#include <chrono>
#include <iostream>

#include "parley/common/json_writer.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/spool/forwarder.hpp"
#include "parley/spool/refused.hpp"
#include "parley/spool/spool.hpp"
#include "service.hpp"

namespace parley::app {
namespace {

using Clock = std::chrono::steady_clock;

std::string age_of(std::int64_t appended_ms) {
  if (appended_ms <= 0) return "-";
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return std::to_string((now - appended_ms) / 1000) + " s";
}

// The quarantine's records, one line each; the count (0 when there are none).
Result<std::size_t, std::string> print_refused(const std::string& dir) {
  auto refused = spool::read_refused(dir);
  if (!refused) return refused.error();
  if (refused.value().empty()) return std::size_t{0};
  std::cout << "\nrefused (" << spool::kRefusedFile << ")\ntopic\tkey\tbytes\tspooled\treason\n";
  for (const auto& entry : refused.value()) {
    const auto& record = entry.spooled.record;
    std::cout << record.topic << "\t" << record.key << "\t" << record.value.size() << "\t"
              << age_of(entry.spooled.appended_ms) << " ago\t" << entry.reason << "\n";
  }
  return refused.value().size();
}

int inspect(const std::string& dir) {
  auto reports = spool::inspect(dir);
  if (!reports) {
    std::cerr << "parley spool inspect: " << reports.error() << "\n";
    return 1;
  }
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;
  int damaged = 0;
  std::cout << "segment\tbytes\trecords\toldest\tdamage\n";
  for (const auto& report : reports.value()) {
    std::cout << report.file << "\t" << report.bytes << "\t" << report.records << "\t"
              << age_of(report.first_appended_ms) << "\t"
              << (report.damage.empty() ? "-" : report.damage) << "\n";
    records += report.records;
    bytes += report.bytes;
    damaged += report.damage.empty() ? 0 : 1;
  }
  const auto refused = print_refused(dir);
  if (!refused) {
    std::cerr << "parley spool inspect: " << refused.error() << "\n";
    return 1;
  }
  std::cerr << "parley spool inspect: " << reports.value().size() << " segments, " << records
            << " records (forwarded ones included until their segment is deleted), " << bytes
            << " bytes, " << damaged << " damaged, " << refused.value()
            << " refused by Kafka (parley spool export-refused --dir " << dir << ")\n";
  return damaged > 0 || refused.value() > 0 ? 3 : 0;
}

// One JSON object per line: what an operator needs to fix and re-send a refused event.
int export_refused(const std::string& dir) {
  auto refused = spool::read_refused(dir);
  if (!refused) {
    std::cerr << "parley spool export-refused: " << refused.error() << "\n";
    return 1;
  }
  std::string line;
  for (const auto& entry : refused.value()) {
    const auto& record = entry.spooled.record;
    line.clear();
    {
      json::ObjectWriter out(line);
      out.string("topic", record.topic);
      out.string("key", record.key);
      {
        json::ObjectWriter headers(out.key("headers"));
        for (const auto& [name, value] : record.headers)
          json::append_string(headers.key(name), value);
      }
      out.key("spooledAtMs") += std::to_string(entry.spooled.appended_ms);
      out.string("reason", entry.reason);
      json::append_string(out.key("value"), record.value);
    }
    std::cout << line << "\n";
  }
  std::cerr << "parley spool export-refused: " << refused.value().size() << " records from " << dir
            << "/" << spool::kRefusedFile << "\n";
  return 0;
}

int forward(const config::Config& config) {
  if (config.spool.dir.empty()) {
    std::cerr << "parley spool forward: spool.dir is empty in the config: nothing to forward\n";
    return 2;
  }
  auto opened = spool::Spool::open({.dir = config.spool.dir,
                                    .max_bytes = config.spool.max_bytes,
                                    .segment_bytes = config.spool.segment_bytes});
  if (!opened) {
    std::cerr << "parley spool forward: " << opened.error() << "\n";
    return 1;
  }
  auto& spool = *opened.value();
  auto producer = make_producer(config);
  if (!producer) {
    std::cerr << "parley spool forward: " << producer.error() << "\n";
    return 1;
  }
  const auto start = spool.stats().records;
  std::cerr << "parley spool forward: " << start << " records in " << config.spool.dir << "\n";
  if (!producer.value()->wait_reachable(true, config.shutdown_timeout)) {
    std::cerr << "parley spool forward: Kafka (" << config.kafka.brokers
              << ") unreachable within shutdown_timeout_ms; nothing forwarded\n";
    return 1;
  }
  spool::Forwarder forwarder(spool, *producer.value());
  forwarder.start();
  // Progress every second until empty; a stall of shutdown_timeout_ms gives up.
  auto last_progress = Clock::now();
  std::uint64_t left = start;
  while (left > 0) {
    const auto now_left = forwarder.drain(Clock::now() + std::chrono::seconds(1));
    // drain() returns at once while Kafka is unreachable: wait for it here, a second at most.
    if (!producer.value()->reachable()) {
      producer.value()->wait_reachable(true, std::chrono::seconds(1));
    }
    if (now_left < left) last_progress = Clock::now();
    left = now_left;
    std::cerr << "parley spool forward: forwarded " << (start - left) << " of " << start << "\n";
    if (left > 0 && Clock::now() - last_progress > config.shutdown_timeout) break;
  }
  forwarder.stop();
  producer.value()->flush(config.kafka.ack_timeout);
  std::cerr << "parley spool forward: done: " << (start - left) << " forwarded, " << left
            << " left\n";
  return left == 0 ? 0 : 1;
}

}  // namespace

int spool_command(
    int argc, char** argv,
    const std::function<Result<config::Config, std::string>(const std::string&)>& load) {
  const std::string_view usage =
      "usage: parley spool inspect --dir DIR | parley spool export-refused --dir DIR | "
      "parley spool forward --config FILE";
  if (argc != 5) {
    std::cerr << "parley: " << usage << "\n";
    return 2;
  }
  const std::string_view verb = argv[2];
  const std::string_view flag = argv[3];
  if (verb == "inspect" && flag == "--dir") return inspect(argv[4]);
  if (verb == "export-refused" && flag == "--dir") return export_refused(argv[4]);
  if (verb == "forward" && flag == "--config") {
    auto config = load(argv[4]);
    if (!config) {
      std::cerr << "parley: " << argv[4] << ": " << config.error() << "\n";
      return 2;
    }
    return forward(config.value());
  }
  std::cerr << "parley: spool: unknown or incomplete arguments ('" << verb << " " << flag << "'); "
            << usage << "\n";
  return 2;
}

}  // namespace parley::app
