#include "write_endpoint.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>

#include "directly_data.hpp"
#include "json_out.hpp"
#include "sim_server.hpp"

namespace parley::sim {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

constexpr std::string_view kFaultSource = "POST /_sim/write-faults";

WriteRecord record_of(const http::Request& request, Platform platform, std::string_view route) {
  WriteRecord record{.platform = platform,
                     .route = std::string(route),
                     .method = std::string(bhttp::to_string(request.method)),
                     .path = std::string(request.path),
                     .authorization = std::string(request.headers[bhttp::field::authorization]),
                     .body = request.body};
  if (!request.query.empty()) record.path += "?" + std::string(request.query);
  for (const auto& field : request.headers) {
    if (field.name() == bhttp::field::authorization) continue;
    std::string name(field.name_string());
    for (auto& c : name)
      c = static_cast<char>(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
    record.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  return record;
}

void add_retry_after(http::Response& response, unsigned seconds) {
  // Set here rather than through retry_after_seconds, which cannot say "retry now" (0).
  response.extra_headers.emplace_back("Retry-After", std::to_string(seconds));
}

}  // namespace

asio::awaitable<http::Response> WriteEndpoint::handle(const http::Request& request) {
  const auto call = classify(request);
  if (!call) {
    simulator_.state.record_status(404);
    co_return json_error(404, "no simulated endpoint at " + std::string(request.path));
  }
  const auto id = simulator_.writes.begin(record_of(request, platform_, call->route));
  simulator_.state.record_call(write_call_name(platform_name(platform_), call->route),
                               call->conversation);
  if (simulator_.options.latency.count() > 0) {
    asio::steady_timer delay(co_await asio::this_coro::executor, simulator_.options.latency);
    co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  auto response = co_await perform(request, *call, id);
  simulator_.state.record_status(response.status);
  simulator_.writes.set_status(id, response.status);
  co_return response;
}

// Check, fault, commit, answer: a fault that does not commit answers before the commit; one
// that commits fails the answer only.
asio::awaitable<http::Response> WriteEndpoint::perform(const http::Request& request,
                                                       const Call& call, std::uint64_t id) {
  auto commit = prepare(request, call);
  if (!commit) co_return std::move(commit).error();
  const auto fault = simulator_.writes.take_fault(platform_, call.route);
  if (fault && !commits(fault->mode)) co_return fault_answer(*fault);
  auto committed = commit.value()();
  if (!committed) co_return std::move(committed).error();
  simulator_.writes.set_committed(id);
  auto done = std::move(committed).value();
  const auto executor = co_await asio::this_coro::executor;
  for (auto& echo : done.echoes)
    simulator_.echoes.send(executor, std::move(echo));
  if (!fault) co_return std::move(done.answer);
  switch (fault->mode) {
    case WriteFaultMode::commit_then_500:
      co_return write_failure(
          platform_, 500,
          "simulated failure after the write was made (" + std::string(kFaultSource) + ")");
    case WriteFaultMode::commit_then_drop:
      co_return http::Response{.status = kNoAnswer};
    default:
      break;
  }
  // commit_then_late: the client has given up (or been killed) by now; the timer holds no
  // thread, and writing to a closed connection only fails that write.
  asio::steady_timer late(executor, fault->delay);
  co_await late.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return std::move(done.answer);
}

http::Response WriteEndpoint::fault_answer(const WriteFault& fault) const {
  const auto why = [&](std::string_view what) {
    return "simulated " + std::string(what) + " (" + std::string(kFaultSource) + ")";
  };
  switch (fault.mode) {
    case WriteFaultMode::failure_body: {
      const bool in_body = platform_ == Platform::justanswer || platform_ == Platform::cao;
      return write_failure(platform_, in_body ? 200 : (fault.status != 0 ? fault.status : 400),
                           why("refusal"));
    }
    case WriteFaultMode::throttle: {
      auto response = write_failure(platform_, 429, why("throttling"));
      add_retry_after(response, fault.retry_after_s);
      return response;
    }
    case WriteFaultMode::unauthorized: {
      auto response = write_failure(platform_, 401, why("expired credentials"));
      response.extra_headers.emplace_back(
          "WWW-Authenticate",
          platform_ == Platform::cao ? "Basic" : R"(Bearer error="invalid_token")");
      return response;
    }
    default: {
      const unsigned status = fault.status != 0 ? fault.status : 500;
      auto response = write_failure(platform_, status, why("failure"));
      if (status == 429 || status == 503) add_retry_after(response, fault.retry_after_s);
      return response;
    }
  }
}

http::Response WriteEndpoint::reject(const Error& error) {
  return http::error_response(error, http::generic_error_body(error));
}

http::Response write_failure(Platform platform, unsigned status, std::string_view message) {
  std::string body;
  switch (platform) {
    case Platform::justanswer: {
      json::ObjectWriter object(body);
      put_bool(object, "status", false);
      put_string(object, "message", message);
      put_raw(object, "data", "null");
      break;
    }
    case Platform::cao: {
      json::ObjectWriter object(body);
      put_raw(object, "VisitId", "null");
      put_raw(object, "ConsumerId", "null");
      put_raw(object, "SessionId", "null");
      put_int(object, "Status", 1);
      put_string(object, "FailureDescription", message);
      break;
    }
    case Platform::talkjs:
      body = error_json(message);
      break;
    case Platform::directly:
      body = directly_error_json(message);
      break;
  }
  return http::Response{.status = status, .body = std::move(body)};
}

http::Response empty_object() {
  return json_ok("{}");
}

}  // namespace parley::sim
