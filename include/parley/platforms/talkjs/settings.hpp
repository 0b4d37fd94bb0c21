#pragma once

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace parley::config {

class Section;

/// sources.<name> of one TalkJS app.
struct TalkJsSource {
  static constexpr std::string_view kPlatform = "talkjs";
  static constexpr std::array<std::string_view, 3> kKeys = {"platform", "webhook", "api"};
  struct Webhook {
    std::vector<std::string> secret_keys;
    std::chrono::seconds max_skew{300};
    bool allow_unauthenticated = false;
    /// extension: TalkJS user role -> author role (customer|expert|agent|system);
    /// unlisted roles are customers
    std::map<std::string, std::string> roles;
  } webhook;
  struct Api {
    std::string base_url = "https://api.talkjs.com";
    std::string app_id, secret_key;
  } api;

  /// Reads `source` (its keys already checked against kKeys); refuses a bad value.
  static TalkJsSource read(const Section& source);
};

}  // namespace parley::config
