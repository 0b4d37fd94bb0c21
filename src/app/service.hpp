#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parley/common/result.hpp"
#include "parley/config/config.hpp"
#include "parley/kafka/producer.hpp"

namespace parley::app {

/// Why this build cannot serve `config` (a feature it lacks, a Kafka property librdkafka
/// refuses), naming the key; nullopt when it can. Shared by --check-config and serve().
std::optional<std::string> unservable(const config::Config& config);

/// What in `config` works but will refuse some requests (a body limit Kafka's message
/// limit cannot hold), each naming the keys. Printed by --check-config, logged by serve().
std::vector<std::string> warnings(const config::Config& config);

/// A producer for `config` against its Kafka (not "embedded"), for the CLI's commands.
Result<std::unique_ptr<kafka::KafkaProducer>, std::string> make_producer(
    const config::Config& config);

/// Runs parley with `config` until SIGTERM/SIGINT, then drains: /readyz turns 503, the
/// listener stops accepting, every in-flight request gets its Kafka-backed answer, the
/// producer is flushed. Returns the process exit code: 0 after a complete drain within
/// shutdown_timeout_ms, 1 when start-up failed or the drain ran out of time.
int serve(const config::Config& config);

}  // namespace parley::app
