#include "parley/ingest/webhook_endpoint.hpp"

#include "parley/log/log.hpp"

namespace parley::ingest {

WebhookEndpoint::WebhookEndpoint(std::shared_ptr<const sources::Source> source,
                                 kafka::Producer& producer, metrics::Metrics& metrics,
                                 std::string topic, std::chrono::milliseconds ack_timeout)
    : source_(std::move(source)),
      producer_(producer),
      metrics_(metrics),
      topic_(std::move(topic)),
      ack_timeout_(ack_timeout) {}

http::Response WebhookEndpoint::reject(const Error& error) {
  metrics_.webhook_answered(source_->name(), metric_outcome(error.code));
  if (log::enabled(log::Level::debug)) {
    log::debug("webhook refused", {{"source", source_->name()}, {"error", error.message}});
  }
  return http::error_response(error, source_->error_body(error));
}

boost::asio::awaitable<http::Response> WebhookEndpoint::handle(const http::Request& request) {
  const auto observe = [&] {
    const std::chrono::duration<double> elapsed =
        std::chrono::steady_clock::now() - request.received_at;
    metrics_.webhook_duration(source_->name(), elapsed.count());
  };
  if (auto refused = source_->verify(request)) {
    observe();
    co_return reject(*refused);
  }
  auto event = source_->normalize(request, std::chrono::system_clock::now());
  if (!event) {
    observe();
    co_return reject(event.error());
  }
  auto encoded = events::encode(event.value());
  const kafka::Record record{.topic = topic_,
                             .key = std::move(encoded.key),
                             .value = std::move(encoded.value),
                             .headers = std::move(encoded.headers)};
  const auto failure = co_await kafka::produce_acknowledged(producer_, record, ack_timeout_);
  observe();
  if (failure) {
    metrics_.kafka_produce_error(topic_);
    log::warn("event not acknowledged by kafka",
              {{"source", source_->name()}, {"topic", topic_}, {"error", failure->message}});
    co_return reject(*failure);
  }
  metrics_.kafka_produced(topic_);
  metrics_.webhook_answered(source_->name(), "accepted");
  co_return http::Response{.status = 200, .body = source_->accepted_body()};
}

}  // namespace parley::ingest
