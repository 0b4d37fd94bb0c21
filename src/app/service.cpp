#include "service.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_future.hpp>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <future>
#include <thread>

#include "parley/admin/admin_endpoints.hpp"
#include "parley/dedupe/recent_ids.hpp"
#include "parley/directly/poller.hpp"
#include "parley/directly/watch_endpoint.hpp"
#include "parley/enrich/stage.hpp"
#include "parley/http/server.hpp"
#include "parley/ingest/webhook_endpoint.hpp"
#include "parley/kafka/consumer.hpp"
#include "parley/kafka/embedded_broker.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/log/log.hpp"
#include "parley/sources/cao/cao.hpp"
#include "parley/sources/justanswer/justanswer.hpp"
#include "parley/sources/talkjs/talkjs.hpp"
#include "parley/spool/forwarder.hpp"
#include "parley/spool/spool.hpp"
#include "parley/version.hpp"

namespace parley::app {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using Clock = std::chrono::steady_clock;

constexpr int kEmbeddedPartitions = 3;
/// What an event adds around its body: ids, headers, normalized fields.
constexpr std::size_t kEnvelopeBytes = 65536;
/// The consumer group of the enrichment stage: every replica running it shares the work.
constexpr std::string_view kEnrichGroup = "parley-enrich";
/// The consumer group of the Directly pollers: each replica polls its partitions' questions.
constexpr std::string_view kDirectlyGroup = "parley-directly";

std::string to_string(const asio::ip::tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const auto host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

/// The sources whose events are enriched (Directly's are polled whole already).
std::vector<std::string> enabled_sources(const config::Config& config) {
  std::vector<std::string> names;
  if (config.sources.justanswer) names.emplace_back("justanswer");
  if (config.sources.cao) names.emplace_back("cao");
  if (config.sources.talkjs) names.emplace_back("talkjs");
  return names;
}

/// Every source with an ingest endpoint (the `source` label of the webhook metrics).
std::vector<std::string> ingest_sources(const config::Config& config) {
  auto names = enabled_sources(config);
  if (config.sources.directly) names.emplace_back("directly");
  return names;
}

/// One route per platform webhook, each publishing through the same producer.
void add_webhook_routes(const config::Config& config, http::Router& router,
                        kafka::Producer& producer, metrics::Metrics& metrics,
                        dedupe::RecentIds& recent_ids, spool::Spool* spool) {
  const ingest::Publishing publishing{.topic = config.kafka.topics.events,
                                      .ack_timeout = config.kafka.ack_timeout,
                                      .recent_ids = &recent_ids,
                                      .spool = spool};
  const bool raw = config.events.include_raw;
  auto add = [&](std::string path, std::shared_ptr<const sources::Source> source) {
    router.add(bhttp::verb::post, std::move(path),
               std::make_shared<ingest::WebhookEndpoint>(std::move(source), producer, metrics,
                                                         publishing));
  };
  if (const auto& ja = config.sources.justanswer) {
    add("/v1/webhooks/justanswer", std::make_shared<sources::JustAnswer>(ja->webhook, raw));
  }
  if (const auto& cao = config.sources.cao) {
    add("/v1/webhooks/cao/messages", std::make_shared<sources::CaoMessages>(cao->webhook, raw));
    add("/v1/webhooks/cao/receipts", std::make_shared<sources::CaoReceipts>(cao->webhook, raw));
  }
  if (const auto& talkjs = config.sources.talkjs) {
    add("/v1/webhooks/talkjs", std::make_shared<sources::TalkJs>(*talkjs, raw));
  }
  if (const auto& directly = config.sources.directly) {
    auto watches = std::make_shared<directly::WatchEndpoint>(
        directly->watch, producer, metrics,
        directly::WatchPublishing{.topic = config.kafka.topics.directly_watches,
                                  .ack_timeout = config.kafka.ack_timeout});
    router.add(bhttp::verb::post, std::string(directly::kWatchesPath), watches);
    router.add(bhttp::verb::delete_, std::string(directly::kWatchRoute), watches);
  }
}

http::ServerOptions ingest_options(const config::Config& config,
                                   std::shared_ptr<http::TlsCertificates> tls) {
  return http::ServerOptions{.name = "ingest",
                             .max_body_bytes = config.limits.max_body_bytes,
                             .max_header_bytes = config.limits.max_header_bytes,
                             .read_timeout = config.limits.read_timeout,
                             .tls = std::move(tls)};
}

http::ServerOptions admin_options(const config::Config& config) {
  return http::ServerOptions{.name = "admin",
                             .max_body_bytes = 4096,
                             .max_header_bytes = config.limits.max_header_bytes,
                             .read_timeout = config.limits.read_timeout};
}

/// Room for an event that carries its body twice (raw, plus the message text normalized)
/// and the envelope. lz4 makes what goes on the wire far smaller than this.
std::size_t default_max_message_bytes(std::size_t max_body_bytes) {
  return std::max<std::size_t>(1000000, 2 * max_body_bytes + kEnvelopeBytes);
}

kafka::ProducerOptions producer_options(const config::Config& config, std::string bootstrap,
                                        asio::io_context* io = nullptr) {
  return kafka::ProducerOptions{
      .bootstrap_servers = std::move(bootstrap),
      .ack_timeout = config.kafka.ack_timeout,
      .properties = config.kafka.properties,
      .probe_topic = config.kafka.topics.events,
      .delivery_context = io,
      .default_max_message_bytes = default_max_message_bytes(config.limits.max_body_bytes)};
}

bool runs_ingest(const config::Config& config) {
  return config.role != config::Role::enrich;
}

bool runs_enrichment(const config::Config& config) {
  return config.role != config::Role::ingest && config.enrich.enabled;
}

/// Directly is polled by the ingest role, once its API is configured; without a base_url
/// the watch list is still kept (and polled once the API is configured).
bool polls_directly(const config::Config& config) {
  return runs_ingest(config) && config.sources.directly &&
         !config.sources.directly->api.base_url.empty();
}

Result<std::unique_ptr<directly::DirectlyApi>, std::string> directly_api(
    const config::Config& config, const asio::any_io_executor& executor) {
  const auto& poll = config.sources.directly->poll;
  return directly::make_directly_api(executor, config.sources.directly->api,
                                     {.timeout = poll.timeout,
                                      .max_connections = poll.concurrency,
                                      .tls = upstream::make_tls_client_context()});
}

directly::PollerOptions poller_options(const config::Config& config) {
  const auto& poll = config.sources.directly->poll;
  return directly::PollerOptions{.events_topic = config.kafka.topics.events,
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

/// Why spool.dir cannot hold a spool (not creatable, not writable), or nullopt. The lock
/// is not tried: a running parley may hold it while its config is checked.
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

/// Opens the spool of `config` (null when spool.dir is empty); logs what recovery did.
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

void export_spool_metrics(metrics::Metrics& metrics, const spool::Spool& spool,
                          std::uint64_t max_bytes) {
  metrics.on_scrape([&spool, max_bytes](metrics::Metrics& m) {
    const auto stats = spool.stats();
    const double oldest_age =
        stats.oldest_ms
            ? std::max<double>(
                  0, static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count() -
                                         *stats.oldest_ms) /
                         1000.0)
            : 0.0;
    m.set_spool(static_cast<double>(max_bytes), static_cast<double>(stats.bytes),
                static_cast<double>(stats.records), oldest_age, stats.appended_total,
                stats.forwarded_total, stats.errors);
  });
}

}  // namespace

/// The API clients of every enabled source whose API is configured. A source without
/// api credentials is not enriched (its events are marked not_applicable), which is
/// logged; a half-configured API is an error naming the key.
Result<enrich::Stage::Apis, std::string> platform_apis(const config::Config& config,
                                                       asio::any_io_executor executor) {
  enrich::Stage::Apis apis;
  const enrich::ApiOptions options{.timeout = config.enrich.timeout,
                                   .max_connections = config.enrich.concurrency,
                                   .tls = upstream::make_tls_client_context()};
  const auto add = [&](std::string_view platform, bool configured,
                       auto make) -> std::optional<std::string> {
    if (!configured) {
      log::info("enrichment off for a source without api credentials",
                {{"platform", platform}, {"enrichment", "not_applicable"}});
      return std::nullopt;
    }
    auto api = make();
    if (!api) return api.error();
    apis.emplace(std::string(platform), std::move(api).value());
    return std::nullopt;
  };
  std::optional<std::string> problem;
  if (const auto& ja = config.sources.justanswer) {
    problem = add("justanswer", !ja->api.base_url.empty(),
                  [&] { return enrich::make_justanswer_api(executor, ja->api, options); });
  }
  if (const auto& cao = config.sources.cao; cao && !problem) {
    problem = add("cao", !cao->api.base_url.empty(),
                  [&] { return enrich::make_cao_api(executor, cao->api, options); });
  }
  if (const auto& talkjs = config.sources.talkjs; talkjs && !problem) {
    problem = add("talkjs", !talkjs->api.secret_key.empty(),
                  [&] { return enrich::make_talkjs_api(executor, talkjs->api, options); });
  }
  if (problem) return *problem;
  return apis;
}

std::optional<std::string> unservable(const config::Config& config) {
  if (runs_enrichment(config)) {
    asio::io_context io;
    if (auto apis = platform_apis(config, io.get_executor()); !apis) return apis.error();
  }
  if (polls_directly(config)) {
    asio::io_context io;
    if (auto api = directly_api(config, io.get_executor()); !api) return api.error();
  }
  if (!config.tls.cert_file.empty()) {
    auto certificates = http::TlsCertificates::load(config.tls.cert_file, config.tls.key_file);
    if (!certificates) return certificates.error();
  }
  if (auto problem = unusable_spool_dir(config.spool.dir)) return *problem;
  return kafka::KafkaProducer::check(producer_options(config, "127.0.0.1:9092"));
}

std::vector<std::string> warnings(const config::Config& config) {
  std::vector<std::string> found;
  const auto max_message = kafka::max_message_bytes(producer_options(config, "127.0.0.1:9092"));
  const auto max_body = config.limits.max_body_bytes;
  if (max_message > 0 && max_body + kEnvelopeBytes > max_message) {
    found.push_back(
        "limits.max_body_bytes: a body of " + std::to_string(max_body) +
        " bytes cannot fit in kafka.properties.message.max.bytes = " + std::to_string(max_message) +
        " once encoded (envelope about " + std::to_string(kEnvelopeBytes) +
        " bytes); events over " + std::to_string(max_message) + " bytes are answered 413");
  }
  return found;
}

Result<std::unique_ptr<kafka::KafkaProducer>, std::string> make_producer(
    const config::Config& config) {
  if (config.kafka.brokers == "embedded") {
    return std::string(
        "kafka.brokers is \"embedded\": an in-memory broker has nothing to receive "
        "a spool; point kafka.brokers at the cluster");
  }
  return kafka::KafkaProducer::create(producer_options(config, config.kafka.brokers));
}

int serve(const config::Config& config) {
  if (auto problem = unservable(config)) {
    log::error("cannot serve this configuration", {{"error", *problem}, {"version", kVersion}});
    return 1;
  }
  for (const auto& warning : warnings(config))
    log::warn("configuration warning", {{"warning", warning}});
  const unsigned threads =
      config.threads > 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  // Declared before the io_contexts: coroutine frames they destroy may still hold tickets.
  http::Admission admission(config.limits.max_inflight, config.limits.max_inflight_bytes);
  // One context per thread (benchmarks/RESULTS.md): `io` runs delivery reports, admin and
  // signals on the first thread, which also takes its share of the ingest connections;
  // enrichment and Directly polling run on `background`, a thread of their own, so a
  // backlog there never delays a webhook's answer.
  asio::io_context io(1);
  std::vector<std::unique_ptr<asio::io_context>> connection_only;
  for (unsigned i = 1; i < threads; ++i)
    connection_only.push_back(std::make_unique<asio::io_context>(1));
  asio::io_context background(1);

  std::unique_ptr<kafka::EmbeddedBroker> embedded;
  std::string bootstrap = config.kafka.brokers;
  if (bootstrap == "embedded") {
    const auto& t = config.kafka.topics;
    auto started = kafka::EmbeddedBroker::start(
        1, {t.events, t.enriched, t.deadletter, t.directly_watches}, kEmbeddedPartitions);
    if (!started) {
      log::error("embedded kafka failed to start", {{"error", started.error()}});
      return 1;
    }
    embedded = std::move(started).value();
    bootstrap = embedded->bootstrap_servers();
    log::info(
        "embedded kafka started (in memory, not durable)",
        {{"bootstrap", bootstrap}, {"watch", "kcat -b " + bootstrap + " -t " + t.events + " -C"}});
  }

  auto created = kafka::KafkaProducer::create(producer_options(config, bootstrap, &io));
  if (!created) {
    log::error("kafka producer not created", {{"error", created.error()}});
    return 1;
  }
  auto producer = std::move(created).value();

  std::unique_ptr<spool::Spool> spool;
  std::unique_ptr<spool::Forwarder> forwarder;
  if (runs_ingest(config)) {
    auto opened = open_spool(config);
    if (!opened) {
      log::error("spool not opened", {{"error", opened.error()}});
      return 1;
    }
    spool = std::move(opened).value();
  }
  if (spool) forwarder = std::make_unique<spool::Forwarder>(*spool, *producer);

  const auto& topics = config.kafka.topics;
  metrics::Metrics metrics(ingest_sources(config),
                           {topics.events, topics.enriched, topics.deadletter});
  dedupe::RecentIds recent_ids(config.dedupe.window, config.dedupe.max_entries);
  metrics.on_scrape([&recent_ids](metrics::Metrics& m) {
    m.set_dedupe_entries(static_cast<double>(recent_ids.size()));
  });
  http::Router ingest_router;
  add_webhook_routes(config, ingest_router, *producer, metrics, recent_ids, spool.get());
  metrics.spool_enabled();
  if (spool) export_spool_metrics(metrics, *spool, config.spool.max_bytes);
  http::Router admin_router;
  admin::add_routes(admin_router,
                    {.kafka_reachable = [&producer] { return producer->reachable(); },
                     .failure = [&producer]() -> std::optional<std::string> {
                       if (producer->failed_fatally()) return "kafka producer failed fatally";
                       return producer->refusal();
                     },
                     .spool_refusal = spool ? std::function<std::optional<std::string>()>(
                                                  [&spool] { return spool->refusal(); })
                                            : nullptr,
                     .spooling = [&spool] { return spool && spool->holds_records(); }},
                    admission, metrics);

  std::shared_ptr<http::TlsCertificates> tls;
  if (!config.tls.cert_file.empty()) {
    auto loaded = http::TlsCertificates::load(config.tls.cert_file, config.tls.key_file);
    if (!loaded) {
      log::error("tls certificates not loaded", {{"error", loaded.error()}});
      return 1;
    }
    tls = std::move(loaded).value();
  }
  auto ingest_server_options = ingest_options(config, std::move(tls));
  ingest_server_options.on_unrouted_refusal = [&metrics](std::string_view reason) {
    metrics.http_refused(reason);
  };
  ingest_server_options.connection_contexts.push_back(&io);
  for (auto& context : connection_only)
    ingest_server_options.connection_contexts.push_back(context.get());
  http::Server ingest_server(io, std::move(ingest_server_options), ingest_router, &admission);
  http::Server admin_server(io, admin_options(config), admin_router, nullptr);
  for (auto [server, where] : {std::pair{&ingest_server, &config.listen},
                               std::pair{&admin_server, &config.admin_listen}}) {
    if (server == &ingest_server && !runs_ingest(config)) continue;
    auto bound = server->start(where->host, where->port);
    if (!bound) {
      log::error("cannot listen", {{"error", bound.error()}});
      return 1;
    }
    log::info("listening", {{"listener", server == &ingest_server ? "ingest" : "admin"},
                            {"address", to_string(bound.value())}});
  }

  // Declared in this order so the stage (whose coroutines report to the consumer) is
  // destroyed first, after the io_context stopped.
  std::unique_ptr<kafka::KafkaConsumer> consumer;
  std::unique_ptr<enrich::Stage> stage;
  if (runs_enrichment(config)) {
    auto strand = asio::make_strand(background.get_executor());
    auto apis = platform_apis(config, strand);
    if (!apis) {
      log::error("enrichment not configured", {{"error", apis.error()}});
      return 1;
    }
    stage = std::make_unique<enrich::Stage>(
        strand, *producer, metrics, std::move(apis).value(), stage_options(config),
        [&consumer](std::int32_t partition, std::int64_t offset) {
          consumer->done(partition, offset);
        });
    auto subscribed = kafka::KafkaConsumer::create(
        {.bootstrap_servers = bootstrap,
         .group_id = std::string(kEnrichGroup),
         .instance_id = config.kafka.instance_id,
         .topic = topics.events,
         .properties = config.kafka.properties},
        [&stage](kafka::ConsumedRecord record) { stage->accept(std::move(record)); });
    if (!subscribed) {
      log::error("kafka consumer not created", {{"error", subscribed.error()}});
      return 1;
    }
    consumer = std::move(subscribed).value();
    metrics.enrich_platforms(enabled_sources(config));
    metrics.set_consumer_lag(topics.events, 0);
    metrics.on_scrape([&consumer](metrics::Metrics& m) {
      double total = 0;
      for (const auto& [partition, lag] : consumer->lag())
        total += static_cast<double>(lag);
      m.set_consumer_lag(consumer->topic(), total);
    });
  }

  // Declared in this order so the poller is destroyed after its consumer stopped.
  std::unique_ptr<directly::Poller> poller;
  std::unique_ptr<kafka::KafkaConsumer> watches;
  if (polls_directly(config)) {
    auto strand = asio::make_strand(background.get_executor());
    auto api = directly_api(config, strand);
    if (!api) {
      log::error("directly polling not configured", {{"error", api.error()}});
      return 1;
    }
    poller = std::make_unique<directly::Poller>(strand, *producer, metrics, std::move(api).value(),
                                                poller_options(config));
    auto subscribed = kafka::KafkaConsumer::create(
        {.bootstrap_servers = bootstrap,
         .group_id = std::string(kDirectlyGroup),
         .instance_id = config.kafka.instance_id,
         .topic = topics.directly_watches,
         .properties = config.kafka.properties,
         .read_from_beginning = true,
         .on_revoked =
             [&poller](const std::vector<std::int32_t>& partitions) {
               poller->revoke(partitions);
             }},
        [&poller](kafka::ConsumedRecord record) { poller->accept(std::move(record)); });
    if (!subscribed) {
      log::error("kafka consumer not created", {{"error", subscribed.error()}});
      return 1;
    }
    watches = std::move(subscribed).value();
    metrics.directly_polling();
    metrics.on_scrape([&poller](metrics::Metrics& m) {
      m.set_directly_watched(static_cast<double>(poller->watched()));
    });
  } else if (runs_ingest(config) && config.sources.directly) {
    log::warn("directly polling off: sources.directly.api.base_url is empty",
              {{"watch_list", topics.directly_watches}});
  }

  std::promise<int> stop_requested;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&stop_requested](const boost::system::error_code& ec, int signal) {
    if (!ec) stop_requested.set_value(signal);
  });
  auto work = asio::make_work_guard(io);
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> connection_work;
  std::vector<std::thread> pool;
  pool.emplace_back([&io] { io.run(); });
  auto background_work = asio::make_work_guard(background);
  if (stage || poller) pool.emplace_back([&background] { background.run(); });
  for (auto& context : connection_only) {
    connection_work.push_back(asio::make_work_guard(*context));
    pool.emplace_back([&context = *context] { context.run(); });
  }
  if (forwarder) forwarder->start();
  if (consumer) consumer->start();
  if (poller) {
    poller->start();
    watches->start();
  }
  log::info("parley started",
            {{"version", kVersion},
             {"threads", threads},
             {"role", runs_ingest(config) ? (stage ? "all" : "ingest") : "enrich"}});

  const int signal = stop_requested.get_future().get();
  const auto deadline = Clock::now() + config.shutdown_timeout;
  // Draining before saying so: whoever reads the log line then sees /readyz at 503.
  admission.start_draining();
  log::info("draining",
            {{"signal", signal},
             {"shutdown_timeout_ms", static_cast<long long>(config.shutdown_timeout.count())}});
  ingest_server.shutdown();
  const bool answered = ingest_server.wait_closed(deadline);
  if (forwarder) {
    // What is not forwarded by the deadline stays on disk; the next start sends it first.
    const auto left = forwarder->drain(deadline);
    forwarder->stop();
    if (left > 0) {
      log::warn("spooled events left on disk at shutdown; forwarded at the next start",
                {{"records", static_cast<long long>(left)}, {"dir", config.spool.dir}});
    }
  }
  // Commits what enrichment finished and leaves the group; events still being enriched
  // are read again by the partition's next owner (ids make the repeat harmless).
  if (consumer) consumer->stop(deadline);
  if (poller) {
    // Polls in flight publish what they found; then the access token is revoked.
    auto stopped = asio::co_spawn(poller->strand(), poller->stop(), asio::use_future);
    if (stopped.wait_until(deadline) != std::future_status::ready) {
      log::warn(
          "directly poller still busy at shutdown_timeout_ms; its partitions' next "
          "owner polls again");
    }
    watches->stop(deadline);
  }
  const auto remaining =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  const int unflushed = producer->flush(std::max(remaining, std::chrono::milliseconds(0)));
  admin_server.shutdown();
  admin_server.wait_closed(deadline);
  work.reset();
  connection_work.clear();
  background_work.reset();
  io.stop();
  background.stop();
  for (auto& context : connection_only)
    context->stop();
  for (auto& thread : pool)
    thread.join();

  if (!answered || unflushed > 0) {
    log::error("shutdown_timeout_ms reached before the drain completed",
               {{"connections_closed", answered}, {"unflushed_events", unflushed}});
    return 1;
  }
  log::info("stopped");
  return 0;
}

}  // namespace parley::app
