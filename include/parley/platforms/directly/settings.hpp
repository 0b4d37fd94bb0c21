#pragma once

#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace parley::config {

class Section;

/// sources.<name> of a Directly account: who may edit its watch list, its API, its polling.
struct DirectlySource {
  static constexpr std::string_view kPlatform = "directly";
  static constexpr std::array<std::string_view, 4> kKeys = {"platform", "watch", "api", "poll"};
  struct Watch {
    std::vector<std::string> tokens;
    bool allow_unauthenticated = false;
  } watch;
  struct Api {
    std::string base_url, client_id, client_secret;
    std::string token_path = "oauth/token";
    std::string logout_path = "oauth/logout";
  } api;
  struct Poll {
    std::chrono::milliseconds interval{5000};  ///< between polls of one active question
    /// A question unchanged for long is polled less often, down to once per this.
    std::chrono::milliseconds max_interval{60000};
    unsigned max_requests_per_second = 50;    ///< toward Directly, per replica
    unsigned concurrency = 16;                ///< requests in flight toward Directly
    std::chrono::milliseconds timeout{5000};  ///< per request (connect, then exchange)
  } poll;

  /// Reads `source` (its keys already checked against kKeys); refuses a bad value.
  static DirectlySource read(const Section& source);
};

}  // namespace parley::config
