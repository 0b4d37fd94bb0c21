#pragma once

#include "parley/config/config.hpp"

namespace parley::app {

/// Runs parley with `config` until SIGTERM/SIGINT, then drains: /readyz turns 503, the
/// listener stops accepting, every in-flight request gets its Kafka-backed answer, the
/// producer is flushed. Returns the process exit code: 0 after a complete drain within
/// shutdown_timeout_ms, 1 when start-up failed or the drain ran out of time.
int serve(const config::Config& config);

}  // namespace parley::app
