// `parley replay` and `parley backfill`: the operator's tools after an outage
// (docs/operations.md, "Replay and backfill").
#include "heal_commands.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <set>

#include "cli_support.hpp"
#include "parley/common/time.hpp"
#include "parley/enrich/heal.hpp"
#include "parley/kafka/topic_scan.hpp"
#include "service.hpp"
#include "wiring.hpp"

namespace parley::app {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kReplayUsage =
    "usage: parley replay --config FILE [--platform P] [--conversation ID] [--since T] "
    "[--until T] [--reason TEXT] [--dry-run]";
constexpr std::string_view kBackfillUsage =
    "usage: parley backfill --config FILE --source NAME --conversation ID [--customer ID]";

/// Produces `records` in order and waits for every delivery report; returns the errors.
std::vector<std::string> publish_all(kafka::KafkaProducer& producer,
                                     const std::vector<kafka::Record>& records,
                                     std::chrono::milliseconds timeout) {
  std::mutex mutex;
  std::vector<std::string> errors;
  for (const auto& record : records) {
    producer.produce(record, [&mutex, &errors, topic = record.topic](std::optional<Error> error) {
      if (!error) return;
      std::lock_guard lock(mutex);
      errors.push_back(topic + ": " + error->message);
    });
  }
  if (const int left = producer.flush(timeout); left > 0) {
    std::lock_guard lock(mutex);
    errors.push_back(std::to_string(left) + " records without a delivery report after " +
                     std::to_string(timeout.count()) + " ms");
  }
  std::lock_guard lock(mutex);
  return errors;
}

Result<std::optional<std::int64_t>, std::string> time_flag(const Flags& flags,
                                                           std::string_view name) {
  const auto text = flags.get(name);
  if (text.empty()) return std::optional<std::int64_t>();
  const auto time = parse_rfc3339(text);
  if (!time) {
    return std::string(name) + ": '" + text +
           "' is not an RFC 3339 time (e.g. 2026-12-01T10:00:00Z)";
  }
  return std::optional<std::int64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(time->time_since_epoch()).count());
}

Result<enrich::ReplayFilter, std::string> replay_filter(const Flags& flags) {
  auto since = time_flag(flags, "--since");
  if (!since) return since.error();
  auto until = time_flag(flags, "--until");
  if (!until) return until.error();
  if (since.value() && until.value() && *until.value() <= *since.value()) {
    return std::string("--until: must be later than --since");
  }
  return enrich::ReplayFilter{.platform = flags.get("--platform"),
                              .conversation = flags.get("--conversation"),
                              .since_ms = since.value(),
                              .until_ms = until.value(),
                              .reason = flags.get("--reason")};
}

int replay(const config::Config& config, const enrich::ReplayFilter& filter, bool dry_run) {
  std::unique_ptr<kafka::KafkaProducer> producer;
  if (!dry_run) {
    auto made = reachable_producer(config);
    if (!made) {
      std::cerr << "parley replay: " << made.error() << "\n";
      return 1;
    }
    producer = std::move(made).value();
  }
  const auto& topics = config.kafka.topics;
  std::vector<kafka::Record> chosen;
  std::int64_t unreadable = 0;
  auto scanned = kafka::scan_topic(
      {.bootstrap_servers = config.kafka.brokers,
       .topic = topics.deadletter,
       .properties = config.kafka.properties,
       .timeout = config.shutdown_timeout},
      [&](const kafka::ConsumedRecord& record) {
        auto replay = enrich::replay_of(record, filter, topics.events);
        if (!replay) {
          ++unreadable;
          std::cerr << "parley replay: skipped " << record.topic << "/" << record.partition << "/"
                    << record.offset << ": " << replay.error() << "\n";
          return;
        }
        if (!replay.value()) return;
        if (dry_run) {
          std::cout << record.partition << "\t" << record.offset << "\t"
                    << format_rfc3339(std::chrono::system_clock::time_point(
                           std::chrono::milliseconds(record.timestamp_ms)))
                    << "\t" << replay.value()->id << "\t" << record.key << "\t"
                    << replay.value()->reason << "\n";
        }
        chosen.push_back(std::move(replay.value()->record));
      },
      [&chosen](std::int64_t done, std::int64_t total) {
        std::cerr << "parley replay: scanned " << done << " of " << total << " dead letters, "
                  << chosen.size() << " match\n";
      });
  if (!scanned) {
    std::cerr << "parley replay: " << scanned.error() << "\n";
    return 1;
  }
  std::vector<std::string> errors;
  if (!dry_run) errors = publish_all(*producer, chosen, config.shutdown_timeout);
  for (const auto& error : errors)
    std::cerr << "parley replay: not replayed: " << error << "\n";
  const auto replayed = dry_run ? 0 : static_cast<std::int64_t>(chosen.size() - errors.size());
  std::cerr << "parley replay: done: scanned " << scanned.value().scanned << " dead letters of "
            << topics.deadletter << ", " << chosen.size() << " matched, "
            << (dry_run ? "0 replayed (dry run)"
                        : std::to_string(replayed) + " replayed to " + topics.events)
            << ", " << unreadable << " unreadable skipped\n";
  return errors.empty() ? 0 : 1;
}

/// Who a backfill is about: the source's event source and platform.
Result<enrich::EventRef, std::string> backfill_subject(const config::Config& config,
                                                       const Flags& flags) {
  const auto name = flags.get("--source");
  enrich::EventRef about{.source = "/parley/" + name,
                         .source_name = name,
                         .conversation_id = flags.get("--conversation"),
                         .customer_id = flags.get("--customer")};
  std::string known;
  for (const auto& source : config.sources.all) {
    known += (known.empty() ? "" : ", ") + source.name;
    if (source.name != name) continue;
    about.platform = source.platform();
    if (std::holds_alternative<config::DirectlySource>(source.settings)) {
      return "--source: " + name +
             " is a Directly source, polled whole already; nothing to "
             "backfill";
    }
    if (std::holds_alternative<config::JustAnswerSource>(source.settings) &&
        about.customer_id.empty()) {
      return std::string("--customer: JustAnswer's API needs the asker's userToken");
    }
    if (const auto* talkjs = std::get_if<config::TalkJsSource>(&source.settings)) {
      about.source += "/" + talkjs->api.app_id;
    }
    return about;
  }
  return "--source: '" + name + "' is not a source in the config (" + known + ")";
}

int backfill(const config::Config& config, const enrich::EventRef& about) {
  asio::io_context io;
  auto apis = platform_apis(config, io.get_executor());
  if (!apis) {
    std::cerr << "parley backfill: " << apis.error() << "\n";
    return 2;
  }
  const auto api = apis.value().find(about.source_name);
  if (api == apis.value().end()) {
    std::cerr << "parley backfill: sources." << about.source_name
              << ".api is not configured: nothing to fetch from\n";
    return 2;
  }
  auto producer = reachable_producer(config);
  if (!producer) {
    std::cerr << "parley backfill: " << producer.error() << "\n";
    return 1;
  }
  std::cerr << "parley backfill: fetching " << about.source_name << " conversation "
            << about.conversation_id << "\n";
  // Result has no empty state, which co_spawn's completion needs: the coroutine fills this.
  std::optional<Result<enrich::FetchedConversation, upstream::UpstreamError>> fetched;
  auto& platform_api = *api->second;
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { fetched.emplace(co_await platform_api.fetch(about)); },
      asio::detached);
  io.run();
  if (!fetched || !*fetched) {
    std::cerr << "parley backfill: fetch failed: "
              << (fetched ? fetched->error().message : std::string("no answer")) << "\n";
    return 1;
  }
  const auto& conversation = fetched->value();
  const auto& topics = config.kafka.topics;
  const auto records = enrich::backfill_records(about, conversation,
                                                format_rfc3339(std::chrono::system_clock::now()),
                                                topics.events, topics.enriched);
  const auto errors = publish_all(*producer.value(), records, config.shutdown_timeout);
  for (const auto& error : errors)
    std::cerr << "parley backfill: not published: " << error << "\n";
  const auto messages = records.size() - 1;
  std::cerr << "parley backfill: done: " << about.source_name << " conversation "
            << about.conversation_id << ": " << conversation.messages.size()
            << " messages fetched, " << messages << " published as parley.message.created to "
            << topics.events << ", " << conversation.made_up_ids.size()
            << " without a platform id left out, 1 parley.conversation.updated to "
            << topics.enriched << ", " << errors.size() << " failed\n";
  return errors.empty() ? 0 : 1;
}

Result<config::Config, std::string> load_config(const Flags& flags, const ConfigLoader& load) {
  const auto file = flags.get("--config");
  if (file.empty()) return std::string("--config: is required");
  auto config = load(file);
  if (!config) return "--config: " + file + ": " + config.error();
  if (config.value().kafka.brokers == "embedded") {
    return "--config: " + file +
           ": kafka.brokers is \"embedded\": point it at the cluster that holds the topics";
  }
  return std::move(config).value();
}

}  // namespace

int replay_command(int argc, char** argv, const ConfigLoader& load) {
  auto flags = parse_flags(
      argc, argv, {"--config", "--platform", "--conversation", "--since", "--until", "--reason"},
      {"--dry-run"});
  if (!flags) return usage_error("replay", flags.error(), kReplayUsage);
  auto filter = replay_filter(flags.value());
  if (!filter) return usage_error("replay", filter.error(), kReplayUsage);
  auto config = load_config(flags.value(), load);
  if (!config) return usage_error("replay", config.error(), kReplayUsage);
  return replay(config.value(), filter.value(), flags.value().switches.contains("--dry-run"));
}

int backfill_command(int argc, char** argv, const ConfigLoader& load) {
  auto flags =
      parse_flags(argc, argv, {"--config", "--source", "--conversation", "--customer"}, {});
  if (!flags) return usage_error("backfill", flags.error(), kBackfillUsage);
  for (const auto* required : {"--source", "--conversation"}) {
    if (flags.value().get(required).empty()) {
      return usage_error("backfill", std::string(required) + ": is required", kBackfillUsage);
    }
  }
  auto config = load_config(flags.value(), load);
  if (!config) return usage_error("backfill", config.error(), kBackfillUsage);
  auto about = backfill_subject(config.value(), flags.value());
  if (!about) return usage_error("backfill", about.error(), kBackfillUsage);
  return backfill(config.value(), about.value());
}

}  // namespace parley::app
