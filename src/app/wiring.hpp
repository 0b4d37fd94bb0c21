#pragma once

// How the configuration becomes each module's options and parts: the App's wiring, kept
// apart from the order things start and stop in (app.cpp).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/commands/executor.hpp"
#include "parley/commands/senders.hpp"
#include "parley/common/result.hpp"
#include "parley/config/config.hpp"
#include "parley/dedupe/recent_ids.hpp"
#include "parley/enrich/stage.hpp"
#include "parley/http/router.hpp"
#include "parley/http/server.hpp"
#include "parley/ingest/webhook_stats.hpp"
#include "parley/kafka/produce_stats.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/platforms/directly/api.hpp"
#include "parley/platforms/directly/poller.hpp"
#include "parley/spool/spool.hpp"

namespace parley::app {

inline constexpr int kEmbeddedPartitions = 3;
/// What an event adds around its body: ids, headers, normalized fields.
inline constexpr std::size_t kEnvelopeBytes = 65536;
/// The consumer group of the enrichment stage: every replica running it shares the work.
inline constexpr std::string_view kEnrichGroup = "parley-enrich";
/// The consumer group of the Directly pollers: each replica polls its partitions' questions.
inline constexpr std::string_view kDirectlyGroup = "parley-directly";
/// The consumer group of the command executor (runs where enrichment runs).
inline constexpr std::string_view kCommandsGroup = "parley-commands";
/// The admin listener's own connections (probes, scrapes), apart from the webhook listener's
/// limits.max_connections, so a flood of webhooks never makes Kubernetes kill a busy pod.
inline constexpr std::size_t kAdminMaxConnections = 64;
/// Descriptors beyond the listeners' connections: Kafka brokers, the spool's files, logs,
/// and (added to it) the upstream connections of enrichment.
inline constexpr std::size_t kOtherDescriptors = 256;

bool runs_ingest(const config::Config& config);
bool runs_enrichment(const config::Config& config);
/// The command executor runs where enrichment may run (role enrich or all), with commands on.
bool runs_commands(const config::Config& config);
/// The HTTP door POST /v1/commands is open: ingest runs and commands.tokens is not empty.
bool serves_command_door(const config::Config& config);
/// The Directly sources polled here: by the ingest role, once their API is configured;
/// without a base_url the watch list is still kept (and polled once it is configured).
std::vector<const config::Source*> polled_directly_sources(const config::Config& config);
/// The consumer group of a Directly source's pollers: each source reads the whole watch
/// list for its own records ("parley-directly" for the source named directly).
std::string directly_group(std::string_view source);

std::string to_string(const boost::asio::ip::tcp::endpoint& endpoint);

/// The sources whose events are enriched (Directly's are polled whole already).
std::vector<std::string> enabled_sources(const config::Config& config);
/// Every source with an ingest endpoint (the `source` label of the webhook metrics).
std::vector<std::string> ingest_sources(const config::Config& config);

/// One route per platform webhook, each publishing through the same producer.
void add_webhook_routes(const config::Config& config, http::Router& router,
                        kafka::Producer& producer, ingest::WebhookStats& stats,
                        kafka::ProduceStats& produced, dedupe::RecentIds& recent_ids,
                        spool::Spool* spool);

http::ServerOptions ingest_options(const config::Config& config,
                                   std::shared_ptr<http::TlsCertificates> tls);
http::ServerOptions admin_options(const config::Config& config);
/// Delivery reports run on `io` when given (else on librdkafka's thread); Produce requests are
/// counted into `stats` when given.
kafka::ProducerOptions producer_options(const config::Config& config, std::string bootstrap,
                                        boost::asio::io_context* io = nullptr,
                                        kafka::ProduceStats* stats = nullptr);

/// `source` is a Directly source.
Result<std::unique_ptr<directly::DirectlyApi>, std::string> directly_api(
    const config::Source& source, const boost::asio::any_io_executor& executor);
directly::PollerOptions poller_options(const config::Config& config, const config::Source& source);
enrich::StageOptions stage_options(const config::Config& config);

/// Raises the soft RLIMIT_NOFILE to what `config`'s connection limits need (both listeners,
/// the upstream pools, kafka.* and the spool), logging it; an error naming both numbers
/// when the hard limit is lower.
std::optional<std::string> ensure_descriptor_limit(const config::Config& config);

/// Why spool.dir cannot hold a spool (not creatable, not writable), or nullopt. The lock
/// is not tried: a running parley may hold it while its config is checked.
std::optional<std::string> unusable_spool_dir(const std::string& dir);
/// Opens the spool of `config` (null when spool.dir is empty); logs what recovery did.
Result<std::unique_ptr<spool::Spool>, std::string> open_spool(const config::Config& config);

/// The enrichment clients of every source in `config` with an api section (others are
/// logged and left out); an error names a half-configured key.
Result<enrich::Stage::Apis, std::string> platform_apis(
    const config::Config& config, const boost::asio::any_io_executor& executor);

/// Every source's platform, command rules and, `with_clients`, send client (null for a source
/// without an api section), built from the platform table on `executor`; an error names a
/// half-configured key. Without clients: what the HTTP door and the CLI check commands with.
Result<commands::Senders, std::string> command_senders(const config::Config& config,
                                                       const boost::asio::any_io_executor& executor,
                                                       bool with_clients);
commands::ExecutorOptions executor_options(const config::Config& config);

}  // namespace parley::app
