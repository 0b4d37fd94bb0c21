#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "parley/common/cidr.hpp"

namespace parley::config {

class Section;

/// sources.<name> of a JustAnswer account (docs/operations.md, "Sources and accounts").
struct JustAnswerSource {
  static constexpr std::string_view kPlatform = "justanswer";
  static constexpr std::array<std::string_view, 3> kKeys = {"platform", "webhook", "api"};
  struct Webhook {
    std::vector<std::string> tokens;
    std::vector<std::string> hmac_secrets;
    std::vector<Cidr> allow_cidrs;
    bool allow_unauthenticated = false;
  } webhook;
  struct Api {
    std::string base_url, client_id, client_secret, api_key;
  } api;

  /// Reads `source` (its keys already checked against kKeys); refuses a bad value.
  static JustAnswerSource read(const Section& source);
};

}  // namespace parley::config
