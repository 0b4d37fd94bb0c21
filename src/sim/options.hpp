#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
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

/// Where webhooks are posted: a running parley's ingest listener, plain HTTP.
struct WebhookAddress {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string base_path;  ///< the URL's path without a trailing '/', usually empty
};

/// Parses "http://host[:port][/base]" into `to`; what is wrong with it otherwise.
std::optional<std::string> parse_webhook_url(std::string_view text, WebhookAddress& to);

/// Where `serve` sends echo webhooks (what a platform sends back after a write) and the
/// credentials parley's sources check, as `send` uses them. Off while `enabled` is false.
struct EchoTarget {
  bool enabled = false;
  WebhookAddress to;
  std::string ja_token = "dev-token";
  std::string cao_key = "dev-cao-key";
  std::string talkjs_secret = "dev-talkjs-secret";
  std::chrono::milliseconds delay{50};  ///< after the write's answer was computed
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
  EchoTarget echo;  ///< --echo-to and its credentials
};

/// The webhooks `send` can post, one per parley webhook endpoint.
enum class WebhookKind { justanswer, cao_messages, cao_receipts, talkjs };

/// `parley-sim send`: sample webhooks posted to a running parley.
struct SendOptions {
  WebhookAddress to;  ///< --to
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
