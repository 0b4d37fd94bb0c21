// The /_sim/ routes tests and demos drive the simulator with. Never delayed, faulted
// or counted.
#include <limits>
#include <memory>

#include "control.hpp"
#include "json_out.hpp"
#include "routes.hpp"
#include "talkjs_data.hpp"

namespace parley::sim {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::string_view kQuestionsRoute = "/_sim/justanswer/questions/*";
constexpr std::string_view kTalkJsConversationsRoute = "/_sim/talkjs/conversations/*";
constexpr std::string_view kCaoVisitsRoute = "/_sim/cao/visits/*";
constexpr std::string_view kMessagesSuffix = "/messages";
constexpr std::int64_t kMaxRetryAfter = 86400;

/// The conversation id of `/_sim/<platform>/<things>/{id}/messages`, or nullopt.
std::optional<std::string> conversation_of(std::string_view route, std::string_view path) {
  auto tail = http::Router::wildcard(route, path);
  if (!tail.ends_with(kMessagesSuffix) || tail.size() == kMessagesSuffix.size()) return {};
  tail.remove_suffix(kMessagesSuffix.size());
  if (tail.find('/') != std::string_view::npos) return {};
  return decode_segment(tail);
}

std::optional<std::vector<Platform>> platforms_named(std::string_view name) {
  if (name == "all") return std::vector<Platform>(kPlatforms.begin(), kPlatforms.end());
  for (const auto platform : kPlatforms) {
    if (platform_name(platform) == name) return std::vector<Platform>{platform};
  }
  return std::nullopt;
}

Result<FaultRule, Error> read_rule(const sources::FieldReader& fields, unsigned retry_after_s) {
  auto status = fields.optional_integer("status");
  if (!status) return status.error();
  if (!status.value() || *status.value() < 400 || *status.value() > 599) {
    return sources::field_error("status", "is required: an HTTP status from 400 to 599");
  }
  auto count = bounded_integer(fields, "count", 1, -1, std::numeric_limits<int>::max());
  if (!count) return count.error();
  if (count.value() == 0)
    return sources::field_error("count", "must be -1 (until cleared) or >= 1");
  auto retry_after = bounded_integer(fields, "retry_after_s", retry_after_s, 0, kMaxRetryAfter);
  if (!retry_after) return retry_after.error();
  return FaultRule{.status = static_cast<unsigned>(*status.value()),
                   .remaining = static_cast<int>(count.value()),
                   .retry_after_s = static_cast<unsigned>(retry_after.value())};
}

// {"platform":"justanswer|cao|talkjs|directly|all","status":500,"count":3,"retry_after_s":1}, or
// {"platform":...,"clear":true}. "all" gives each platform its own `count`.
http::Response set_faults(Simulator& simulator, const http::Request& request) {
  auto object = sources::parse_object(request.body);
  if (!object) return bad_request(object.error());
  const sources::FieldReader fields(object.value());
  auto name = fields.required_string("platform");
  if (!name) return bad_request(name.error());
  const auto platforms = platforms_named(name.value());
  if (!platforms) {
    return bad_request(
        sources::field_error("platform", "must be justanswer, cao, talkjs, directly or all, got '" +
                                             std::string(name.value()) + "'"));
  }
  auto clear = optional_bool(fields, "clear", false);
  if (!clear) return bad_request(clear.error());
  if (clear.value()) {
    for (const auto platform : *platforms)
      simulator.faults.clear(platform);
    return done();
  }
  auto rule = read_rule(fields, simulator.options.retry_after_s);
  if (!rule) return bad_request(rule.error());
  for (const auto platform : *platforms)
    simulator.faults.set(platform, rule.value());
  return done();
}

// POST /_sim/justanswer/questions/{token}/messages {"text":"...","expert":true}
http::Response add_question_message(Simulator& simulator, const http::Request& request) {
  const auto found = conversation_of(kQuestionsRoute, request.path);
  if (!found) return json_error(404, "use POST /_sim/justanswer/questions/{token}/messages");
  const auto& question = *found;
  auto object = sources::parse_object(request.body);
  if (!object) return bad_request(object.error());
  const sources::FieldReader fields(object.value());
  auto text = fields.required_string("text", sources::kMaxTextBytes);
  if (!text) return bad_request(text.error());
  auto expert = optional_bool(fields, "expert", false);
  if (!expert) return bad_request(expert.error());
  const auto number = simulator.state.justanswer().add_message(
      question, AddedMessage{.text = std::string(text.value()), .expert = expert.value()});
  std::string body;
  {
    json::ObjectWriter answer(body);
    put_bool(answer, "ok", true);
    put_string(answer, "token", justanswer_message_token(question, number));
  }
  return json_ok(std::move(body));
}

// POST /_sim/talkjs/conversations/{id}/messages: the conversation's next generated message
// now exists upstream (no webhook is sent: that is the point).
http::Response add_talkjs_message(Simulator& simulator, const http::Request& request) {
  const auto id = conversation_of(kTalkJsConversationsRoute, request.path);
  if (!id) return json_error(404, "use POST /_sim/talkjs/conversations/{id}/messages");
  const auto message = simulator.state.talkjs().add_generated(
      talkjs_conversation(simulator.options.credentials.talkjs_app, *id));
  std::string body;
  {
    json::ObjectWriter answer(body);
    put_bool(answer, "ok", true);
    put_string(answer, "id", message.id);
  }
  return json_ok(std::move(body));
}

// POST /_sim/cao/visits/{VisitId}/messages: likewise for a CAO transcript.
http::Response add_cao_message(Simulator& simulator, const http::Request& request) {
  const auto visit = conversation_of(kCaoVisitsRoute, request.path);
  if (!visit) return json_error(404, "use POST /_sim/cao/visits/{VisitId}/messages");
  const auto message = simulator.state.cao().add_generated(*visit);
  std::string body;
  {
    json::ObjectWriter answer(body);
    put_bool(answer, "ok", true);
    put_string(answer, "MessageId", message.message_id);
  }
  return json_ok(std::move(body));
}

}  // namespace

http::Response done() {
  return json_ok(R"({"ok":true})");
}

http::Response bad_request(const Error& error) {
  return json_error(400, error.message);
}

Result<bool, Error> optional_bool(const sources::FieldReader& fields, std::string_view name,
                                  bool fallback) {
  auto member = fields.member(name);
  if (!member) return member.error();
  if (!member.value() || member.value()->is_null()) return fallback;
  bool value = false;
  if (member.value()->get_bool().get(value) != simdjson::SUCCESS) {
    return sources::field_error(name, "must be true or false");
  }
  return value;
}

Result<std::int64_t, Error> bounded_integer(const sources::FieldReader& fields,
                                            std::string_view name, std::int64_t fallback,
                                            std::int64_t min, std::int64_t max) {
  auto value = fields.optional_integer(name);
  if (!value) return value.error();
  const auto number = value.value().value_or(fallback);
  if (number < min || number > max) {
    return sources::field_error(
        name, "must be an integer from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return number;
}

void add_control_routes(http::Router& router, Simulator& simulator) {
  auto route = [&router](bhttp::verb method, std::string_view path,
                         ControlEndpoint::Handler handler) {
    router.add(method, std::string(path), std::make_shared<ControlEndpoint>(std::move(handler)));
  };
  route(bhttp::verb::get, "/_sim/stats",
        [&simulator](const http::Request&) { return json_ok(simulator.state.stats_json()); });
  route(bhttp::verb::post, "/_sim/faults",
        [&simulator](const http::Request& request) { return set_faults(simulator, request); });
  route(bhttp::verb::post, "/_sim/justanswer/expire-tokens", [&simulator](const http::Request&) {
    simulator.state.expire_tokens();
    return done();
  });
  route(bhttp::verb::post, kQuestionsRoute, [&simulator](const http::Request& request) {
    return add_question_message(simulator, request);
  });
  route(bhttp::verb::post, kTalkJsConversationsRoute, [&simulator](const http::Request& request) {
    return add_talkjs_message(simulator, request);
  });
  route(bhttp::verb::post, kCaoVisitsRoute,
        [&simulator](const http::Request& request) { return add_cao_message(simulator, request); });
  route(bhttp::verb::post, "/_sim/reset", [&simulator](const http::Request&) {
    simulator.state.reset();
    simulator.faults.reset();
    simulator.writes.reset();
    simulator.echoes.reset();
    return done();
  });
  add_directly_control_routes(router, simulator);
  add_write_control_routes(router, simulator);
}

}  // namespace parley::sim
