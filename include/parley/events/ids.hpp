#pragma once

#include <chrono>
#include <string>

namespace parley::events {

/// A UUIDv7 (RFC 9562): 48-bit Unix milliseconds then 74 random bits, so ids sort by
/// time and never repeat. For platforms whose webhooks carry no natural id.
/// Thread-safe (one generator per thread).
std::string make_uuid_v7(std::chrono::system_clock::time_point now);

}  // namespace parley::events
