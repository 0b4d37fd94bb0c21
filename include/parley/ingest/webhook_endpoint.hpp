#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "parley/dedupe/recent_ids.hpp"
#include "parley/http/message.hpp"
#include "parley/ingest/webhook_stats.hpp"
#include "parley/kafka/produce_stats.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/sources/source.hpp"
#include "parley/spool/spool.hpp"

namespace parley::ingest {

/// Where and how a webhook's event is published.
struct Publishing {
  std::string topic;
  std::chrono::milliseconds ack_timeout{4000};
  /// Ids published recently, shared by all endpoints; null = no duplicate suppression.
  dedupe::RecentIds* recent_ids = nullptr;
  /// Where an event goes when Kafka cannot take it in time; null = answer 503 instead.
  spool::Spool* spool = nullptr;
};

/// A platform's webhook endpoint: (Kafka reachable?) → verify → parse → normalize →
/// (duplicate?) → produce, answered only after Kafka acknowledged the event. With a spool,
/// an event Kafka cannot take (unreachable, ack timeout, retriable error) is appended to
/// it and answered once fdatasync'ed; while the spool holds records every new event joins
/// its tail, so one conversation keeps its order. Without one (or when it is full or
/// failing) the answer is 503 + Retry-After. A redelivery of an event with a deterministic id that
/// Kafka acknowledged within dedupe.window_seconds is answered 2xx without publishing again. Every
/// answer is counted once in parley_webhooks_received_total. Thread-safe; the producer, stats and
/// recent ids must outlive it.
class WebhookEndpoint final : public http::Endpoint {
 public:
  WebhookEndpoint(std::shared_ptr<const sources::Source> source, kafka::Producer& producer,
                  WebhookStats& stats, kafka::ProduceStats& produced, Publishing publishing);

  boost::asio::awaitable<http::Response> handle(const http::Request& request) override;
  http::Response reject(const Error& error) override;
  /// The source's verify_head().
  Result<http::HeadProof, Error> check_head(const http::Request& head) override;
  /// Counted as outcome "unauthenticated_<outcome>", apart from the source's refusals.
  http::Response reject_unverified(const Error& error) override;
  bool is_ingest() const override { return true; }

 private:
  void count_field_warnings(const events::CloudEvent& event);
  boost::asio::awaitable<http::Response> spool_event(kafka::Record record,
                                                     const std::string& dedupe_key);
  http::Response accepted(std::string_view outcome, const std::string& dedupe_key);

  std::shared_ptr<const sources::Source> source_;
  kafka::Producer& producer_;
  WebhookStats& stats_;
  kafka::ProduceStats& produced_;
  const Publishing publishing_;
};

}  // namespace parley::ingest
