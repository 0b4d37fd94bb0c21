// The TalkJS REST API's reads (PLATFORMS.md): conversations, their messages and users, the
// app's secret key as a bearer token, the app id in the path. Writes: talkjs_writes.cpp.
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

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0;;) {
    const auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::optional<TalkJsTarget> target_of(const http::Request& request) {
  return talkjs_target(http::Router::wildcard(kRoute, request.path));
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

/// GET /v1/{appId}/conversations/{conversationId}[/messages], GET /v1/{appId}/users/{id}.
class ConversationEndpoint final : public ApiEndpoint {
 public:
  explicit ConversationEndpoint(Simulator& simulator) : ApiEndpoint(simulator, Platform::talkjs) {}

 private:
  std::optional<Call> classify(const http::Request& request) const override {
    const auto target = target_of(request);
    if (!target) return std::nullopt;
    switch (target->kind) {
      case TalkJsTarget::Kind::user:
        return Call{.name = call::kTalkJsUser};
      case TalkJsTarget::Kind::messages:
        return Call{.name = call::kTalkJsMessages, .conversation = "talkjs:" + target->id};
      case TalkJsTarget::Kind::conversation:
        break;
    }
    return Call{.name = call::kTalkJsConversation, .conversation = "talkjs:" + target->id};
  }

  http::Response answer(const http::Request& request, const Call&) override {
    const auto target = *target_of(request);
    if (auto refused = refuse_talkjs(simulator_, request, target.app)) return std::move(*refused);
    auto& talkjs = simulator_.state.talkjs();
    if (target.kind == TalkJsTarget::Kind::user) {
      const auto user = talkjs.user(target.id);
      if (!user) return json_error(404, "user '" + target.id + "': never PUT to this app");
      std::string body;
      append_talkjs_stored_user(body, *user);
      return json_ok(std::move(body));
    }
    const auto conversation = talkjs_conversation(target.app, target.id);
    const auto state = talkjs.conversation(target.id);
    if (target.kind == TalkJsTarget::Kind::conversation) {
      std::string body;
      append_talkjs_conversation(body, conversation, state, /*with_last_message=*/true);
      return json_ok(std::move(body));
    }
    const auto limit = parse_limit(http::query_parameter(request.query, "limit"));
    if (!limit) {
      return json_error(400, "limit: must be an integer from 1 to " + std::to_string(kMaxLimit));
    }
    return json_ok(talkjs_messages_json(conversation, state, *limit));
  }
};

}  // namespace

std::optional<TalkJsTarget> talkjs_target(std::string_view tail) {
  const auto parts = split(tail, '/');
  if (parts.size() < 3 || parts[0].empty() || parts[2].empty()) return std::nullopt;
  TalkJsTarget target{.app = decode_segment(parts[0]), .id = decode_segment(parts[2])};
  if (parts[1] == "users" && parts.size() == 3) {
    target.kind = TalkJsTarget::Kind::user;
  } else if (parts[1] == "conversations" && parts.size() == 3) {
    target.kind = TalkJsTarget::Kind::conversation;
  } else if (parts[1] == "conversations" && parts.size() == 4 && parts[3] == "messages") {
    target.kind = TalkJsTarget::Kind::messages;
  } else {
    return std::nullopt;
  }
  return target;
}

std::optional<http::Response> refuse_talkjs(Simulator& simulator, const http::Request& request,
                                            std::string_view app) {
  const auto& credentials = simulator.options.credentials;
  const auto secret = bearer_token(request);
  if (secret.empty()) return json_error(401, "Authorization: missing; send Bearer <secret key>");
  if (secret != credentials.talkjs_secret) {
    return json_error(401, "Authorization: not the app's secret key");
  }
  if (app != credentials.talkjs_app)
    return json_error(404, "appId: no app '" + std::string(app) + "'");
  return std::nullopt;
}

void add_talkjs_routes(http::Router& router, Simulator& simulator) {
  router.add(bhttp::verb::get, std::string(kRoute),
             std::make_shared<ConversationEndpoint>(simulator));
  add_talkjs_write_routes(router, simulator);
}

}  // namespace parley::sim
