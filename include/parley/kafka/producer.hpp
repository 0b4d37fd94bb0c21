#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parley/common/error.hpp"
#include "parley/common/result.hpp"

namespace parley::kafka {

class ProduceStats;  // produce_stats.hpp

/// One record to produce. Owned by the caller until produce() copies it.
struct Record {
  std::string topic;
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
  /// A null value instead of `value`: deletes `key` from a compacted topic.
  bool tombstone = false;
};

/// Called exactly once per produced record: nullopt when the broker acknowledged it
/// (acks=all), else why not. Runs on a producer thread: keep it short, never block.
using DeliveryCallback = std::function<void(std::optional<Error>)>;

/// The seam between the request path and Kafka. Implementations are thread-safe.
class Producer {
 public:
  virtual ~Producer() = default;
  /// Queues `record`; the callback reports its delivery. Never throws; a record that
  /// cannot even be queued is reported through the callback before produce() returns.
  virtual void produce(const Record& record, DeliveryCallback on_delivery) = 0;
  /// False while Kafka is known to be unreachable: callers refuse at once instead of
  /// waiting out the ack timeout on every request.
  virtual bool reachable() const = 0;
  /// The largest record (value + key + headers) the producer accepts; a larger one is
  /// refused with kafka_too_large, so callers can refuse before producing.
  virtual std::size_t max_message_bytes() const { return SIZE_MAX; }
  /// The events topic's limit as the cluster states it (max.message.bytes, applied by the
  /// broker to the compressed batch), when it was learned; nullopt when unknown.
  virtual std::optional<std::size_t> topic_max_message_bytes() const { return std::nullopt; }
};

/// The one classification of a librdkafka error code (rd_kafka_resp_err_t) for the
/// request path: kafka_timeout; kafka_too_large / kafka_invalid_record (permanent for this
/// record); kafka_refused (permanent for the service: authorization, unknown topic);
/// kafka_unavailable (retriable: broker down, leader change, queue full, anything else).
/// The message names librdkafka's reason and, for sizes, message.max.bytes.
Error classify(int rd_kafka_error, std::chrono::milliseconds ack_timeout,
               std::size_t max_message_bytes);

struct ProducerOptions {
  std::string bootstrap_servers;
  std::chrono::milliseconds ack_timeout{4000};    ///< delivery report deadline per record
  std::map<std::string, std::string> properties;  ///< librdkafka overrides (security, sasl...)
  std::string probe_topic;                        ///< metadata of this topic decides reachable()
  std::chrono::milliseconds probe_interval{1000};
  /// Serve delivery reports on this io_context's threads (woken through a pipe), so an
  /// acknowledgement reaches the waiting request without a hop through another thread.
  /// Null: a thread of the producer's own serves them. Must outlive the producer's use
  /// of it: destroy the producer after the io_context stopped, before it is destroyed.
  boost::asio::io_context* delivery_context = nullptr;
  /// message.max.bytes unless kafka.properties sets it; 0 = librdkafka's default.
  std::size_t default_max_message_bytes = 0;
  /// Counts the Produce requests sent (from librdkafka's statistics, every 5 s unless
  /// statistics.interval.ms says otherwise); null: not counted. Must outlive the producer.
  ProduceStats* stats = nullptr;
};

/// The message.max.bytes a producer made from `options` would enforce; 0 when librdkafka
/// refuses the options (KafkaProducer::check says why).
std::size_t max_message_bytes(const ProducerOptions& options);

/// librdkafka producer: acks=all, idempotence on, lz4 compression (overridable),
/// message.timeout.ms = ack_timeout so every record gets its report in time. Owns a delivery-report
/// thread and a reachability-probe thread. Thread-safe.
class KafkaProducer final : public Producer {
 public:
  /// Fails (with a message naming the property) when librdkafka refuses the configuration
  /// or a property would break the contract: acks other than all, idempotence off, a
  /// message/delivery timeout (parley derives it from ack_timeout), reports only on error.
  static Result<std::unique_ptr<KafkaProducer>, std::string> create(const ProducerOptions& options);
  /// The checks of create() without connecting anywhere: nullopt when `options` are usable.
  static std::optional<std::string> check(const ProducerOptions& options);
  ~KafkaProducer() override;

  void produce(const Record& record, DeliveryCallback on_delivery) override;

  /// True while the last metadata probe of the probe topic succeeded and the producer has
  /// not failed fatally.
  bool reachable() const override;
  /// True after a fatal error (e.g. missing IdempotentWrite ACL): nothing can be produced
  /// until the process restarts.
  bool failed_fatally() const;
  /// Why Kafka refuses this service (authorization, unknown topic) while the latest
  /// delivery reports say so; nullopt once a record is acknowledged again.
  std::optional<std::string> refusal() const;
  std::size_t max_message_bytes() const override;
  /// The probe topic's max.message.bytes from DescribeConfigs (asked when Kafka becomes
  /// reachable, then every 5 minutes); nullopt while the cluster has not answered it.
  std::optional<std::size_t> topic_max_message_bytes() const override;
  /// Waits until reachable() equals `wanted`; false when `timeout` came first.
  bool wait_reachable(bool wanted, std::chrono::milliseconds timeout);
  /// Waits up to `timeout` for every queued record's delivery report; returns how many
  /// records were still outstanding when it gave up.
  int flush(std::chrono::milliseconds timeout);

  class Impl;

 private:
  explicit KafkaProducer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Produces `record` and resumes the calling coroutine on its own executor once Kafka
/// acknowledged it (nullopt), failed it, or `ack_timeout` passed without a delivery
/// report (kafka_timeout) -- whichever comes first. A record that times out here may
/// still be delivered later: the answer then says 503 and the platform's retry makes a
/// duplicate, never a loss. With `counted`, the answer is counted there (acknowledged or
/// failed, by topic): every stage counts what it produced this one way.
boost::asio::awaitable<std::optional<Error>> produce_acknowledged(
    Producer& producer, const Record& record, std::chrono::milliseconds ack_timeout,
    ProduceStats* counted = nullptr);

/// What publish_until_acknowledged() made of a record.
enum class Publication {
  acknowledged,
  refused,  ///< Kafka refuses it for good (too large, invalid): not retried
  stopped,  ///< keep_trying() turned false before an acknowledgement
};

/// How publish_until_acknowledged() retries.
struct RetryPolicy {
  std::chrono::milliseconds ack_timeout{4000};
  std::chrono::milliseconds retry_every{1000};  ///< after each retriable failure
  /// Asked before every attempt; false ends the loop (the caller is stopping). Null:
  /// retry until acknowledged.
  std::function<bool()> keep_trying;
  /// Counts every attempt (acknowledged or failed), when set.
  ProduceStats* counted = nullptr;
  std::string_view what = "record";  ///< names the record in the logs ("enriched event")
};

/// Produces `record` until Kafka acknowledges it, for the stages that answer no one and
/// must lose nothing (enrichment, Directly polling): a retriable failure is logged at warn
/// and tried again `retry_every` later; a record Kafka refuses for good is logged at error
/// and given up, since the same bytes would stall its partition for ever. Runs on the
/// calling coroutine's executor; `record` and `policy` must outlive the call.
boost::asio::awaitable<Publication> publish_until_acknowledged(Producer& producer,
                                                               const Record& record,
                                                               const RetryPolicy& policy);

}  // namespace parley::kafka
