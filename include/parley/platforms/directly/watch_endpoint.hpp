#pragma once

#include <chrono>
#include <string>

#include "parley/config/config.hpp"
#include "parley/http/message.hpp"
#include "parley/ingest/webhook_stats.hpp"
#include "parley/kafka/produce_stats.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/platforms/directly/question.hpp"
#include "parley/sources/crypto.hpp"

namespace parley::directly {

/// The watch list's topic and how long to wait for Kafka's acknowledgement.
struct WatchPublishing {
  std::string topic;
  std::chrono::milliseconds ack_timeout{4000};
};

/// Where POST goes for Directly source `source` ("/v1/directly/watches"); DELETE goes to
/// watch_route(), the same path with the uuid appended.
std::string watches_path(std::string_view source);
std::string watch_route(std::string_view source);

/// POST /v1/<source>/watches {"uuid": "..."} and DELETE /v1/<source>/watches/{uuid}: adds
/// a question to the watch list (a record keyed by watch_key() of the lowercase uuid on
/// the compacted watch topic) or removes it (a tombstone). Answered 200 only after Kafka
/// acknowledged the record, so an answered watch survives any restart. Authenticated by a
/// token of sources.<source>.watch.tokens in X-Parley-Token or Authorization: Bearer.
/// Counted in parley_webhooks_received_total{source="<source>"}. Thread-safe; the
/// producer and stats must outlive it.
class WatchEndpoint final : public http::Endpoint {
 public:
  WatchEndpoint(const config::DirectlySource::Watch& watch, kafka::Producer& producer,
                ingest::WebhookStats& stats, kafka::ProduceStats& produced,
                WatchPublishing publishing, std::string source = std::string(kDefaultSource));

  boost::asio::awaitable<http::Response> handle(const http::Request& request) override;
  http::Response reject(const Error& error) override;
  /// The token is in the headers: the head alone decides.
  Result<http::HeadProof, Error> check_head(const http::Request& head) override;
  bool is_ingest() const override { return true; }

 private:
  std::optional<Error> verify(const http::Request& request) const;
  /// The uuid a request names (body for POST, path for DELETE), lowercased.
  Result<std::string, Error> target_uuid(const http::Request& request) const;

  sources::SecretSet tokens_;
  bool allow_unauthenticated_;
  kafka::Producer& producer_;
  ingest::WebhookStats& stats_;
  kafka::ProduceStats& produced_;
  const WatchPublishing publishing_;
  const std::string source_;
  const std::string route_;  // watch_route(source_)
};

}  // namespace parley::directly
