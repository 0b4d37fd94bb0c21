// The /_sim/ routes about writes: the record of write requests, the write faults per
// route, and where echo webhooks go.
#include <limits>
#include <memory>

#include "control.hpp"
#include "json_out.hpp"

namespace parley::sim {
namespace {

namespace bhttp = boost::beast::http;

constexpr std::int64_t kMaxRetryAfter = 86400;
constexpr std::int64_t kMaxDelayMs = 600000;

std::optional<Platform> platform_of(std::string_view name) {
  for (const auto platform : kPlatforms) {
    if (platform_name(platform) == name) return platform;
  }
  return std::nullopt;
}

// GET /_sim/writes[?platform=P][&route=R]
http::Response list_writes(Simulator& simulator, const http::Request& request) {
  const auto platform_text = http::query_parameter(request.query, "platform");
  const auto route = http::query_parameter(request.query, "route");
  std::optional<Platform> platform;
  if (!platform_text.empty()) {
    platform = platform_of(platform_text);
    if (!platform) {
      return json_error(400, "platform: must be justanswer, cao, talkjs or directly, got '" +
                                 platform_text + "'");
    }
  }
  return json_ok(simulator.writes.json(
      platform, route.empty() ? std::nullopt : std::optional<std::string_view>(route)));
}

// {"platform":...,"route":...}: a write route, named in the error when it is not one.
Result<std::pair<Platform, std::string>, Error> write_route_of(const sources::FieldReader& fields) {
  auto name = fields.required_string("platform");
  if (!name) return name.error();
  const auto platform = platform_of(name.value());
  if (!platform) {
    return sources::field_error("platform", "must be justanswer, cao, talkjs or directly, got '" +
                                                std::string(name.value()) + "'");
  }
  auto route = fields.required_string("route");
  if (!route) return route.error();
  if (!is_write_route(*platform, route.value())) {
    return sources::field_error("route", "'" + std::string(route.value()) +
                                             "' is not a write route of " +
                                             std::string(name.value()) + " (see routes.hpp)");
  }
  return std::pair{*platform, std::string(route.value())};
}

Result<WriteFault, Error> read_write_fault(const sources::FieldReader& fields,
                                           WriteFaultMode mode) {
  auto remaining = bounded_integer(fields, "remaining", 1, -1, std::numeric_limits<int>::max());
  if (!remaining) return remaining.error();
  if (remaining.value() == 0) {
    return sources::field_error("remaining", "must be -1 (until cleared) or >= 1");
  }
  auto status = bounded_integer(fields, "status", 0, 0, 599);
  if (!status) return status.error();
  if (status.value() != 0 && status.value() < 400) {
    return sources::field_error("status", "must be an HTTP status from 400 to 599");
  }
  auto retry_after = bounded_integer(fields, "retry_after_s", 1, 0, kMaxRetryAfter);
  if (!retry_after) return retry_after.error();
  auto delay = bounded_integer(fields, "delay_ms", 5000, 0, kMaxDelayMs);
  if (!delay) return delay.error();
  return WriteFault{.mode = mode,
                    .remaining = static_cast<int>(remaining.value()),
                    .status = static_cast<unsigned>(status.value()),
                    .retry_after_s = static_cast<unsigned>(retry_after.value()),
                    .delay = std::chrono::milliseconds(delay.value())};
}

// POST /_sim/write-faults {"platform","route","mode",...}; {"mode":"clear"} clears the
// route's rule (or, without platform and route, every rule).
http::Response set_write_fault(Simulator& simulator, const http::Request& request) {
  auto object = sources::parse_object(request.body);
  if (!object) return bad_request(object.error());
  const sources::FieldReader fields(object.value());
  auto mode_name = fields.required_string("mode");
  if (!mode_name) return bad_request(mode_name.error());
  auto platform_member = fields.member("platform");
  if (!platform_member) return bad_request(platform_member.error());
  if (mode_name.value() == "clear" && !platform_member.value()) {
    simulator.writes.clear_faults(std::nullopt, std::nullopt);
    return done();
  }
  auto target = write_route_of(fields);
  if (!target) return bad_request(target.error());
  auto& [platform, route] = target.value();
  if (mode_name.value() == "clear") {
    simulator.writes.clear_faults(platform, route);
    return done();
  }
  const auto mode = write_fault_mode(mode_name.value());
  if (!mode) {
    return bad_request(sources::field_error(
        "mode",
        "must be refuse, commit_then_500, commit_then_drop, commit_then_late, failure_body, "
        "throttle, unauthorized or clear, got '" +
            std::string(mode_name.value()) + "'"));
  }
  auto fault = read_write_fault(fields, *mode);
  if (!fault) return bad_request(fault.error());
  simulator.writes.set_fault(platform, route, fault.value());
  return done();
}

// DELETE /_sim/write-faults[?platform=P][&route=R]
http::Response clear_write_faults(Simulator& simulator, const http::Request& request) {
  const auto platform_text = http::query_parameter(request.query, "platform");
  const auto route = http::query_parameter(request.query, "route");
  std::optional<Platform> platform;
  if (!platform_text.empty()) {
    platform = platform_of(platform_text);
    if (!platform) return json_error(400, "platform: unknown platform '" + platform_text + "'");
  }
  simulator.writes.clear_faults(
      platform, route.empty() ? std::nullopt : std::optional<std::string_view>(route));
  return done();
}

// POST /_sim/echo {"to":"http://...","ja_token","cao_key","talkjs_secret","delay_ms"}: the
// credentials not given keep their current values.
http::Response set_echo(Simulator& simulator, const http::Request& request) {
  auto object = sources::parse_object(request.body);
  if (!object) return bad_request(object.error());
  const sources::FieldReader fields(object.value());
  auto target = simulator.echoes.target();
  auto to = fields.required_string("to", sources::kMaxUrlBytes);
  if (!to) return bad_request(to.error());
  if (auto problem = parse_webhook_url(to.value(), target.to)) {
    return bad_request(sources::field_error("to", *problem));
  }
  for (auto [name, out] :
       {std::pair{"ja_token", &target.ja_token}, std::pair{"cao_key", &target.cao_key},
        std::pair{"talkjs_secret", &target.talkjs_secret}}) {
    auto value = fields.optional_string(name);
    if (!value) return bad_request(value.error());
    if (value.value()) *out = *value.value();
  }
  auto delay = bounded_integer(fields, "delay_ms", target.delay.count(), 0, kMaxDelayMs);
  if (!delay) return bad_request(delay.error());
  target.delay = std::chrono::milliseconds(delay.value());
  target.enabled = true;
  simulator.echoes.set_target(std::move(target));
  return done();
}

}  // namespace

void add_write_control_routes(http::Router& router, Simulator& simulator) {
  auto route = [&router](bhttp::verb method, std::string_view path,
                         ControlEndpoint::Handler handler) {
    router.add(method, std::string(path), std::make_shared<ControlEndpoint>(std::move(handler)));
  };
  route(bhttp::verb::get, "/_sim/writes",
        [&simulator](const http::Request& request) { return list_writes(simulator, request); });
  route(bhttp::verb::post, "/_sim/write-faults",
        [&simulator](const http::Request& request) { return set_write_fault(simulator, request); });
  route(bhttp::verb::delete_, "/_sim/write-faults", [&simulator](const http::Request& request) {
    return clear_write_faults(simulator, request);
  });
  route(bhttp::verb::get, "/_sim/echo",
        [&simulator](const http::Request&) { return json_ok(simulator.echoes.json()); });
  route(bhttp::verb::post, "/_sim/echo",
        [&simulator](const http::Request& request) { return set_echo(simulator, request); });
  route(bhttp::verb::delete_, "/_sim/echo", [&simulator](const http::Request&) {
    auto target = simulator.echoes.target();
    target.enabled = false;
    simulator.echoes.set_target(std::move(target));
    return done();
  });
}

}  // namespace parley::sim
