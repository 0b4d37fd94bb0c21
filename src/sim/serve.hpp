#pragma once

#include "options.hpp"

namespace parley::sim {

/// Serves the simulated APIs until SIGTERM or SIGINT, on two I/O threads. Prints
/// "listening=<host>:<port>" on stdout once accepting. Returns the exit code: 0 after a
/// signal, 1 when the address cannot be bound.
int serve(const ServeOptions& options);

}  // namespace parley::sim
