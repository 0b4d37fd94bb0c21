// The /_sim/directly/ routes: Directly sends no webhooks, so tests and demos change its
// questions here and parley sees the changes by polling GET /questions/{uuid}.
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

#include "control.hpp"
#include "directly_state.hpp"
#include "json_out.hpp"
#include "parley/log/log.hpp"

namespace parley::sim {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using Kind = DirectlyChange::Kind;

constexpr std::string_view kRoute = "/_sim/directly/questions/*";
constexpr std::string_view kActions = "respond, message, accept, close, expire, reroute or play";
constexpr std::int64_t kDefaultStepMs = 1000;
constexpr std::int64_t kMinStepMs = 10;
constexpr std::int64_t kMaxStepMs = 60000;

struct Target {
  std::string uuid;
  std::string_view action;  ///< empty for the question itself
};

// "{uuid}" or "{uuid}/{action}"; the error answer when the uuid is not one.
Result<Target, http::Response> target_of(const http::Request& request) {
  const auto tail = http::Router::wildcard(kRoute, request.path);
  const auto slash = tail.find('/');
  const auto segment = decode_segment(tail.substr(0, slash));
  const auto action = slash == std::string_view::npos ? std::string_view{} : tail.substr(slash + 1);
  auto uuid = directly_uuid(segment);
  if (!uuid) {
    return json_error(
        400, "uuid: must be a question uuid (8-4-4-4-12 hex digits), got '" + segment + "'");
  }
  return Target{std::move(*uuid), action};
}

// The body's members; an empty body is an empty object (every member is optional).
Result<simdjson::dom::object, Error> body_object(const http::Request& request) {
  static const std::string kEmpty = "{}";
  const bool blank = request.body.find_first_not_of(" \t\r\n") == std::string::npos;
  return sources::parse_object(blank ? kEmpty : request.body);
}

// A non-empty string member, or nullopt when absent or null.
Result<std::optional<std::string>, Error> optional_text(const sources::FieldReader& fields,
                                                        std::string_view name,
                                                        std::size_t max_bytes) {
  auto value = fields.optional_string(name, max_bytes);
  if (!value) return value.error();
  if (!value.value()) return std::optional<std::string>();
  if (value.value()->empty()) return sources::field_error(name, "must not be empty");
  return std::optional<std::string>(*value.value());
}

// Respond's {"expert":"name","body":"text"} or message's {"from":"user|expert","body":...}.
Result<DirectlyChange, Error> read_change(Kind kind, const http::Request& request) {
  DirectlyChange change{.kind = kind};
  if (kind != Kind::respond && kind != Kind::message) return change;
  auto object = body_object(request);
  if (!object) return object.error();
  const sources::FieldReader fields(object.value());
  auto body = optional_text(fields, "body", sources::kMaxTextBytes);
  if (!body) return body.error();
  change.body = std::move(body).value();
  if (kind == Kind::respond) {
    auto expert = optional_text(fields, "expert", sources::kMaxIdBytes);
    if (!expert) return expert.error();
    change.name = std::move(expert).value();
    return change;
  }
  auto from = fields.required_string("from");
  if (!from) return from.error();
  if (from.value() != "user" && from.value() != "expert") {
    return sources::field_error("from",
                                "must be user or expert, got '" + std::string(from.value()) + "'");
  }
  change.from_expert = from.value() == "expert";
  return change;
}

std::optional<Kind> kind_named(std::string_view action) {
  static constexpr std::array<std::pair<std::string_view, Kind>, 6> kKinds = {{
      {"respond", Kind::respond},
      {"message", Kind::message},
      {"accept", Kind::accept},
      {"close", Kind::close},
      {"expire", Kind::expire},
      {"reroute", Kind::reroute},
  }};
  for (const auto& [name, kind] : kKinds) {
    if (name == action) return kind;
  }
  return std::nullopt;
}

http::Response changed_answer(const DirectlyChanged& changed) {
  std::string body;
  {
    json::ObjectWriter answer(body);
    put_bool(answer, "ok", true);
    answer.string("response", changed.response);
    answer.string("message", changed.message);
  }
  return json_ok(std::move(body));
}

// A question's evolution: answered, a user's reply, the expert's, accepted, closed.
const std::array<DirectlyChange, 5>& play_steps() {
  static const std::array<DirectlyChange, 5> kSteps = {
      DirectlyChange{.kind = Kind::respond},
      DirectlyChange{.kind = Kind::message, .from_expert = false},
      DirectlyChange{.kind = Kind::message, .from_expert = true},
      DirectlyChange{.kind = Kind::accept}, DirectlyChange{.kind = Kind::close}};
  return kSteps;
}

// One step every `step` on an asio timer. Stops at the first step that cannot apply
// (the question was closed or the simulator reset meanwhile) or when the io_context stops.
asio::awaitable<void> play(DirectlyState& directly, std::string uuid,
                           std::chrono::milliseconds step, std::uint64_t generation) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (const auto& change : play_steps()) {
    timer.expires_after(step);
    const auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    const auto changed = directly.change(uuid, change, directly_now(), generation);
    if (!changed) {
      log::info("directly play stopped", {{"question", uuid}, {"reason", changed.error().message}});
      co_return;
    }
  }
}

// POST .../play {"step_ms":N}: answers at once; the steps run on the io_context.
http::Response start_play(Simulator& simulator, const Target& target, const http::Request& request,
                          const asio::any_io_executor& executor) {
  auto object = body_object(request);
  if (!object) return bad_request(object.error());
  auto step = bounded_integer(sources::FieldReader(object.value()), "step_ms", kDefaultStepMs,
                              kMinStepMs, kMaxStepMs);
  if (!step) return bad_request(step.error());
  auto& directly = simulator.state.directly();
  auto generation = directly.start_play(target.uuid, directly_now());
  if (!generation) return json_error(409, generation.error().message);
  asio::co_spawn(
      executor,
      play(directly, target.uuid, std::chrono::milliseconds(step.value()), generation.value()),
      asio::detached);
  std::string body;
  {
    json::ObjectWriter answer(body);
    put_bool(answer, "ok", true);
    put_int(answer, "steps", static_cast<long long>(play_steps().size()));
  }
  return json_ok(std::move(body));
}

http::Response post_action(Simulator& simulator, const http::Request& request,
                           const asio::any_io_executor& executor) {
  auto target = target_of(request);
  if (!target) return target.error();
  const auto& [uuid, action] = target.value();
  if (action == "play") return start_play(simulator, target.value(), request, executor);
  const auto kind = kind_named(action);
  if (!kind) {
    return json_error(404, "use POST /_sim/directly/questions/{uuid}/ACTION, ACTION being " +
                               std::string(kActions));
  }
  auto change = read_change(*kind, request);
  if (!change) return bad_request(change.error());
  auto changed = simulator.state.directly().change(uuid, change.value(), directly_now());
  if (!changed) return json_error(409, changed.error().message);
  return changed_answer(changed.value());
}

http::Response get_question(Simulator& simulator, const http::Request& request) {
  auto target = target_of(request);
  if (!target) return target.error();
  if (!target.value().action.empty()) {
    return json_error(404, "use GET /_sim/directly/questions/{uuid}");
  }
  auto data = simulator.state.directly().question_json(target.value().uuid);
  if (!data) return json_error(404, "question " + target.value().uuid + ": does not exist");
  return json_ok(std::move(*data));
}

}  // namespace

void add_directly_control_routes(http::Router& router, Simulator& simulator) {
  router.add(bhttp::verb::get, std::string(kRoute),
             std::make_shared<ControlEndpoint>(
                 ControlEndpoint::Handler([&simulator](const http::Request& request) {
                   return get_question(simulator, request);
                 })));
  router.add(bhttp::verb::post, std::string(kRoute),
             std::make_shared<ControlEndpoint>(ControlEndpoint::SpawningHandler(
                 [&simulator](const http::Request& request, const asio::any_io_executor& executor) {
                   return post_action(simulator, request, executor);
                 })));
}

}  // namespace parley::sim
