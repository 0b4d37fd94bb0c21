#include "wiring.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "parley/log/log.hpp"
#include "parley/platforms/registry.hpp"

namespace parley::app {

namespace asio = boost::asio;

namespace {

/// Room for an event that carries its body twice (raw, plus the message text normalized)
/// and the envelope. lz4 makes what goes on the wire far smaller than this.
std::size_t default_max_message_bytes(std::size_t max_body_bytes) {
  return std::max<std::size_t>(1000000, 2 * max_body_bytes + kEnvelopeBytes);
}

}  // namespace

std::string to_string(const asio::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const auto host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

std::vector<std::string> enabled_sources(const config::Config& config) {
  std::vector<std::string> names;
  for (const auto& source : config.sources.all) {
    if (source.platform() != config::DirectlySource::kPlatform) names.push_back(source.name);
  }
  return names;
}

std::vector<std::string> ingest_sources(const config::Config& config) {
  std::vector<std::string> names;
  for (const auto& source : config.sources.all)
    names.push_back(source.name);
  return names;
}

void add_webhook_routes(const config::Config& config, http::Router& router,
                        kafka::Producer& producer, ingest::WebhookStats& stats,
                        kafka::ProduceStats& produced, dedupe::RecentIds& recent_ids,
                        spool::Spool* spool) {
  const platforms::RouteContext context{.producer = producer,
                                        .stats = stats,
                                        .produced = produced,
                                        .events = {.topic = config.kafka.topics.events,
                                                   .ack_timeout = config.kafka.ack_timeout,
                                                   .recent_ids = &recent_ids,
                                                   .spool = spool},
                                        .watches = {.topic = config.kafka.topics.directly_watches,
                                                    .ack_timeout = config.kafka.ack_timeout},
                                        .include_raw = config.events.include_raw};
  for (const auto& source : config.sources.all)
    platforms::find(source.platform())->add_routes(source, context, router);
}

http::ServerOptions ingest_options(const config::Config& config,
                                   std::shared_ptr<http::TlsCertificates> tls) {
  return http::ServerOptions{.name = "ingest",
                             .max_body_bytes = config.limits.max_body_bytes,
                             .max_header_bytes = config.limits.max_header_bytes,
                             .read_timeout = config.limits.read_timeout,
                             .lingering_close = config.limits.lingering_close,
                             .max_lingering_connections = config.limits.max_lingering_connections,
                             .max_connections = config.limits.max_connections,
                             .tls = std::move(tls)};
}

http::ServerOptions admin_options(const config::Config& config) {
  return http::ServerOptions{.name = "admin",
                             .max_body_bytes = 4096,
                             .max_header_bytes = config.limits.max_header_bytes,
                             .read_timeout = config.limits.read_timeout,
                             .lingering_close = config.limits.lingering_close,
                             .max_lingering_connections = config.limits.max_lingering_connections,
                             .max_connections = kAdminMaxConnections};
}

kafka::ProducerOptions producer_options(const config::Config& config, std::string bootstrap,
                                        asio::io_context* io, kafka::ProduceStats* stats) {
  return kafka::ProducerOptions{
      .bootstrap_servers = std::move(bootstrap),
      .ack_timeout = config.kafka.ack_timeout,
      .properties = config.kafka.properties,
      .probe_topic = config.kafka.topics.events,
      .delivery_context = io,
      .default_max_message_bytes = default_max_message_bytes(config.limits.max_body_bytes),
      .stats = stats};
}

bool runs_ingest(const config::Config& config) {
  return config.role != config::Role::enrich;
}

bool runs_enrichment(const config::Config& config) {
  return config.role != config::Role::ingest && config.enrich.enabled;
}

bool runs_commands(const config::Config& config) {
  return config.role != config::Role::ingest && config.commands.enabled;
}

bool serves_command_door(const config::Config& config) {
  return runs_ingest(config) && !config.commands.tokens.empty();
}

std::vector<const config::Source*> polled_directly_sources(const config::Config& config) {
  std::vector<const config::Source*> polled;
  if (!runs_ingest(config)) return polled;
  for (const auto& source : config.sources.all) {
    const auto* directly = std::get_if<config::DirectlySource>(&source.settings);
    if (directly != nullptr && !directly->api.base_url.empty()) polled.push_back(&source);
  }
  return polled;
}

std::string directly_group(std::string_view source) {
  if (source == directly::kDefaultSource) return std::string(kDirectlyGroup);
  return std::string(kDirectlyGroup) + "-" + std::string(source);
}

Result<std::unique_ptr<directly::DirectlyApi>, std::string> directly_api(
    const config::Source& source, const asio::any_io_executor& executor) {
  const auto& directly = std::get<config::DirectlySource>(source.settings);
  const auto& poll = directly.poll;
  return directly::make_directly_api(executor, source.name, directly.api,
                                     {.timeout = poll.timeout,
                                      .max_connections = poll.concurrency,
                                      .tls = upstream::make_tls_client_context()});
}

directly::PollerOptions poller_options(const config::Config& config, const config::Source& source) {
  const auto& poll = std::get<config::DirectlySource>(source.settings).poll;
  return directly::PollerOptions{.source = source.name,
                                 .events_topic = config.kafka.topics.events,
                                 .watches_topic = config.kafka.topics.directly_watches,
                                 .interval = poll.interval,
                                 .max_interval = poll.max_interval,
                                 .max_requests_per_second = poll.max_requests_per_second,
                                 .concurrency = poll.concurrency,
                                 .ack_timeout = config.kafka.ack_timeout,
                                 .include_raw = config.events.include_raw};
}

enrich::StageOptions stage_options(const config::Config& config) {
  const auto& topics = config.kafka.topics;
  return enrich::StageOptions{
      .events_topic = topics.events,
      .enriched_topic = topics.enriched,
      .deadletter_topic = topics.deadletter,
      .concurrency = config.enrich.concurrency,
      .max_attempts = config.enrich.max_attempts,
      .ack_timeout = config.kafka.ack_timeout,
      .reconcile_after = config.enrich.reconcile_after,
      .reconcile_max_conversations = config.enrich.reconcile_max_conversations,
      .reconcile_per_second = config.enrich.reconcile_max_per_second};
}

std::optional<std::string> unusable_spool_dir(const std::string& dir) {
  if (dir.empty()) return std::nullopt;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return "spool.dir: " + dir + " cannot be created: " + ec.message();
  const auto probe = std::filesystem::path(dir) / ".parley-write-check";
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return "spool.dir: " + dir + " is not writable: " + std::strerror(errno);
  ::close(fd);
  std::filesystem::remove(probe, ec);
  return std::nullopt;
}

Result<std::unique_ptr<spool::Spool>, std::string> open_spool(const config::Config& config) {
  if (config.spool.dir.empty()) return std::unique_ptr<spool::Spool>();
  spool::Recovery recovery;
  auto opened = spool::Spool::open({.dir = config.spool.dir,
                                    .max_bytes = config.spool.max_bytes,
                                    .segment_bytes = config.spool.segment_bytes},
                                   &recovery);
  if (!opened) return opened.error();
  log::info("spool open",
            {{"dir", config.spool.dir},
             {"records_to_forward", static_cast<long long>(recovery.records)},
             {"torn_tails_truncated", static_cast<long long>(recovery.torn_tails)},
             {"segments_quarantined", static_cast<long long>(recovery.quarantined.size())}});
  return std::move(opened).value();
}

/// The API clients of every enabled source whose API is configured. A source without
/// api credentials is not enriched (its events are marked not_applicable), which is
/// logged; a half-configured API is an error naming the key.
Result<enrich::Stage::Apis, std::string> platform_apis(const config::Config& config,
                                                       const asio::any_io_executor& executor) {
  enrich::Stage::Apis apis;
  const enrich::ApiOptions options{.timeout = config.enrich.timeout,
                                   .max_connections = config.enrich.concurrency,
                                   .tls = upstream::make_tls_client_context()};
  for (const auto& source : config.sources.all) {
    const auto* platform = platforms::find(source.platform());
    if (platform->make_api == nullptr) continue;  // polled whole, not enriched
    auto api = platform->make_api(executor, source, options);
    if (!api) return api.error();
    if (!api.value()) {
      log::info("enrichment off for a source without api credentials",
                {{"source", source.name}, {"enrichment", "not_applicable"}});
      continue;
    }
    apis.emplace(source.name, std::move(api).value());
  }
  return apis;
}

Result<commands::Senders, std::string> command_senders(const config::Config& config,
                                                       const asio::any_io_executor& executor,
                                                       bool with_clients) {
  commands::Senders senders;
  const enrich::ApiOptions options{.timeout = config.commands.timeout,
                                   .max_connections = config.commands.concurrency,
                                   .tls = upstream::make_tls_client_context()};
  for (const auto& source : config.sources.all) {
    const auto* platform = platforms::find(source.platform());
    auto& entry = senders.by_source[source.name];
    entry.platform = std::string(source.platform());
    entry.rules = platform->command_rules;
    if (platform->make_sender == nullptr || !with_clients) continue;
    auto sender = platform->make_sender(executor, source, options);
    if (!sender) return sender.error();
    entry.sender = std::move(sender).value();
  }
  return senders;
}

commands::ExecutorOptions executor_options(const config::Config& config) {
  return {.results_topic = config.kafka.topics.command_results,
          .concurrency = config.commands.concurrency,
          .max_per_second = config.commands.max_per_second,
          .max_attempts = config.commands.max_attempts,
          .ack_timeout = config.kafka.ack_timeout,
          .call_timeout = config.commands.timeout};
}

std::optional<std::string> ensure_descriptor_limit(const config::Config& config) {
  const std::size_t upstream = (runs_enrichment(config) ? config.enrich.concurrency : 0) +
                               (runs_commands(config) ? config.commands.concurrency : 0);
  const std::size_t needed =
      config.limits.max_connections + kAdminMaxConnections + kOtherDescriptors + upstream;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return std::string("cannot read RLIMIT_NOFILE: ") + std::strerror(errno);
  }
  if (limit.rlim_cur == RLIM_INFINITY || limit.rlim_cur >= needed) return std::nullopt;
  const std::string need_text =
      std::to_string(needed) + " file descriptors (limits.max_connections " +
      std::to_string(config.limits.max_connections) + " + admin " +
      std::to_string(kAdminMaxConnections) + " + " + std::to_string(kOtherDescriptors + upstream) +
      " for Kafka, the spool and upstream connections)";
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed) {
    return "RLIMIT_NOFILE hard limit is " + std::to_string(limit.rlim_max) + ", below the " +
           need_text +
           ": lower limits.max_connections or raise the limit (ulimit -Hn, LimitNOFILE=)";
  }
  const auto before = limit.rlim_cur;
  limit.rlim_cur = static_cast<rlim_t>(needed);
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return "cannot raise RLIMIT_NOFILE from " + std::to_string(before) + " to " + need_text + ": " +
           std::strerror(errno);
  }
  log::info("raised the RLIMIT_NOFILE soft limit",
            {{"from", static_cast<long long>(before)}, {"to", need_text}});
  return std::nullopt;
}

}  // namespace parley::app
