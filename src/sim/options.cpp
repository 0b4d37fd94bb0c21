#include "options.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>
#include <map>
#include <optional>

namespace parley::sim {
namespace {

// A flag's setter: nullopt when the value was taken, else what is wrong with it.
using Setter = std::function<std::optional<std::string>(std::string_view)>;
using FlagTable = std::map<std::string, Setter, std::less<>>;

template <class Int>
std::optional<Int> parse_integer(std::string_view text) {
  Int value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

template <class Int>
Setter integer_flag(Int& out, Int min, Int max) {
  return [&out, min, max](std::string_view text) -> std::optional<std::string> {
    const auto value = parse_integer<Int>(text);
    if (!value || *value < min || *value > max) {
      return "must be an integer from " + std::to_string(min) + " to " + std::to_string(max) +
             ", got '" + std::string(text) + "'";
    }
    out = *value;
    return std::nullopt;
  };
}

Setter fraction_flag(double& out) {
  return [&out](std::string_view text) -> std::optional<std::string> {
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0 ||
        value > 1) {
      return "must be a number from 0 to 1, got '" + std::string(text) + "'";
    }
    out = value;
    return std::nullopt;
  };
}

Setter string_flag(std::string& out) {
  return [&out](std::string_view text) -> std::optional<std::string> {
    if (text.empty()) return "must not be empty";
    out = text;
    return std::nullopt;
  };
}

template <class Rep, class Period>
Setter duration_flag(std::chrono::duration<Rep, Period>& out, Rep max) {
  return [&out, max](std::string_view text) -> std::optional<std::string> {
    Rep value{};
    if (auto problem = integer_flag<Rep>(value, 0, max)(text)) return problem;
    out = std::chrono::duration<Rep, Period>(value);
    return std::nullopt;
  };
}

// "host:port" or "[v6]:port".
Setter listen_flag(ServeOptions& options) {
  return [&options](std::string_view text) -> std::optional<std::string> {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      return "must be host:port, got '" + std::string(text) + "'";
    }
    auto host = text.substr(0, colon);
    if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
    const auto port = parse_integer<std::uint16_t>(text.substr(colon + 1));
    if (host.empty() || !port) return "must be host:port, got '" + std::string(text) + "'";
    options.host = host;
    options.port = *port;
    return std::nullopt;
  };
}

Setter url_flag(WebhookAddress& to) {
  return [&to](std::string_view text) { return parse_webhook_url(text, to); };
}

Setter echo_to_flag(EchoTarget& echo) {
  return [&echo](std::string_view text) -> std::optional<std::string> {
    if (auto problem = parse_webhook_url(text, echo.to)) return problem;
    echo.enabled = true;
    return std::nullopt;
  };
}

Setter platform_flag(SendOptions& options) {
  return [&options](std::string_view text) -> std::optional<std::string> {
    static const std::map<std::string_view, std::vector<WebhookKind>> kPlatforms = {
        {"all",
         {WebhookKind::justanswer, WebhookKind::cao_messages, WebhookKind::cao_receipts,
          WebhookKind::talkjs}},
        {"justanswer", {WebhookKind::justanswer}},
        {"cao-messages", {WebhookKind::cao_messages}},
        {"cao-receipts", {WebhookKind::cao_receipts}},
        {"talkjs", {WebhookKind::talkjs}}};
    const auto found = kPlatforms.find(text);
    if (found == kPlatforms.end()) {
      return "must be all, justanswer, cao-messages, cao-receipts or talkjs, got '" +
             std::string(text) + "'";
    }
    options.kinds = found->second;
    return std::nullopt;
  };
}

FlagTable serve_flags(ServeOptions& o) {
  auto& c = o.credentials;
  return {
      {"--listen", listen_flag(o)},
      {"--latency-ms", duration_flag(o.latency, std::chrono::milliseconds::rep{600000})},
      {"--error-rate", fraction_flag(o.error_rate)},
      {"--throttle-rate", fraction_flag(o.throttle_rate)},
      {"--retry-after-s", integer_flag(o.retry_after_s, 0u, 86400u)},
      {"--token-ttl-s", duration_flag(o.token_ttl, std::chrono::seconds::rep{31536000})},
      {"--seed", integer_flag(o.seed, std::uint64_t{0}, std::numeric_limits<std::uint64_t>::max())},
      {"--ja-client-id", string_flag(c.ja_client_id)},
      {"--ja-client-secret", string_flag(c.ja_client_secret)},
      {"--ja-api-key", string_flag(c.ja_api_key)},
      {"--cao-api-key", string_flag(c.cao_api_key)},
      {"--talkjs-app", string_flag(c.talkjs_app)},
      {"--talkjs-secret", string_flag(c.talkjs_secret)},
      {"--directly-client-id", string_flag(c.directly_client_id)},
      {"--directly-client-secret", string_flag(c.directly_client_secret)},
      {"--echo-to", echo_to_flag(o.echo)},
      {"--echo-ja-token", string_flag(o.echo.ja_token)},
      {"--echo-cao-key", string_flag(o.echo.cao_key)},
      {"--echo-talkjs-secret", string_flag(o.echo.talkjs_secret)},
      {"--echo-delay-ms", duration_flag(o.echo.delay, std::chrono::milliseconds::rep{600000})}};
}

FlagTable send_flags(SendOptions& o) {
  return {{"--to", url_flag(o.to)},
          {"--platform", platform_flag(o)},
          {"--conversation", string_flag(o.conversation)},
          {"--count", integer_flag(o.count, 1u, 1000000u)},
          {"--ja-token", string_flag(o.ja_token)},
          {"--cao-key", string_flag(o.cao_key)},
          {"--talkjs-secret", string_flag(o.talkjs_secret)},
          {"--talkjs-app", string_flag(o.talkjs_app)}};
}

// Applies "--flag value" and "--flag=value" pairs through `flags`.
std::optional<std::string> apply_flags(std::span<const std::string_view> args,
                                       const FlagTable& flags, std::string_view mode) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string_view name = args[i];
    std::optional<std::string_view> value;
    if (const auto eq = name.find('='); name.starts_with("--") && eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const auto flag = flags.find(name);
    if (flag == flags.end()) {
      return std::string(name) + ": unknown " + std::string(mode) + " flag (see --help)";
    }
    if (!value) {
      if (i + 1 >= args.size()) return std::string(name) + ": needs a value";
      value = args[++i];
    }
    if (auto problem = flag->second(*value)) return std::string(name) + ": " + *problem;
  }
  return std::nullopt;
}

Result<Command, std::string> parse_serve(std::span<const std::string_view> args) {
  ServeOptions options;
  if (auto problem = apply_flags(args, serve_flags(options), "serve")) return *problem;
  if (options.error_rate + options.throttle_rate > 1.0) {
    return std::string("--error-rate + --throttle-rate: must not exceed 1");
  }
  return Command(std::move(options));
}

bool is_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

Result<Command, std::string> parse_send(std::span<const std::string_view> args) {
  SendOptions options;
  if (auto problem = apply_flags(args, send_flags(options), "send")) return *problem;
  const bool sends_cao = std::ranges::any_of(options.kinds, [](WebhookKind kind) {
    return kind == WebhookKind::cao_messages || kind == WebhookKind::cao_receipts;
  });
  if (sends_cao && !options.conversation.empty() && !is_digits(options.conversation)) {
    return "--conversation: a CAO VisitId is digits, got '" + options.conversation + "'";
  }
  return Command(std::move(options));
}

}  // namespace

// parley-sim speaks plain HTTP only.
std::optional<std::string> parse_webhook_url(std::string_view text, WebhookAddress& to) {
  constexpr std::string_view kScheme = "http://";
  if (!text.starts_with(kScheme)) {
    return "must be an http:// URL (plain HTTP only), got '" + std::string(text) + "'";
  }
  auto rest = text.substr(kScheme.size());
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  auto path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  while (path.ends_with('/'))
    path.remove_suffix(1);
  const auto colon = authority.rfind(':');
  const auto host = authority.substr(0, colon);
  std::optional<std::uint16_t> port = 80;
  if (colon != std::string_view::npos)
    port = parse_integer<std::uint16_t>(authority.substr(colon + 1));
  if (host.empty() || !port || *port == 0) {
    return "must be http://host[:port][/path], got '" + std::string(text) + "'";
  }
  to.host = host;
  to.port = *port;
  to.base_path = path;
  return std::nullopt;
}

Result<Command, std::string> parse_command_line(std::span<const std::string_view> args) {
  for (const auto arg : args) {
    if (arg == "--help" || arg == "-h") return Command(HelpRequested{});
  }
  if (!args.empty() && args.front() == "send") return parse_send(args.subspan(1));
  if (!args.empty() && args.front() == "serve") return parse_serve(args.subspan(1));
  return parse_serve(args);
}

std::string usage() {
  return R"(parley-sim: simulated JustAnswer, CAO, TalkJS and Directly REST APIs, and a sample-webhook
sender.

parley-sim [serve] [flags]        serve the simulated APIs
  --listen HOST:PORT              127.0.0.1:8090; port 0 picks a free port
  --latency-ms N                  delay every API answer by N ms (0)
  --error-rate F                  fraction of data calls answered 500 (0.0)
  --throttle-rate F               fraction of data calls answered 429 (0.0)
  --retry-after-s N               Retry-After of those 429s (1)
  --token-ttl-s N                 JustAnswer and Directly token lifetime (86400)
  --seed N                        seed of the fault PRNG (1)
  --ja-client-id ID               dev-ja-client
  --ja-client-secret SECRET       dev-ja-secret
  --ja-api-key KEY                dev-ja-api-key
  --cao-api-key KEY               dev-cao-key
  --talkjs-app APP                devapp
  --talkjs-secret SECRET          dev-talkjs-secret
  --directly-client-id ID         dev-directly-client
  --directly-client-secret SECRET dev-directly-secret
  --echo-to URL                   after each committed write, post the webhook the platform
                                  would send back to parley at URL (off): a CAO receipt after
                                  Start and SendMessage, a TalkJS message.sent per posted
                                  message, a JustAnswer notification after a message post
  --echo-ja-token TOKEN           dev-token (X-Parley-Token of JustAnswer echoes)
  --echo-cao-key KEY              dev-cao-key (Authorization: Basic of CAO echoes)
  --echo-talkjs-secret SECRET     dev-talkjs-secret (signs TalkJS echoes as send does)
  --echo-delay-ms N               wait N ms after the write before posting its echo (50)
  Prints "listening=HOST:PORT" on stdout once it accepts connections; logs go to stderr.
  Control: GET /_sim/stats, POST /_sim/faults, POST /_sim/reset,
  POST /_sim/justanswer/expire-tokens, POST /_sim/justanswer/questions/{token}/messages,
  POST /_sim/talkjs/conversations/{id}/messages, POST /_sim/cao/visits/{VisitId}/messages
  (a message appears upstream with no webhook: what reconciliation and backfill find),
  GET /_sim/directly/questions/{uuid}, POST /_sim/directly/questions/{uuid}/ACTION where
  ACTION is respond|message|accept|close|expire|reroute|play (Directly has no webhooks:
  these change what polls of GET /questions/{uuid} see).
  Writes (commands): every write route (JustAnswer questions/post, messages, accept,
  feedback, view; CAO Start, SendMessage; TalkJS PUT conversation, POST messages, PUT user;
  Directly POST /questions, /responses/{uuid}/accept) changes what later reads return.
  GET /_sim/writes[?platform=P&route=R] lists them in arrival order (committed or not);
  POST /_sim/write-faults {"platform","route","mode","remaining","status","retry_after_s",
  "delay_ms"} fails the next writes of one route (modes refuse, commit_then_500,
  commit_then_drop, commit_then_late, failure_body, throttle, unauthorized; "clear" or
  DELETE /_sim/write-faults clears); POST /_sim/echo {"to","ja_token","cao_key",
  "talkjs_secret","delay_ms"} / DELETE /_sim/echo sets / stops echoes, GET /_sim/echo
  shows the target and the echoes sent.

parley-sim send [flags]           post signed sample webhooks to a running parley
  --to URL                        http://127.0.0.1:8080
  --platform P                    all|justanswer|cao-messages|cao-receipts|talkjs (all)
  --conversation ID               question token / VisitId / conversation id (each
                                  platform's default when absent)
  --count N                       webhooks per platform, each distinct (1)
  --ja-token TOKEN                dev-token (X-Parley-Token)
  --cao-key KEY                   dev-cao-key (Authorization: Basic)
  --talkjs-secret SECRET          dev-talkjs-secret (X-TalkJS-Signature)
  --talkjs-app APP                devapp
  Exits 0 only when every webhook was answered 2xx.

Exit codes: 0 success, 1 failure, 2 bad command line.
)";
}

}  // namespace parley::sim
