#pragma once

// The one rule from an error to its answer: the HTTP status, whether and when to retry,
// and the `outcome` label of the webhook metrics. Pure functions.

#include <string_view>

#include "parley/common/error.hpp"

namespace parley::http {

/// The HTTP status answered for `code`.
unsigned http_status(Errc code);

/// Seconds a client should wait before retrying, or 0 when retrying cannot help.
unsigned retry_after_seconds(Errc code);

/// The `outcome` label of parley_webhooks_received_total for `code`.
std::string_view metric_outcome(Errc code);

}  // namespace parley::http
