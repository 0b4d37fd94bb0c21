#include "components.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include <algorithm>
#include <future>
#include <thread>

#include "parley/log/log.hpp"
#include "wiring.hpp"

namespace parley::app {

namespace asio = boost::asio;

constexpr std::chrono::seconds kJournalRetry{1};

Result<std::unique_ptr<KafkaPublishing>, std::string> KafkaPublishing::create(
    const config::Config& config, Runtime& runtime, kafka::ProduceStats& stats) {
  auto made = std::unique_ptr<KafkaPublishing>(new KafkaPublishing());
  made->bootstrap_ = config.kafka.brokers;
  if (made->bootstrap_ == "embedded") {
    const auto& t = config.kafka.topics;
    auto started =
        kafka::EmbeddedBroker::start(1,
                                     {t.events, t.enriched, t.deadletter, t.directly_watches,
                                      t.commands, t.command_results, t.command_journal},
                                     kEmbeddedPartitions);
    if (!started) return "embedded kafka failed to start: " + started.error();
    made->embedded_ = std::move(started).value();
    made->bootstrap_ = made->embedded_->bootstrap_servers();
    log::info("embedded kafka started (in memory, not durable)",
              {{"bootstrap", made->bootstrap_},
               {"watch", "kcat -b " + made->bootstrap_ + " -t " + t.events + " -C"}});
  }
  auto producer = kafka::KafkaProducer::create(
      producer_options(config, made->bootstrap_, &runtime.main(), &stats));
  if (!producer) return "kafka producer not created: " + producer.error();
  made->producer_ = std::move(producer).value();
  return made;
}

bool KafkaPublishing::stop(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  const int unflushed = producer_->flush(std::max(left, std::chrono::milliseconds(0)));
  if (unflushed == 0) return true;
  log::warn("kafka producer not flushed by shutdown_timeout_ms", {{"unflushed_events", unflushed}});
  return false;
}

Result<std::unique_ptr<SpoolForwarding>, std::string> SpoolForwarding::create(
    const config::Config& config, kafka::Producer& producer) {
  auto opened = open_spool(config);
  if (!opened) return "spool not opened: " + opened.error();
  if (!opened.value()) return std::unique_ptr<SpoolForwarding>();
  return std::unique_ptr<SpoolForwarding>(
      new SpoolForwarding(std::move(opened).value(), producer, config.spool.dir));
}

SpoolForwarding::SpoolForwarding(std::unique_ptr<spool::Spool> spool, kafka::Producer& producer,
                                 std::string dir)
    : spool_(std::move(spool)), forwarder_(*spool_, producer), dir_(std::move(dir)) {}

std::optional<std::string> SpoolForwarding::start() {
  forwarder_.start();
  return std::nullopt;
}

bool SpoolForwarding::stop(Clock::time_point deadline) {
  // What is not forwarded by the deadline stays on disk; the next start sends it first.
  const auto left = forwarder_.drain(deadline);
  forwarder_.stop();
  if (left > 0) {
    log::warn("spooled events left on disk at shutdown; forwarded at the next start",
              {{"records", static_cast<long long>(left)}, {"dir", dir_}});
  }
  return true;  // on disk is not lost
}

Listener::Listener(std::string name, asio::io_context& io, http::ServerOptions options,
                   http::Router router, http::Admission* admission, config::HostPort address)
    : name_(std::move(name)),
      router_(std::move(router)),
      server_(io, std::move(options), router_, admission),
      address_(std::move(address)) {}

std::optional<std::string> Listener::start() {
  auto bound = server_.start(address_.host, address_.port);
  if (!bound) return "cannot listen: " + bound.error();
  log::info("listening", {{"listener", name_}, {"address", to_string(bound.value())}});
  return std::nullopt;
}

bool Listener::stop(Clock::time_point deadline) {
  server_.shutdown();
  if (server_.wait_closed(deadline)) return true;
  // Past the deadline: cancel what is still running, so no handler outlives the drain
  // (its sender gets a 503 or nothing, and retries); they end within the second.
  server_.cancel();
  constexpr auto kCancelled = std::chrono::seconds(1);
  if (!server_.wait_closed(Clock::now() + kCancelled)) {
    log::error("connections still open after their cancellation", {{"listener", name_}});
  }
  return false;
}

Result<std::unique_ptr<Enrichment>, std::string> Enrichment::create(const config::Config& config,
                                                                    Runtime& runtime,
                                                                    KafkaPublishing& kafka,
                                                                    Stats& stats) {
  auto strand = asio::make_strand(runtime.background().get_executor());
  auto apis = platform_apis(config, strand);
  if (!apis) return "enrichment not configured: " + apis.error();
  auto made = std::unique_ptr<Enrichment>(new Enrichment());
  auto* self = made.get();
  made->stage_ = std::make_unique<enrich::Stage>(
      strand, kafka.producer(), stats.enrich, stats.produced, std::move(apis).value(),
      stage_options(config), [self](std::int32_t partition, std::int64_t offset) {
        self->consumer_->done(partition, offset);
      });
  auto subscribed = kafka::KafkaConsumer::create(
      {.bootstrap_servers = kafka.bootstrap(),
       .group_id = std::string(kEnrichGroup),
       .instance_id = config.kafka.instance_id,
       .topic = config.kafka.topics.events,
       .properties = config.kafka.properties},
      [self](kafka::ConsumedRecord record) { self->stage_->accept(std::move(record)); });
  if (!subscribed) return "kafka consumer not created: " + subscribed.error();
  made->consumer_ = std::move(subscribed).value();
  stats.enrich.create_series(enabled_sources(config));
  stats.enrich.set_consumer_lag(config.kafka.topics.events, 0);
  stats.registry.on_scrape([self, &enrich = stats.enrich] {
    double total = 0;
    for (const auto& [partition, lag] : self->consumer_->lag())
      total += static_cast<double>(lag);
    enrich.set_consumer_lag(self->consumer_->topic(), total);
  });
  return made;
}

std::optional<std::string> Enrichment::start() {
  consumer_->start();
  return std::nullopt;
}

bool Enrichment::stop(Clock::time_point deadline) {
  consumer_->stop(deadline);
  return true;  // what was not committed is read again by the next owner
}

Result<std::unique_ptr<CommandExecution>, std::string> CommandExecution::create(
    const config::Config& config, Runtime& runtime, KafkaPublishing& kafka, Stats& stats) {
  auto strand = asio::make_strand(runtime.background().get_executor());
  auto senders = command_senders(config, strand, true);
  if (!senders) return "commands not configured: " + senders.error();
  if (std::ranges::none_of(senders.value().by_source,
                           [](const auto& entry) { return entry.second.sender != nullptr; })) {
    log::info("command executor off: no source has an api section to send through",
              {{"topic", config.kafka.topics.commands}});
    return std::unique_ptr<CommandExecution>();
  }
  auto made = std::unique_ptr<CommandExecution>(new CommandExecution());
  auto* self = made.get();
  made->journal_ = std::make_unique<commands::Journal>(
      kafka.producer(), config.kafka.topics.command_journal, config.kafka.ack_timeout,
      config.commands.journal_max_entries);
  made->executor_ = std::make_unique<commands::Executor>(
      strand, kafka.producer(), *made->journal_, stats.commands, stats.produced,
      std::move(senders).value(), executor_options(config),
      [self](std::int32_t partition, std::int64_t offset) {
        self->consumer_->done(partition, offset);
      });
  const kafka::ScanOptions journal_scan{.bootstrap_servers = kafka.bootstrap(),
                                        .topic = config.kafka.topics.command_journal,
                                        .properties = config.kafka.properties,
                                        .missing_is_empty = true};
  auto subscribed = kafka::KafkaConsumer::create(
      {.bootstrap_servers = kafka.bootstrap(),
       .group_id = std::string(kCommandsGroup),
       .instance_id = config.kafka.instance_id,
       .topic = config.kafka.topics.commands,
       .properties = config.kafka.properties,
       .on_revoked =
           [self](const std::vector<std::int32_t>& partitions) {
             self->executor_->revoke(partitions);
           },
       .on_assigned =
           [self, journal_scan](const std::vector<std::int32_t>& partitions) {
             self->load_journal(journal_scan);
             self->executor_->assign(partitions);
           }},
      [self](kafka::ConsumedRecord record) { self->executor_->accept(std::move(record)); });
  if (!subscribed) return "kafka consumer not created: " + subscribed.error();
  made->consumer_ = std::move(subscribed).value();
  stats.registry.on_scrape([self, &commands = stats.commands] {
    double total = 0;
    for (const auto& [partition, lag] : self->consumer_->lag())
      total += static_cast<double>(lag);
    commands.set_consumer_lag(total);
    commands.set_in_progress(static_cast<double>(self->executor_->in_progress()));
  });
  return made;
}

void CommandExecution::load_journal(const kafka::ScanOptions& scan) {
  // Commands of these partitions may have been begun by their previous owner: nothing of
  // them runs before its journal is known, however long Kafka takes to answer.
  for (unsigned tries = 1;; ++tries) {
    auto loaded = journal_->load(scan);
    if (loaded) {
      log::info("command journal loaded",
                {{"topic", journal_->topic()}, {"entries", journal_->size()}});
      return;
    }
    log::warn("command journal not loaded; retrying",
              {{"topic", journal_->topic()}, {"error", loaded.error()}, {"tries", tries}});
    if (stopping_.load()) return;
    std::this_thread::sleep_for(kJournalRetry);  // a backoff, on the consumer's own thread
  }
}

std::optional<std::string> CommandExecution::start() {
  consumer_->start();
  return std::nullopt;
}

bool CommandExecution::stop(Clock::time_point deadline) {
  stopping_ = true;
  executor_->stop(deadline);
  consumer_->stop(deadline);
  return true;  // what has no result is read again by the next owner
}

Result<std::unique_ptr<DirectlyPolling>, std::string> DirectlyPolling::create(
    const config::Config& config, const config::Source& source, Runtime& runtime,
    KafkaPublishing& kafka, Stats& stats) {
  auto strand = asio::make_strand(runtime.background().get_executor());
  auto api = directly_api(source, strand);
  if (!api) return "directly polling not configured: " + api.error();
  auto made =
      std::unique_ptr<DirectlyPolling>(new DirectlyPolling("directly poller " + source.name));
  auto* self = made.get();
  made->poller_ =
      std::make_unique<directly::Poller>(strand, kafka.producer(), stats.polls, stats.produced,
                                         std::move(api).value(), poller_options(config, source));
  auto subscribed = kafka::KafkaConsumer::create(
      {.bootstrap_servers = kafka.bootstrap(),
       .group_id = directly_group(source.name),
       .instance_id = config.kafka.instance_id,
       .topic = config.kafka.topics.directly_watches,
       .properties = config.kafka.properties,
       .read_from_beginning = true,
       .on_revoked =
           [self](const std::vector<std::int32_t>& partitions) {
             self->poller_->revoke(partitions);
           }},
      [self](kafka::ConsumedRecord record) { self->poller_->accept(std::move(record)); });
  if (!subscribed) return "kafka consumer not created: " + subscribed.error();
  made->watches_ = std::move(subscribed).value();
  return made;
}

std::optional<std::string> DirectlyPolling::start() {
  poller_->start();
  watches_->start();
  return std::nullopt;
}

bool DirectlyPolling::stop(Clock::time_point deadline) {
  // Polls in flight publish what they found; then the access token is revoked.
  auto stopped = asio::co_spawn(poller_->strand(), poller_->stop(), asio::use_future);
  const bool done = stopped.wait_until(deadline) == std::future_status::ready;
  if (!done) {
    log::warn(
        "directly poller still busy at shutdown_timeout_ms; its partitions' next owner polls "
        "again");
  }
  watches_->stop(deadline);
  return true;  // the next owner polls again: nothing is lost
}

}  // namespace parley::app
