#include "parley/ingest/webhook_endpoint.hpp"

#include "parley/http/answers.hpp"
#include "parley/log/log.hpp"
#include "parley/spool/append_durable.hpp"

namespace parley::ingest {
namespace {

// Refused before producing (and before spooling): Kafka would refuse it on every retry.
std::optional<Error> check_size(const events::EncodedEvent& encoded, std::size_t limit) {
  std::size_t bytes = encoded.key.size() + encoded.value.size();
  for (const auto& [name, value] : encoded.headers)
    bytes += name.size() + value.size();
  if (bytes <= limit) return std::nullopt;
  return Error{Errc::kafka_too_large, "the encoded event is " + std::to_string(bytes) +
                                          " bytes, over Kafka's message limit of " +
                                          std::to_string(limit) +
                                          " bytes (kafka.properties.message.max.bytes)"};
}

}  // namespace

WebhookEndpoint::WebhookEndpoint(std::shared_ptr<const sources::Source> source,
                                 kafka::Producer& producer, metrics::Metrics& metrics,
                                 Publishing publishing)
    : source_(std::move(source)),
      producer_(producer),
      metrics_(metrics),
      publishing_(std::move(publishing)) {}

http::Response WebhookEndpoint::reject(const Error& error) {
  metrics_.webhook_answered(source_->name(), http::metric_outcome(error.code));
  if (log::enabled(log::Level::debug)) {
    log::debug("webhook refused", {{"source", source_->name()}, {"error", error.message}});
  }
  return http::error_response(error, source_->error_body(error));
}

void WebhookEndpoint::count_field_warnings(const events::CloudEvent& event) {
  for (const auto& warning : event.field_warnings) {
    metrics_.webhook_field_warning(source_->name(), warning.field);
    if (log::enabled(log::Level::debug)) {
      log::debug(
          "optional field dropped or resolved",
          {{"source", source_->name()}, {"field", warning.field}, {"problem", warning.problem}});
    }
  }
}

boost::asio::awaitable<http::Response> WebhookEndpoint::handle(const http::Request& request) {
  const metrics::WebhookTimer timer(metrics_, source_->name(), request.received_at);
  auto* spool = publishing_.spool;
  // Refuse before any work while Kafka is known to be down and nothing can hold the event:
  // the platform retries later, rather than every request waiting kafka.ack_timeout_ms.
  if (spool == nullptr && !producer_.reachable()) {
    co_return reject(Error{Errc::kafka_unavailable, "Kafka is unreachable; retry later"});
  }
  if (auto refused = source_->verify(request)) {
    co_return reject(*refused);
  }
  auto event = source_->normalize(request, std::chrono::system_clock::now());
  if (!event) {
    co_return reject(event.error());
  }
  // source + id is what consumers deduplicate on, so it is what parley remembers too.
  std::string dedupe_key;
  auto* recent = source_->deterministic_ids() ? publishing_.recent_ids : nullptr;
  if (recent != nullptr) {
    dedupe_key = event.value().source + "|" + event.value().id;
    if (recent->contains(dedupe_key)) {
      metrics_.webhook_answered(source_->name(), "duplicate");
      co_return http::Response{.status = 200, .body = source_->accepted_body()};
    }
  }
  count_field_warnings(event.value());
  auto encoded = events::encode(event.value());
  if (auto too_large = check_size(encoded, producer_.max_message_bytes())) {
    co_return reject(*too_large);
  }
  kafka::Record record{.topic = publishing_.topic,
                       .key = std::move(encoded.key),
                       .value = std::move(encoded.value),
                       .headers = std::move(encoded.headers)};
  // Behind spooled records (order), or straight to disk while Kafka is known to be down.
  if (spool != nullptr && (spool->holds_records() || !producer_.reachable())) {
    auto answer = co_await spool_event(std::move(record), dedupe_key);
    co_return answer;
  }
  const auto failure =
      co_await kafka::produce_acknowledged(producer_, record, publishing_.ack_timeout);
  if (failure) {
    metrics_.kafka_produce_error(publishing_.topic);
    const bool can_clear =
        failure->code == Errc::kafka_unavailable || failure->code == Errc::kafka_timeout;
    if (spool != nullptr && can_clear) {
      auto answer = co_await spool_event(std::move(record), dedupe_key);
      co_return answer;
    }
    log::warn(
        "event not acknowledged by kafka",
        {{"source", source_->name()}, {"topic", publishing_.topic}, {"error", failure->message}});
    co_return reject(*failure);
  }
  metrics_.kafka_produced(publishing_.topic);
  co_return accepted("accepted", dedupe_key);
}

boost::asio::awaitable<http::Response> WebhookEndpoint::spool_event(kafka::Record record,
                                                                    const std::string& dedupe_key) {
  if (auto refused = co_await spool::append_durable(*publishing_.spool, std::move(record))) {
    co_return reject(*refused);
  }
  co_return accepted("spooled", dedupe_key);
}

http::Response WebhookEndpoint::accepted(std::string_view outcome, const std::string& dedupe_key) {
  // Remembered only once durable (Kafka or spool): a redelivery after a failure publishes.
  if (!dedupe_key.empty() && publishing_.recent_ids != nullptr) {
    publishing_.recent_ids->remember(dedupe_key);
  }
  metrics_.webhook_answered(source_->name(), outcome);
  return http::Response{.status = 200, .body = source_->accepted_body()};
}

}  // namespace parley::ingest
