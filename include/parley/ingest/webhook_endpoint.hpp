#pragma once

#include <memory>
#include <string>

#include "parley/http/message.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/metrics/metrics.hpp"
#include "parley/sources/source.hpp"

namespace parley::ingest {

/// A platform's webhook endpoint: verify → parse → normalize → produce, answered only
/// after Kafka acknowledged the event (or with 503 + Retry-After when it did not).
/// Every answer is counted once in parley_webhooks_received_total. Thread-safe; the
/// producer and metrics must outlive it.
class WebhookEndpoint final : public http::Endpoint {
 public:
  WebhookEndpoint(std::shared_ptr<const sources::Source> source, kafka::Producer& producer,
                  metrics::Metrics& metrics, std::string topic,
                  std::chrono::milliseconds ack_timeout);

  boost::asio::awaitable<http::Response> handle(const http::Request& request) override;
  http::Response reject(const Error& error) override;
  bool is_ingest() const override { return true; }

 private:
  std::shared_ptr<const sources::Source> source_;
  kafka::Producer& producer_;
  metrics::Metrics& metrics_;
  const std::string topic_;
  const std::chrono::milliseconds ack_timeout_;
};

}  // namespace parley::ingest
