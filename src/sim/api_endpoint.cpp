#include "api_endpoint.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/string.hpp>

#include "json_out.hpp"
#include "parley/common/hex.hpp"

namespace parley::sim {
namespace {

namespace asio = boost::asio;

}  // namespace

asio::awaitable<http::Response> ApiEndpoint::handle(const http::Request& request) {
  const auto call = classify(request);
  if (call) simulator_.state.record_call(call->name, call->conversation);
  if (simulator_.options.latency.count() > 0) {
    asio::steady_timer delay(co_await asio::this_coro::executor, simulator_.options.latency);
    // A failed wait (the io_context stopping) only answers early.
    co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  auto response = respond(request, call);
  simulator_.state.record_status(response.status);
  if (call) answered(*call, response.status);
  co_return response;
}

http::Response ApiEndpoint::respond(const http::Request& request, const std::optional<Call>& call) {
  if (!call) return json_error(404, "no simulated endpoint at " + std::string(request.path));
  if (data_platform_) {
    if (auto failure = simulator_.faults.next(*data_platform_)) return std::move(*failure);
  }
  return answer(request, *call);
}

http::Response ApiEndpoint::reject(const Error& error) {
  return http::error_response(error, http::generic_error_body(error));
}

http::Response json_error(unsigned status, std::string_view message) {
  return http::Response{.status = status, .body = error_json(message)};
}

http::Response json_ok(std::string body) {
  return http::Response{.status = 200, .body = std::move(body)};
}

bool has_form_body(const http::Request& request) {
  constexpr std::string_view kFormType = "application/x-www-form-urlencoded";
  const std::string_view type = request.headers[boost::beast::http::field::content_type];
  return boost::beast::iequals(type.substr(0, kFormType.size()), kFormType);
}

std::string_view bearer_token(const http::Request& request) {
  std::string_view header = request.headers[boost::beast::http::field::authorization];
  constexpr std::string_view kScheme = "Bearer ";
  if (header.size() <= kScheme.size() ||
      !boost::beast::iequals(header.substr(0, kScheme.size()), kScheme)) {
    return {};
  }
  header.remove_prefix(kScheme.size());
  while (!header.empty() && header.front() == ' ')
    header.remove_prefix(1);
  return header;
}

std::string decode_segment(std::string_view segment) {
  return percent_decode(segment, /*plus_is_space=*/false);
}

std::int64_t unix_seconds_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t unix_millis_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace parley::sim
