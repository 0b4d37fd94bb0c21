// Micro-benchmarks of the ingest hot path: verify, parse + normalize, encode.
// Run: cmake --preset release && cmake --build --preset release --target ingest_benchmark
//      ./build/release/benchmarks/ingest_benchmark
#include <benchmark/benchmark.h>

#include "parley/events/cloud_event.hpp"
#include "parley/http/message.hpp"
#include "parley/sources/crypto.hpp"
#include "parley/sources/justanswer/justanswer.hpp"

namespace {

using namespace parley;

const std::string kBody =
    R"({"eventType":"1","questionId":"e5e06b61d720437a8cd09c67b574e5e8","userToken":"abcde12345"})";

struct JustAnswerRequest {
  config::JustAnswerSource::Webhook webhook{.tokens = {"token"}, .hmac_secrets = {"secret"}};
  sources::JustAnswer source{webhook, true};
  boost::beast::http::fields headers;
  std::string body;
  JustAnswerRequest() {
    body.reserve(kBody.size() + http::kBodySlack);
    body = kBody;
    headers.set("X-Parley-Signature",
                "sha256=" + sources::to_hex(sources::hmac_sha256("secret", kBody)));
  }
  http::Request request() const {
    return http::Request{.method = boost::beast::http::verb::post,
                         .path = "/v1/webhooks/justanswer",
                         .query = {},
                         .headers = headers,
                         .body = body,
                         .peer = {},
                         .received_at = std::chrono::steady_clock::now()};
  }
};

void BM_HmacSha256(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(sources::hmac_sha256("secret", kBody));
}
BENCHMARK(BM_HmacSha256);

void BM_JustAnswerVerifySignature(benchmark::State& state) {
  JustAnswerRequest fixture;
  const auto request = fixture.request();
  for (auto _ : state)
    benchmark::DoNotOptimize(fixture.source.verify(request));
}
BENCHMARK(BM_JustAnswerVerifySignature);

void BM_JustAnswerNormalize(benchmark::State& state) {
  JustAnswerRequest fixture;
  const auto request = fixture.request();
  const auto now = std::chrono::system_clock::now();
  for (auto _ : state)
    benchmark::DoNotOptimize(fixture.source.normalize(request, now));
}
BENCHMARK(BM_JustAnswerNormalize);

void BM_CloudEventEncode(benchmark::State& state) {
  JustAnswerRequest fixture;
  const auto event = fixture.source.normalize(fixture.request(), std::chrono::system_clock::now());
  for (auto _ : state)
    benchmark::DoNotOptimize(events::encode(event.value()));
}
BENCHMARK(BM_CloudEventEncode);

void BM_JustAnswerVerifyNormalizeEncode(benchmark::State& state) {
  JustAnswerRequest fixture;
  const auto request = fixture.request();
  for (auto _ : state) {
    benchmark::DoNotOptimize(fixture.source.verify(request));
    auto event = fixture.source.normalize(request, std::chrono::system_clock::now());
    benchmark::DoNotOptimize(events::encode(event.value()));
  }
}
BENCHMARK(BM_JustAnswerVerifyNormalizeEncode);

}  // namespace

BENCHMARK_MAIN();
