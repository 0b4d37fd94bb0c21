// The TalkJS REST API's conversation reads (PLATFORMS.md): the app's secret key as a
// bearer token, the app id in the path.
#include <charconv>
#include <memory>
#include <vector>

#include "parley/http/router.hpp"
#include "routes.hpp"
#include "talkjs_data.hpp"

namespace parley::sim {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kRoute = "/v1/*";
constexpr std::size_t kDefaultLimit = 10;  // TalkJS's default page size
constexpr std::size_t kMaxLimit = 100;

struct Target {
  std::string app;
  std::string conversation;
  bool messages;  ///< .../messages rather than the conversation itself
};

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// "{app}/conversations/{id}" or "{app}/conversations/{id}/messages".
std::optional<Target> target_of(const http::Request& request) {
  const auto parts = split(http::Router::wildcard(kRoute, request.path), '/');
  const bool conversation = parts.size() == 3;
  const bool messages = parts.size() == 4 && parts[3] == "messages";
  if ((!conversation && !messages) || parts[1] != "conversations" || parts[0].empty() ||
      parts[2].empty()) {
    return std::nullopt;
  }
  return Target{decode_segment(parts[0]), decode_segment(parts[2]), messages};
}

std::optional<std::size_t> parse_limit(std::string_view text) {
  if (text.empty()) return kDefaultLimit;
  std::size_t limit = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
  if (error != std::errc() || end != text.data() + text.size() || limit < 1 || limit > kMaxLimit) {
    return std::nullopt;
  }
  return limit;
}

/// GET /v1/{appId}/conversations/{conversationId}[/messages].
class ConversationEndpoint final : public ApiEndpoint {
 public:
  explicit ConversationEndpoint(Simulator& simulator) : ApiEndpoint(simulator, Platform::talkjs) {}

 private:
  std::optional<Call> classify(const http::Request& request) const override {
    const auto target = target_of(request);
    if (!target) return std::nullopt;
    return Call{.name = target->messages ? call::kTalkJsMessages : call::kTalkJsConversation,
                .conversation = "talkjs:" + target->conversation};
  }

  http::Response answer(const http::Request& request, const Call&) override {
    const auto& credentials = simulator_.options.credentials;
    const auto secret = bearer_token(request);
    if (secret.empty()) return json_error(401, "Authorization: missing; send Bearer <secret key>");
    if (secret != credentials.talkjs_secret) {
      return json_error(401, "Authorization: not the app's secret key");
    }
    const auto target = *target_of(request);
    if (target.app != credentials.talkjs_app) {
      return json_error(404, "appId: no app '" + target.app + "'");
    }
    const auto conversation = talkjs_conversation(target.app, target.conversation);
    const auto added = simulator_.state.added_count("talkjs:" + target.conversation);
    if (!target.messages) {
      std::string body;
      append_talkjs_conversation(body, conversation, /*with_last_message=*/true, added);
      return json_ok(std::move(body));
    }
    const auto limit = parse_limit(http::query_parameter(request.query, "limit"));
    if (!limit) {
      return json_error(400, "limit: must be an integer from 1 to " + std::to_string(kMaxLimit));
    }
    return json_ok(talkjs_messages_json(conversation, *limit, added));
  }
};

}  // namespace

void add_talkjs_routes(http::Router& router, Simulator& simulator) {
  router.add(bhttp::verb::get, std::string(kRoute),
             std::make_shared<ConversationEndpoint>(simulator));
}

}  // namespace parley::sim
