#include "parley/ingest/webhook_endpoint.hpp"

#include "parley/http/answers.hpp"
#include "parley/kafka/disposition.hpp"
#include "parley/kafka/errors.hpp"
#include "parley/kafka/event_record.hpp"
#include "parley/kafka/record_size.hpp"
#include "parley/log/log.hpp"
#include "parley/spool/append_durable.hpp"

namespace parley::ingest {

WebhookEndpoint::WebhookEndpoint(std::shared_ptr<const sources::Source> source,
                                 kafka::Producer& producer, WebhookStats& stats,
                                 kafka::ProduceStats& produced, Publishing publishing)
    : source_(std::move(source)),
      producer_(producer),
      stats_(stats),
      produced_(produced),
      publishing_(std::move(publishing)) {}

http::Response WebhookEndpoint::reject(const Error& error) {
  stats_.answered(source_->name(), http::metric_outcome(error.code));
  if (log::enabled(log::Level::debug)) {
    log::debug("webhook refused", {{"source", source_->name()}, {"error", error.message}});
  }
  return http::error_response(error, source_->error_body(error));
}

Result<http::HeadProof, Error> WebhookEndpoint::check_head(const http::Request& head) {
  return source_->verify_head(head);
}

http::Response WebhookEndpoint::reject_unverified(const Error& error) {
  stats_.answered(source_->name(), WebhookStats::unauthenticated(http::metric_outcome(error.code)));
  if (log::enabled(log::Level::debug)) {
    log::debug("unverified webhook refused",
               {{"source", source_->name()}, {"error", error.message}});
  }
  return http::error_response(error, source_->error_body(error));
}

void WebhookEndpoint::count_field_warnings(const events::CloudEvent& event) {
  for (const auto& warning : event.field_warnings) {
    stats_.field_warning(source_->name(), warning.field);
    if (log::enabled(log::Level::debug)) {
      log::debug(
          "optional field dropped or resolved",
          {{"source", source_->name()}, {"field", warning.field}, {"problem", warning.problem}});
    }
  }
}

boost::asio::awaitable<http::Response> WebhookEndpoint::handle(const http::Request& request) {
  const WebhookTimer timer(stats_, source_->name(), request.received_at);
  auto* spool = publishing_.spool;
  // Refuse before any work while Kafka is known to be down and nothing can hold the event:
  // the platform retries later, rather than every request waiting kafka.ack_timeout_ms.
  if (spool == nullptr && !producer_.reachable()) {
    co_return reject(Error{kafka::Errc::unavailable, "Kafka is unreachable; retry later"});
  }
  if (!request.verified_at_head) {
    if (auto refused = source_->verify(request)) co_return reject(*refused);
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
      stats_.answered(source_->name(), "duplicate");
      co_return http::Response{.status = 200, .body = source_->accepted_body()};
    }
  }
  count_field_warnings(event.value());
  auto record = kafka::event_record(publishing_.topic, event.value());
  // Refused before producing and before spooling: Kafka would refuse it on every retry.
  if (auto too_large = kafka::check_fits(record, producer_)) {
    co_return reject(*too_large);
  }
  // Behind spooled records (order), or straight to disk while Kafka is known to be down.
  if (spool != nullptr && (spool->holds_records() || !producer_.reachable())) {
    auto answer = co_await spool_event(std::move(record), dedupe_key);
    co_return answer;
  }
  const auto failure =
      co_await kafka::produce_acknowledged(producer_, record, publishing_.ack_timeout, &produced_);
  if (failure) {
    if (spool != nullptr && kafka::disposition(*failure) == kafka::Disposition::spool) {
      auto answer = co_await spool_event(std::move(record), dedupe_key);
      co_return answer;
    }
    log::warn(
        "event not acknowledged by kafka",
        {{"source", source_->name()}, {"topic", publishing_.topic}, {"error", failure->message}});
    co_return reject(*failure);
  }
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
  stats_.answered(source_->name(), outcome);
  return http::Response{.status = 200, .body = source_->accepted_body()};
}

}  // namespace parley::ingest
