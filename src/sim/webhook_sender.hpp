#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "options.hpp"
#include "parley/common/result.hpp"

namespace parley::sim {

using WebhookHeaders = std::vector<std::pair<std::string, std::string>>;

/// One webhook to post: its path on parley's ingest listener (before the address's base
/// path), its JSON body and the headers that authenticate it.
struct Webhook {
  std::string path;
  std::string body;
  WebhookHeaders headers;
};

struct WebhookReply {
  unsigned status;
  std::string reason;
  std::string body;
};

/// "/v1/webhooks/talkjs", ...: where parley receives each kind of webhook.
std::string_view webhook_path(WebhookKind kind);

/// X-TalkJS-Timestamp (now, unix ms) and X-TalkJS-Signature (uppercase hex HMAC-SHA256 of
/// "<timestamp>.<body>" with `secret`), as TalkJS signs its webhooks.
WebhookHeaders talkjs_signature(std::string_view secret, std::string_view body);

/// Posts `webhook` to `to` on a new connection with a 10 s deadline: the answer, or what
/// went wrong ("cannot connect to 127.0.0.1:8080: ..."). Runs on the caller's executor.
boost::asio::awaitable<Result<WebhookReply, std::string>> post_webhook(WebhookAddress to,
                                                                       Webhook webhook);

/// Posts the sample webhooks `options` asks for (for each of --count rounds, one per
/// platform), each on its own connection with a 10 s deadline. Prints every answer on
/// stdout as "<platform> #<n> POST <path> -> <status> <reason> <body>"; stops at the
/// first webhook that could not be delivered, naming the problem on stderr. Returns the
/// exit code: 0 when every webhook was answered 2xx, else 1.
int send_webhooks(const SendOptions& options);

}  // namespace parley::sim
