#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/this_coro.hpp>
#include <cstdint>
#include <functional>
#include <string_view>

#include "api_endpoint.hpp"
#include "parley/http/router.hpp"
#include "parley/sources/json.hpp"

namespace parley::sim {

/// A control route (/_sim/...): a synchronous function of the request, never delayed,
/// faulted or counted. Thread-safe when its handler is.
class ControlEndpoint final : public http::Endpoint {
 public:
  using Handler = std::function<http::Response(const http::Request&)>;
  /// For handlers that start work of their own (timers) on the executor the request is
  /// handled on, which belongs to the simulator's io_context.
  using SpawningHandler =
      std::function<http::Response(const http::Request&, const boost::asio::any_io_executor&)>;

  explicit ControlEndpoint(Handler handler)
      : handler_([sync = std::move(handler)](const http::Request& request,
                                             const boost::asio::any_io_executor&) {
          return sync(request);
        }) {}
  explicit ControlEndpoint(SpawningHandler handler) : handler_(std::move(handler)) {}

  boost::asio::awaitable<http::Response> handle(const http::Request& request) override {
    co_return handler_(request, co_await boost::asio::this_coro::executor);
  }
  http::Response reject(const Error& error) override {
    return http::error_response(error, http::generic_error_body(error));
  }
  bool is_ingest() const override { return false; }

 private:
  SpawningHandler handler_;
};

/// `{"ok":true}`.
http::Response done();

/// A 400 with `error`'s message.
http::Response bad_request(const Error& error);

/// An optional boolean member; `fallback` when absent or null.
Result<bool, Error> optional_bool(const sources::FieldReader& fields, std::string_view name,
                                  bool fallback);

/// An optional integer member within [min, max]; `fallback` when absent or null.
Result<std::int64_t, Error> bounded_integer(const sources::FieldReader& fields,
                                            std::string_view name, std::int64_t fallback,
                                            std::int64_t min, std::int64_t max);

/// GET /_sim/directly/questions/{uuid}; POST /_sim/directly/questions/{uuid}/{respond,
/// message, accept, close, expire, reroute, play}.
void add_directly_control_routes(http::Router& router, Simulator& simulator);

/// GET /_sim/writes; POST and DELETE /_sim/write-faults; GET, POST and DELETE /_sim/echo.
void add_write_control_routes(http::Router& router, Simulator& simulator);

}  // namespace parley::sim
