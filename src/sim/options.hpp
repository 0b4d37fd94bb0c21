#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "parley/common/result.hpp"

namespace parley::sim {

/// The credentials the simulated APIs accept; the defaults match config/dev.yaml.
struct ApiCredentials {
  std::string ja_client_id = "dev-ja-client";
  std::string ja_client_secret = "dev-ja-secret";
  std::string ja_api_key = "dev-ja-api-key";
  std::string cao_api_key = "dev-cao-key";
  std::string talkjs_app = "devapp";
  std::string talkjs_secret = "dev-talkjs-secret";
  std::string directly_client_id = "dev-directly-client";
  std::string directly_client_secret = "dev-directly-secret";
};

/// `parley-sim [serve]`: the simulated REST APIs.
struct ServeOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8090;  ///< 0 picks a free port
  std::chrono::milliseconds latency{0};
  double error_rate = 0.0;                ///< fraction of data calls answered 500
  double throttle_rate = 0.0;             ///< fraction of data calls answered 429
  unsigned retry_after_s = 1;             ///< Retry-After of random 429s
  std::chrono::seconds token_ttl{86400};  ///< of JustAnswer's and Directly's tokens
  std::uint64_t seed = 1;
  ApiCredentials credentials;
};

/// The webhooks `send` can post, one per parley webhook endpoint.
enum class WebhookKind { justanswer, cao_messages, cao_receipts, talkjs };

/// `parley-sim send`: sample webhooks posted to a running parley.
struct SendOptions {
  std::string host = "127.0.0.1";  ///< from --to
  std::uint16_t port = 8080;
  std::string base_path;  ///< --to's path without a trailing '/', usually empty
  std::vector<WebhookKind> kinds = {WebhookKind::justanswer, WebhookKind::cao_messages,
                                    WebhookKind::cao_receipts, WebhookKind::talkjs};
  std::string conversation;  ///< empty: each platform's default conversation
  unsigned count = 1;
  std::string ja_token = "dev-token";
  std::string cao_key = "dev-cao-key";
  std::string talkjs_secret = "dev-talkjs-secret";
  std::string talkjs_app = "devapp";
};

/// `--help` anywhere on the command line.
struct HelpRequested {};

using Command = std::variant<ServeOptions, SendOptions, HelpRequested>;

/// Parses the arguments after the program name. The error names the flag or value that
/// is wrong ("--error-rate: must be a number between 0 and 1, got 'x'").
Result<Command, std::string> parse_command_line(std::span<const std::string_view> args);

/// The --help text.
std::string usage();

}  // namespace parley::sim
