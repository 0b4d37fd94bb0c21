#include "app.hpp"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <future>
#include <thread>

#include "components.hpp"
#include "parley/admin/admin_endpoints.hpp"
#include "parley/commands/intake.hpp"
#include "parley/log/log.hpp"
#include "parley/version.hpp"
#include "wiring.hpp"

namespace parley::app {
namespace {

unsigned thread_count(const config::Config& config) {
  return config.threads > 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
}

std::string_view role_name(const config::Config& config) {
  if (!runs_ingest(config)) return "enrich";
  return runs_enrichment(config) ? "all" : "ingest";
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names)
    text += (text.empty() ? "" : ", ") + name;
  return text;
}

/// The admin endpoints' view of the producer and the spool (null when off).
admin::Probes probes(kafka::KafkaProducer& producer, spool::Spool* spool) {
  return {.kafka_reachable = [&producer] { return producer.reachable(); },
          .failure = [&producer]() -> std::optional<std::string> {
            if (producer.failed_fatally()) return "kafka producer failed fatally";
            return producer.refusal();
          },
          .spool_refusal = spool ? std::function<std::optional<std::string>()>(
                                       [spool] { return spool->refusal(); })
                                 : nullptr,
          .spooling = [spool] { return spool != nullptr && spool->holds_records(); }};
}

}  // namespace

App::App(const config::Config& config)
    : config_(config),
      threads_(thread_count(config)),
      admission_({.max_inflight = config.limits.max_inflight,
                  .max_bytes = config.limits.max_inflight_bytes,
                  .max_unverified_bytes = config.limits.max_unverified_bytes,
                  .max_unverified_bytes_per_peer = config.limits.max_unverified_bytes_per_peer}),
      recent_ids_(config.dedupe.window, config.dedupe.max_entries),
      stats_(config, recent_ids_),
      runtime_(threads_) {}

App::~App() {
  // Frames still suspended (past the drain deadline) go first, while the pools, stages and
  // endpoints they point to exist; then the components, whose I/O objects need the contexts.
  runtime_.destroy_pending();
  while (!components_.empty())
    components_.pop_back();
}

Result<std::unique_ptr<App>, std::string> App::build(const config::Config& config) {
  std::shared_ptr<http::TlsCertificates> tls;
  if (!config.tls.cert_file.empty()) {
    auto loaded = http::TlsCertificates::load(config.tls.cert_file, config.tls.key_file);
    if (!loaded) return "tls certificates not loaded: " + loaded.error();
    tls = std::move(loaded).value();
  }
  auto app = std::unique_ptr<App>(new App(config));
  auto& stats = app->stats_;

  auto kafka = KafkaPublishing::create(config, app->runtime_, stats.produced);
  if (!kafka) return kafka.error();
  std::unique_ptr<SpoolForwarding> spool;
  if (runs_ingest(config)) {
    auto opened = SpoolForwarding::create(config, kafka.value()->producer());
    if (!opened) return opened.error();
    spool = std::move(opened).value();
    if (spool) stats.spool.export_from(stats.registry, spool->spool(), config.spool.max_bytes);
  }
  spool::Spool* const spool_store = spool ? &spool->spool() : nullptr;

  http::Router admin_routes;
  admin::add_routes(admin_routes, probes(kafka.value()->producer(), spool_store), app->admission_,
                    stats.registry, stats.listener);
  app->components_.push_back(
      std::make_unique<Listener>("admin", app->runtime_.main(), admin_options(config),
                                 std::move(admin_routes), nullptr, config.admin_listen));
  auto& publishing = *kafka.value();
  app->components_.push_back(std::move(kafka).value());
  if (spool) app->components_.push_back(std::move(spool));

  if (runs_enrichment(config)) {
    auto enrichment = Enrichment::create(config, app->runtime_, publishing, stats);
    if (!enrichment) return enrichment.error();
    app->components_.push_back(std::move(enrichment).value());
    app->background_work_ = true;
  }
  if (runs_commands(config)) {
    auto execution = CommandExecution::create(config, app->runtime_, publishing, stats);
    if (!execution) return execution.error();
    if (execution.value()) {
      app->components_.push_back(std::move(execution).value());
      app->background_work_ = true;
    }
  }
  std::vector<const DirectlyPolling*> pollers;
  for (const auto* source : polled_directly_sources(config)) {
    auto polling = DirectlyPolling::create(config, *source, app->runtime_, publishing, stats);
    if (!polling) return polling.error();
    pollers.push_back(polling.value().get());
    app->components_.push_back(std::move(polling).value());
    app->background_work_ = true;
  }
  if (!pollers.empty()) {
    stats.polls.create_series();
    stats.registry.on_scrape([pollers, &polls = stats.polls] {
      std::size_t watched = 0;
      for (const auto* poller : pollers)
        watched += poller->watched();
      polls.set_watched(static_cast<double>(watched));
    });
  }
  for (const auto& source : config.sources.all) {
    const auto* directly = std::get_if<config::DirectlySource>(&source.settings);
    if (runs_ingest(config) && directly != nullptr && directly->api.base_url.empty()) {
      log::warn("directly polling off: sources." + source.name + ".api.base_url is empty",
                {{"watch_list", config.kafka.topics.directly_watches}});
    }
  }

  if (runs_ingest(config)) {
    http::Router ingest_routes;
    add_webhook_routes(config, ingest_routes, publishing.producer(), stats.webhooks, stats.produced,
                       app->recent_ids_, spool_store);
    if (serves_command_door(config)) {
      // The door checks commands as the executor will, without credentials of its own.
      auto senders = command_senders(config, app->runtime_.main().get_executor(), false);
      if (!senders) return "commands not configured: " + senders.error();
      ingest_routes.add(boost::beast::http::verb::post, std::string(commands::kCommandsPath),
                        std::make_shared<commands::CommandIntake>(
                            commands::IntakeOptions{.tokens = config.commands.tokens,
                                                    .topic = config.kafka.topics.commands,
                                                    .ack_timeout = config.kafka.ack_timeout},
                            publishing.producer(), stats.commands, stats.produced,
                            std::make_shared<const commands::Senders>(std::move(senders).value())));
    }
    auto options = ingest_options(config, std::move(tls));
    options.on_unrouted_refusal = [&listener = stats.listener](std::string_view reason) {
      listener.refused(reason);
    };
    options.connection_contexts = app->runtime_.connection_contexts();
    app->components_.push_back(
        std::make_unique<Listener>("ingest", app->runtime_.main(), std::move(options),
                                   std::move(ingest_routes), &app->admission_, config.listen));
  }
  return app;
}

int App::run() {
  std::promise<int> stop_requested;
  boost::asio::signal_set signals(runtime_.main(), SIGINT, SIGTERM);
  signals.async_wait([&stop_requested](const boost::system::error_code& ec, int signal) {
    if (!ec) stop_requested.set_value(signal);
  });
  runtime_.run(background_work_);
  for (std::size_t i = 0; i < components_.size(); ++i) {
    if (auto problem = components_[i]->start()) {
      log::error("cannot start", {{"component", components_[i]->name()}, {"error", *problem}});
      drain_deadline_ = Component::Clock::now() + config_.shutdown_timeout;
      stop(i, drain_deadline_);
      runtime_.stop();
      return 1;
    }
  }
  log::info("parley started",
            {{"version", kVersion}, {"threads", threads_}, {"role", role_name(config_)}});

  const int signal = stop_requested.get_future().get();
  const auto deadline = Component::Clock::now() + config_.shutdown_timeout;
  drain_deadline_ = deadline;
  // Draining before saying so: whoever reads the log line then sees /readyz at 503.
  admission_.start_draining();
  log::info("draining",
            {{"signal", signal},
             {"shutdown_timeout_ms", static_cast<long long>(config_.shutdown_timeout.count())}});
  const auto incomplete = stop(components_.size(), deadline);
  runtime_.stop();
  if (!incomplete.empty()) {
    log::error("shutdown_timeout_ms reached before the drain completed",
               {{"incomplete", joined(incomplete)}});
    return 1;
  }
  log::info("stopped");
  return 0;
}

std::vector<std::string> App::stop(std::size_t started, Component::Clock::time_point deadline) {
  std::vector<std::string> incomplete;
  for (std::size_t i = started; i-- > 0;) {
    if (!components_[i]->stop(deadline)) incomplete.emplace_back(components_[i]->name());
  }
  return incomplete;
}

}  // namespace parley::app
