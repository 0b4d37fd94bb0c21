#pragma once

#include <string_view>

#include "parley/common/error.hpp"

namespace parley::kafka {

/// What a Kafka error means for the record that met it: the one rule every caller applies
/// (the webhook endpoint, enrichment and Directly publishing, the spool forwarder, commands).
enum class Disposition {
  /// Kafka is away for a while (unreachable, no ack in time, a leader moving): the record
  /// is fine. A caller with a spool spools it; others answer 503 + Retry-After or retry.
  spool,
  /// Kafka refuses this service (authorization, a missing topic) until an operator acts:
  /// the record is fine, and every record meets the same refusal. Answered 500 to a sender
  /// (it retries later); background stages hold and retry, in order, rather than skip.
  retry,
  /// Kafka refuses this record for good (too large, invalid): the same bytes fail on every
  /// try. Answered 413/400 to a sender; a background stage sets it aside (the spool's
  /// quarantine, the dead-letter topic) and goes on with the records behind it.
  give_up,
};

/// The disposition of `error` (a kafka::Errc; any other error counts as retry). Pure.
Disposition disposition(const Error& error);

std::string_view to_string(Disposition disposition);

}  // namespace parley::kafka
