// Micro-benchmarks of the ingest hot path: verify, parse + normalize, encode.
// Run: cmake --preset release && cmake --build --preset release --target ingest_benchmark
//      ./build/release/benchmarks/ingest_benchmark
#include <benchmark/benchmark.h>

#include "parley/events/cloud_event.hpp"
#include "parley/http/message.hpp"
#include "parley/platforms/cao/webhook.hpp"
#include "parley/platforms/justanswer/webhook.hpp"
#include "parley/platforms/talkjs/webhook.hpp"
#include "parley/sources/crypto.hpp"
#include "support/source_request.hpp"

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

// The load benchmark's path: a token header, checked against the set's hashes.
void BM_JustAnswerVerifyToken(benchmark::State& state) {
  JustAnswerRequest fixture;
  fixture.headers.erase("X-Parley-Signature");
  fixture.headers.set("X-Parley-Token", "token");
  const auto request = fixture.request();
  for (auto _ : state)
    benchmark::DoNotOptimize(fixture.source.verify(request));
}
BENCHMARK(BM_JustAnswerVerifyToken);

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

const std::string kCaoBody =
    R"({"VisitId":"12617187","SessionId":"abc123456","ConsumerId":"128740954930930",)"
    R"("DateTime":"2015-01-01T00:00:00 ","MessageId":"12345678","Message":"that was a long message",)"
    R"("MediaURL":"https://media.cao.com/images/sbc.png","AgentName":"Sally Salesperson",)"
    R"("AgentImageURL":"https://media.cao.com/images/sally.png"})";

void BM_CaoMessageVerifyNormalizeEncode(benchmark::State& state) {
  const config::CaoSource::Webhook webhook{.api_keys = {"key"}};
  const sources::CaoMessages source(webhook, true);
  testing::SourceRequest built(kCaoBody);
  built.header("Authorization", "Basic key");
  const auto request = built.request();
  for (auto _ : state) {
    benchmark::DoNotOptimize(source.verify(request));
    auto event = source.normalize(request, std::chrono::system_clock::now());
    benchmark::DoNotOptimize(events::encode(event.value()));
  }
}
BENCHMARK(BM_CaoMessageVerifyNormalizeEncode);

const std::string kTalkJsBody =
    R"({"id":"evt_1","createdAt":1732185600000,"type":"message.sent","data":{)"
    R"("sender":{"id":"8029","name":"Bob","role":"seller"},)"
    R"("conversation":{"id":"order_391_fc","subject":"Order"},)"
    R"("message":{"id":"msg_1","conversationId":"order_391_fc","senderId":"8029",)"
    R"("text":"Hello Alice!","type":"UserMessage","createdAt":1732185600000}}})";

void BM_TalkJsVerifyNormalizeEncode(benchmark::State& state) {
  config::TalkJsSource config;
  config.webhook.secret_keys = {"secret"};
  config.api.app_id = "bench";
  const auto now = std::chrono::system_clock::now();
  const sources::TalkJs source(config, true, [now] { return now; });
  const auto timestamp = std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  testing::SourceRequest built(kTalkJsBody);
  built.header("X-TalkJS-Timestamp", timestamp);
  built.header(
      "X-TalkJS-Signature",
      sources::to_hex(sources::hmac_sha256("secret", timestamp + "." + kTalkJsBody), true));
  const auto request = built.request();
  for (auto _ : state) {
    benchmark::DoNotOptimize(source.verify(request));
    auto event = source.normalize(request, now);
    benchmark::DoNotOptimize(events::encode(event.value()));
  }
}
BENCHMARK(BM_TalkJsVerifyNormalizeEncode);

}  // namespace

BENCHMARK_MAIN();
