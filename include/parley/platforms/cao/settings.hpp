#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace parley::config {

class Section;

/// sources.<name> of a ContactAtOnce! account: its region is its api.base_url.
struct CaoSource {
  static constexpr std::string_view kPlatform = "cao";
  static constexpr std::array<std::string_view, 3> kKeys = {"platform", "webhook", "api"};
  struct Webhook {
    std::vector<std::string> api_keys;
    bool allow_unauthenticated = false;
  } webhook;
  struct Api {
    std::string base_url, api_key;
  } api;

  /// Reads `source` (its keys already checked against kKeys); refuses a bad value.
  static CaoSource read(const Section& source);
};

}  // namespace parley::config
