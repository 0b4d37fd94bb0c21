#pragma once

#include <chrono>
#include <string>

#include "parley/config/config.hpp"
#include "parley/http/message.hpp"
#include "parley/kafka/producer.hpp"
#include "parley/metrics/metrics.hpp"
#include "parley/sources/crypto.hpp"

namespace parley::directly {

/// The watch list's topic and how long to wait for Kafka's acknowledgement.
struct WatchPublishing {
  std::string topic;
  std::chrono::milliseconds ack_timeout{4000};
};

/// POST goes to the bare path, DELETE to the route pattern with the uuid.
inline constexpr std::string_view kWatchesPath = "/v1/directly/watches";
inline constexpr std::string_view kWatchRoute = "/v1/directly/watches/*";

/// POST /v1/directly/watches {"uuid": "..."} and DELETE /v1/directly/watches/{uuid}: adds
/// a question to the watch list (a record keyed by the lowercase uuid on the compacted
/// watch topic) or removes it (a tombstone). Answered 200 only after Kafka acknowledged
/// the record, so an answered watch survives any restart. Authenticated by a token of
/// sources.directly.watch.tokens in X-Parley-Token or Authorization: Bearer. Counted in
/// parley_webhooks_received_total{source="directly"}. Thread-safe; the producer and
/// metrics must outlive it.
class WatchEndpoint final : public http::Endpoint {
 public:
  WatchEndpoint(const config::DirectlySource::Watch& watch, kafka::Producer& producer,
                metrics::Metrics& metrics, WatchPublishing publishing);

  boost::asio::awaitable<http::Response> handle(const http::Request& request) override;
  http::Response reject(const Error& error) override;
  bool is_ingest() const override { return true; }

 private:
  std::optional<Error> verify(const http::Request& request) const;
  /// The uuid a request names (body for POST, path for DELETE), lowercased.
  Result<std::string, Error> target_uuid(const http::Request& request) const;

  sources::SecretSet tokens_;
  bool allow_unauthenticated_;
  kafka::Producer& producer_;
  metrics::Metrics& metrics_;
  const WatchPublishing publishing_;
};

}  // namespace parley::directly
