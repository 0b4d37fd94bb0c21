#pragma once

// The App's components (component.hpp), each built from the config by its create().
// Built and driven from the main thread; what each one runs, runs on the Runtime.

#include <atomic>
#include <memory>
#include <string>

#include "component.hpp"
#include "parley/commands/executor.hpp"
#include "parley/commands/journal.hpp"
#include "parley/common/result.hpp"
#include "parley/config/config.hpp"
#include "parley/enrich/stage.hpp"
#include "parley/http/admission.hpp"
#include "parley/http/router.hpp"
#include "parley/http/server.hpp"
#include "parley/kafka/consumer.hpp"
#include "parley/kafka/embedded_broker.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/platforms/directly/poller.hpp"
#include "parley/spool/forwarder.hpp"
#include "parley/spool/spool.hpp"
#include "runtime.hpp"
#include "stats.hpp"

namespace parley::app {

/// The producer every other component publishes through, with the embedded broker when
/// kafka.brokers is "embedded". Stopping flushes what is still queued.
class KafkaPublishing final : public Component {
 public:
  /// Delivery reports run on the runtime's main context.
  /// Its Produce requests are counted into `stats` (which must outlive it).
  static Result<std::unique_ptr<KafkaPublishing>, std::string> create(const config::Config& config,
                                                                      Runtime& runtime,
                                                                      kafka::ProduceStats& stats);
  std::string_view name() const override { return "kafka producer"; }
  std::optional<std::string> start() override { return std::nullopt; }
  bool stop(Clock::time_point deadline) override;

  kafka::KafkaProducer& producer() { return *producer_; }
  /// Where consumers connect: kafka.brokers, or the embedded broker's address.
  const std::string& bootstrap() const { return bootstrap_; }

 private:
  KafkaPublishing() = default;
  std::unique_ptr<kafka::EmbeddedBroker> embedded_;  // outlives the producer
  std::unique_ptr<kafka::KafkaProducer> producer_;
  std::string bootstrap_;
};

/// The durable spool (spool.dir) and the forwarder that empties it into Kafka. Stopping
/// forwards until the deadline; what is left stays on disk for the next start.
class SpoolForwarding final : public Component {
 public:
  /// Null when spool.dir is empty; an error when the spool cannot be opened.
  static Result<std::unique_ptr<SpoolForwarding>, std::string> create(const config::Config& config,
                                                                      kafka::Producer& producer);
  std::string_view name() const override { return "spool forwarder"; }
  std::optional<std::string> start() override;
  bool stop(Clock::time_point deadline) override;

  spool::Spool& spool() { return *spool_; }

 private:
  SpoolForwarding(std::unique_ptr<spool::Spool> spool, kafka::Producer& producer, std::string dir);
  std::unique_ptr<spool::Spool> spool_;
  spool::Forwarder forwarder_;
  std::string dir_;
};

/// An HTTP listener (ingest or admin) and its routes. Starting binds the address;
/// stopping closes the listener and waits until every connection got its answer.
class Listener final : public Component {
 public:
  /// `name` is "ingest" or "admin" (the `listener` field of the logs).
  Listener(std::string name, boost::asio::io_context& io, http::ServerOptions options,
           http::Router router, http::Admission* admission, config::HostPort address);
  std::string_view name() const override { return name_; }
  std::optional<std::string> start() override;
  bool stop(Clock::time_point deadline) override;

 private:
  std::string name_;
  http::Router router_;  // outlives the server
  http::Server server_;
  config::HostPort address_;
};

/// The enrichment stage and its consumer group on the events topic. Stopping commits
/// what is finished and leaves the group; events still being enriched are read again by
/// the partitions' next owner (ids make the repeat harmless).
class Enrichment final : public Component {
 public:
  static Result<std::unique_ptr<Enrichment>, std::string> create(const config::Config& config,
                                                                 Runtime& runtime,
                                                                 KafkaPublishing& kafka,
                                                                 Stats& stats);
  std::string_view name() const override { return "enrichment"; }
  std::optional<std::string> start() override;
  bool stop(Clock::time_point deadline) override;

 private:
  Enrichment() = default;
  // In this order: the stage, whose coroutines report to the consumer, goes first.
  std::unique_ptr<kafka::KafkaConsumer> consumer_;
  std::unique_ptr<enrich::Stage> stage_;
};

/// The command executor (DESIGN.md "Commands: the way back"): its consumer group on the
/// commands topic, the journal every replica reads when it is given partitions, and the
/// executor performing commands through each source's send client. Stopping ends the
/// executor's waits and leaves the group once calls in flight are recorded; commands left
/// without a result are read again by the next owner, whose journal says where they stood.
class CommandExecution final : public Component {
 public:
  /// Null when no source can send (none has an api section): nothing would be performed.
  static Result<std::unique_ptr<CommandExecution>, std::string> create(const config::Config& config,
                                                                       Runtime& runtime,
                                                                       KafkaPublishing& kafka,
                                                                       Stats& stats);
  std::string_view name() const override { return "command executor"; }
  std::optional<std::string> start() override;
  bool stop(Clock::time_point deadline) override;

 private:
  CommandExecution() = default;
  /// Reads the journal on the consumer's thread until it is read or stopping.
  void load_journal(const kafka::ScanOptions& scan);
  std::atomic<bool> stopping_{false};
  // In this order: the consumer, which calls the executor and journal, goes first.
  std::unique_ptr<commands::Journal> journal_;
  std::unique_ptr<commands::Executor> executor_;
  std::unique_ptr<kafka::KafkaConsumer> consumer_;
};

/// The poller of one Directly source and its consumer group on the watch list. Stopping
/// lets polls in flight publish what they found, revokes the access token and leaves the
/// group.
class DirectlyPolling final : public Component {
 public:
  /// `source` is a Directly source of `config`.
  static Result<std::unique_ptr<DirectlyPolling>, std::string> create(const config::Config& config,
                                                                      const config::Source& source,
                                                                      Runtime& runtime,
                                                                      KafkaPublishing& kafka,
                                                                      Stats& stats);
  std::string_view name() const override { return name_; }
  std::optional<std::string> start() override;
  bool stop(Clock::time_point deadline) override;

  /// Questions this replica polls for the source (read on the scrape thread).
  std::size_t watched() const { return poller_->watched(); }

 private:
  explicit DirectlyPolling(std::string name) : name_(std::move(name)) {}
  std::string name_;  // "directly poller <source>"
  // In this order: the consumer, which feeds the poller, goes first.
  std::unique_ptr<directly::Poller> poller_;
  std::unique_ptr<kafka::KafkaConsumer> watches_;
};

}  // namespace parley::app
