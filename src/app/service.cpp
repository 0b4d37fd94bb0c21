#include "service.hpp"

#include <boost/asio/io_context.hpp>

#include <cstdlib>
#include <future>
#include <thread>

#include "app.hpp"
#include "parley/http/server.hpp"
#include "parley/log/log.hpp"
#include "parley/version.hpp"
#include "wiring.hpp"

namespace parley::app {

namespace asio = boost::asio;

namespace {
/// How long the Kafka clients get to end after the drain: the consumers' socket.timeout.ms.
constexpr auto kTeardownGrace = std::chrono::seconds(10);
}  // namespace

std::optional<std::string> unservable(const config::Config& config) {
  if (runs_enrichment(config)) {
    asio::io_context io;
    if (auto apis = platform_apis(config, io.get_executor()); !apis) return apis.error();
  }
  if (runs_commands(config)) {
    asio::io_context io;
    if (auto senders = command_senders(config, io.get_executor(), true); !senders) {
      return senders.error();
    }
  }
  for (const auto* source : polled_directly_sources(config)) {
    asio::io_context io;
    if (auto api = directly_api(*source, io.get_executor()); !api) return api.error();
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
  if (auto problem = ensure_descriptor_limit(config)) {
    log::error("cannot serve this configuration", {{"error", *problem}});
    return 1;
  }
  auto app = App::build(config);
  if (!app) {
    log::error("cannot start", {{"error", app.error()}});
    return 1;
  }
  const int code = app.value()->run();
  const auto teardown_deadline = app.value()->drain_deadline() + kTeardownGrace;
  // Destroying a librdkafka handle waits for its requests in flight, and a broker that
  // stopped answering holds some for minutes (a JoinGroup waits max.poll.interval.ms).
  // By now every request was answered and what is not committed is read again, so past
  // the consumers' socket.timeout.ms after the drain the process ends without them.
  std::promise<void> released;
  auto torn_down = released.get_future();
  std::thread teardown([&app, &released] {
    app.value().reset();
    released.set_value();
  });
  if (torn_down.wait_until(teardown_deadline) != std::future_status::ready) {
    log::warn("kafka clients still waiting for unanswered requests; exiting without them",
              {{"exit_code", code}});
    std::_Exit(code);
  }
  teardown.join();
  return code;
}

}  // namespace parley::app
