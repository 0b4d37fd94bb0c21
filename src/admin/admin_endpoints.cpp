#include "parley/admin/admin_endpoints.hpp"

#include <memory>
#include <string>
#include <vector>

#include "parley/common/json_writer.hpp"

namespace parley::admin {
namespace {

namespace bhttp = boost::beast::http;

/// An admin route: a synchronous function, no admission, any content type.
class FunctionEndpoint final : public http::Endpoint {
 public:
  explicit FunctionEndpoint(std::function<http::Response()> answer) : answer_(std::move(answer)) {}
  boost::asio::awaitable<http::Response> handle(const http::Request&) override {
    co_return answer_();
  }
  http::Response reject(const Error& error) override {
    return http::error_response(error, http::generic_error_body(error));
  }
  bool is_ingest() const override { return false; }

 private:
  std::function<http::Response()> answer_;
};

struct Readiness {
  std::vector<std::string> reasons;  // empty = ready
  bool spooling = false;
};

Readiness check(const Probes& probes, const http::Admission& admission) {
  Readiness state;
  if (admission.draining()) state.reasons.emplace_back("draining");
  const bool kafka = probes.kafka_reachable();
  if (probes.spool_refusal) {
    state.spooling = probes.spooling() || !kafka;
    if (auto refusal = probes.spool_refusal()) {
      state.reasons.push_back(*refusal);
    }
    if (!kafka && !state.reasons.empty()) state.reasons.emplace_back("kafka unreachable");
  } else if (!kafka) {
    state.reasons.emplace_back("kafka unreachable");
  }
  return state;
}

http::Response readiness(const Probes& probes, const http::Admission& admission) {
  const auto state = check(probes, admission);
  if (state.reasons.empty()) {
    return http::Response{
        .status = 200,
        .body = state.spooling ? R"({"status":"ready","spooling":true})" : R"({"status":"ready"})"};
  }
  std::string body = R"({"status":"not ready","reasons":[)";
  for (std::size_t i = 0; i < state.reasons.size(); ++i) {
    if (i > 0) body += ",";
    json::append_string(body, state.reasons[i]);
  }
  body += "]";
  if (state.spooling) body += R"(,"spooling":true)";
  return http::Response{.status = 503, .body = body + "}"};
}

}  // namespace

void add_routes(http::Router& router, const Probes& probes, const http::Admission& admission,
                metrics::Registry& registry, http::ListenerStats& listener) {
  router.add(bhttp::verb::get, "/healthz", std::make_shared<FunctionEndpoint>([probes] {
               if (auto failure = probes.failure()) {
                 std::string body = R"({"status":"failed","reason":)";
                 json::append_string(body, *failure);
                 return http::Response{.status = 503, .body = body + "}"};
               }
               return http::Response{.status = 200, .body = R"({"status":"alive"})"};
             }));
  auto& ready =
      registry.gauge("parley_ready", "1 when /readyz answers 200 (Kafka reachable, not draining)")
          .Add({});
  registry.on_scrape([probes, &admission, &ready, &listener] {
    listener.set_inflight(static_cast<double>(admission.inflight()));
    ready.Set(check(probes, admission).reasons.empty() ? 1 : 0);
  });
  router.add(bhttp::verb::get, "/readyz", std::make_shared<FunctionEndpoint>([probes, &admission] {
               return readiness(probes, admission);
             }));
  router.add(bhttp::verb::get, "/metrics", std::make_shared<FunctionEndpoint>([&registry] {
               return http::Response{.status = 200,
                                     .body = registry.scrape(),
                                     .content_type = "text/plain; version=0.0.4; charset=utf-8"};
             }));
}

}  // namespace parley::admin
