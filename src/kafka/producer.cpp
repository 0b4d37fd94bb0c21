#include "parley/kafka/producer.hpp"

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <simdjson.h>
#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "conf.hpp"
#include "parley/kafka/errors.hpp"
#include "parley/kafka/produce_stats.hpp"
#include "parley/log/log.hpp"

namespace parley::kafka {
namespace {

// Settings parley's durability contract depends on; user properties may not weaken them.
std::optional<std::string> check_durability(const std::map<std::string, std::string>& props) {
  for (const auto& key : {"acks", "request.required.acks"}) {
    const auto it = props.find(key);
    if (it != props.end() && it->second != "all" && it->second != "-1") {
      return std::string("kafka.properties.") + key + ": parley requires acks=all";
    }
  }
  const auto it = props.find("enable.idempotence");
  if (it != props.end() && it->second != "true") {
    return std::string("kafka.properties.enable.idempotence: parley requires idempotence");
  }
  // The answer-after-ack contract: every record gets its report, within the ack timeout.
  for (const auto& key : {"message.timeout.ms", "delivery.timeout.ms"}) {
    if (props.contains(key)) {
      return std::string("kafka.properties.") + key + ": set by parley from kafka.ack_timeout_ms";
    }
  }
  if (props.contains("delivery.report.only.error")) {
    return std::string(
        "kafka.properties.delivery.report.only.error: parley answers on every delivery report");
  }
  return std::nullopt;
}

}  // namespace

Error classify(int code, std::chrono::milliseconds ack_timeout, std::size_t max_message_bytes) {
  const auto err = static_cast<rd_kafka_resp_err_t>(code);
  const std::string detail = rd_kafka_err2str(err);
  switch (err) {
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
      return Error{kafka::Errc::timeout, "Kafka did not acknowledge the event within " +
                                             std::to_string(ack_timeout.count()) +
                                             " ms (kafka.ack_timeout_ms)"};
    // Permanent for this event: the same bytes are refused on every retry.
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
      return Error{kafka::Errc::too_large,
                   "the event is over Kafka's message size limit (kafka.properties."
                   "message.max.bytes = " +
                       std::to_string(max_message_bytes) +
                       " here; the broker may allow less): " + detail};
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__BAD_MSG:
      return Error{kafka::Errc::invalid_record, "Kafka refused the record: " + detail};
    // Permanent for the service: no event can be produced until an operator acts.
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_SASL_AUTHENTICATION_FAILED:
    case RD_KAFKA_RESP_ERR__AUTHENTICATION:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case RD_KAFKA_RESP_ERR__FATAL:
      return Error{kafka::Errc::refused, "Kafka refuses this service: " + detail};
    // Everything else (broker down, leader moved, queue full, not enough replicas,
    // throttling, transport) can clear by itself.
    default:
      return Error{kafka::Errc::unavailable, "Kafka did not accept the event: " + detail};
  }
}

namespace {

void log_from_librdkafka(const rd_kafka_t*, int level, const char* facility, const char* buf) {
  // syslog levels: 0-3 error, 4 warning, 5-6 info, 7 debug
  const auto ours = level <= 3   ? log::Level::error
                    : level == 4 ? log::Level::warn
                    : level <= 6 ? log::Level::info
                                 : log::Level::debug;
  if (log::enabled(ours))
    log::write(ours, buf, {{"component", "librdkafka"}, {"facility", facility}});
}

}  // namespace

class KafkaProducer::Impl {
 public:
  rd_kafka_t* rk = nullptr;
  rd_kafka_queue_t* main_queue = nullptr;
  rd_kafka_topic_t* probe_topic = nullptr;
  ProducerOptions options;
  std::atomic<bool> reachable{false};
  std::atomic<bool> fatal{false};
  std::size_t max_message_bytes = 1000000;
  // The probe topic's max.message.bytes as the cluster last answered it (0: not known).
  std::atomic<std::size_t> topic_max_message_bytes{0};
  std::chrono::steady_clock::time_point topic_limit_asked{};  // probe thread only
  std::mutex refusal_mutex;
  std::optional<std::string> refusal;  // the last service-permanent error, until a success
  std::atomic<bool> stopping{false};
  std::mutex probe_mutex;
  std::condition_variable probe_wakeup;
  std::condition_variable reachability_changed;
  std::thread delivery_thread;
  int wakeup_fds[2] = {-1, -1};
  std::unique_ptr<boost::asio::posix::stream_descriptor> wakeup;  // read end of the pipe
  std::thread probe_thread;
  // As librdkafka's last statistics counted them; atomic: the I/O thread serves the main
  // queue, and a flush at shutdown polls it from another thread.
  std::atomic<std::uint64_t> produce_requests{0};

  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void*) {
    auto* self = static_cast<Impl*>(rd_kafka_opaque(rk));
    std::unique_ptr<DeliveryCallback> callback(static_cast<DeliveryCallback*>(message->_private));
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      self->note_refusal(std::nullopt);
      (*callback)(std::nullopt);
      return;
    }
    // A record failed by a fatal error may be reported before the error itself (both come
    // through queues): whoever learns of the failure sees failed_fatally() already.
    if (rd_kafka_fatal_error(rk, nullptr, 0) != RD_KAFKA_RESP_ERR_NO_ERROR) self->mark_fatal();
    auto error = classify(message->err, self->options.ack_timeout, self->max_message_bytes);
    if (error.code == kafka::Errc::refused) self->note_refusal(error.message);
    (*callback)(std::move(error));
  }

  /// Unreachable for good from now on (idempotent: the error callback may come later).
  void mark_fatal() {
    {
      std::lock_guard lock(probe_mutex);
      fatal.store(true);
    }
    reachability_changed.notify_all();
  }

  // A service-permanent refusal is logged once when it starts and once when it ends, not
  // per event: every event fails the same way until an operator fixes the cause.
  void note_refusal(std::optional<std::string> now) {
    std::lock_guard lock(refusal_mutex);
    if (now.has_value() == refusal.has_value()) {
      if (now) refusal = std::move(now);
      return;
    }
    if (now) {
      log::error("kafka refuses this service; events are answered 500 until it is fixed",
                 {{"error", *now}});
    } else {
      log::info("kafka accepts events again", {{"after", *refusal}});
    }
    refusal = std::move(now);
  }

  // librdkafka's statistics (served with the main queue): the Produce requests every
  // broker connection sent so far, counted into ProduceStats by difference.
  static int on_statistics(rd_kafka_t* rk, char* json, std::size_t json_len, void*) {
    auto* self = static_cast<Impl*>(rd_kafka_opaque(rk));
    simdjson::dom::parser parser;
    simdjson::dom::object brokers;
    if (parser.parse(json, json_len)["brokers"].get(brokers) != simdjson::SUCCESS) return 0;
    std::uint64_t total = 0;
    for (const auto broker : brokers) {
      std::uint64_t sent = 0;
      if (broker.value["req"]["Produce"].get(sent) == simdjson::SUCCESS) total += sent;
    }
    // A broker connection that went away takes its count with it: start again from here.
    const auto before = self->produce_requests.exchange(total);
    if (total > before) self->options.stats->produce_requests_sent(total - before);
    return 0;  // librdkafka frees `json`
  }

  static void on_error(rd_kafka_t* rk, int err, const char* reason, void*) {
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
      // E.g. the Kafka user lacks IdempotentWrite: every later produce fails. Only a
      // restart recovers, so say so loudly and let /healthz fail.
      char detail[512];
      const auto cause = rd_kafka_fatal_error(rk, detail, sizeof detail);
      static_cast<Impl*>(rd_kafka_opaque(rk))->mark_fatal();
      log::error("kafka producer failed fatally; restart required",
                 {{"error", rd_kafka_err2name(cause)}, {"reason", detail}});
      return;
    }
    log::warn("kafka error", {{"error", rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err))},
                              {"reason", reason}});
  }

  // librdkafka writes to the pipe when the report queue turns non-empty; the handler
  // empties both, then waits again. A report queued after the last poll writes again.
  void serve_deliveries_on(boost::asio::io_context& io) {
    if (::pipe2(wakeup_fds, O_NONBLOCK | O_CLOEXEC) != 0) {
      delivery_thread = std::thread([this] { serve_deliveries(); });
      return;
    }
    rd_kafka_queue_io_event_enable(main_queue, wakeup_fds[1], "1", 1);
    wakeup = std::make_unique<boost::asio::posix::stream_descriptor>(io, wakeup_fds[0]);
    wait_for_deliveries();
  }

  void wait_for_deliveries() {
    wakeup->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       [this](const boost::system::error_code& ec) {
                         if (ec) return;
                         char drain[256];
                         while (::read(wakeup_fds[0], drain, sizeof drain) > 0) {
                         }
                         while (rd_kafka_queue_poll_callback(main_queue, 0) > 0) {
                         }
                         wait_for_deliveries();
                       });
  }

  void serve_deliveries() {
    while (!stopping.load())
      rd_kafka_queue_poll_callback(main_queue, 1000);
  }

  bool probe_once() {
    const rd_kafka_metadata_t* metadata = nullptr;
    const auto err = rd_kafka_metadata(rk, 0, probe_topic, &metadata, 2000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return false;
    bool ok = metadata->topic_cnt == 1 && metadata->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
              metadata->topics[0].partition_cnt > 0;
    for (int i = 0; ok && i < metadata->topics[0].partition_cnt; ++i) {
      ok = metadata->topics[0].partitions[i].leader >= 0;
    }
    rd_kafka_metadata_destroy(metadata);
    return ok;
  }

  // The topic's max.message.bytes (its own, else the broker's default), which the broker
  // applies to the compressed batch. Asked when Kafka becomes reachable and every few
  // minutes; a cluster that does not answer DescribeConfigs (librdkafka's mock cluster,
  // a user without DescribeConfigs on the topic) leaves it unknown.
  void learn_topic_limit() {
    constexpr auto kEvery = std::chrono::minutes(5);
    const auto now = std::chrono::steady_clock::now();
    if (topic_limit_asked != std::chrono::steady_clock::time_point{} &&
        now - topic_limit_asked < kEvery) {
      return;
    }
    topic_limit_asked = now;
    auto* resource =
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, options.probe_topic.c_str());
    auto* queue = rd_kafka_queue_new(rk);
    auto* admin = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    char error[256];
    rd_kafka_AdminOptions_set_request_timeout(admin, 2000, error, sizeof error);
    rd_kafka_DescribeConfigs(rk, &resource, 1, admin, queue);
    if (auto* event = rd_kafka_queue_poll(queue, 3000)) {
      if (rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        topic_max_message_bytes.store(limit_in(rd_kafka_event_DescribeConfigs_result(event)));
      }
      rd_kafka_event_destroy(event);
    }
    rd_kafka_AdminOptions_destroy(admin);
    rd_kafka_queue_destroy(queue);
    rd_kafka_ConfigResource_destroy(resource);
  }

  static std::size_t limit_in(const rd_kafka_DescribeConfigs_result_t* result) {
    if (result == nullptr) return 0;
    std::size_t count = 0;
    const auto* const* resources = rd_kafka_DescribeConfigs_result_resources(result, &count);
    if (count != 1 || rd_kafka_ConfigResource_error(resources[0]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return 0;
    }
    std::size_t entries = 0;
    const auto* const* configs = rd_kafka_ConfigResource_configs(resources[0], &entries);
    for (std::size_t i = 0; i < entries; ++i) {
      if (std::string_view(rd_kafka_ConfigEntry_name(configs[i])) != "max.message.bytes") continue;
      const char* value = rd_kafka_ConfigEntry_value(configs[i]);
      return value != nullptr ? static_cast<std::size_t>(std::strtoull(value, nullptr, 10)) : 0;
    }
    return 0;
  }

  void run_probe() {
    std::unique_lock lock(probe_mutex);
    while (!stopping.load()) {
      lock.unlock();
      const bool now = probe_once();
      if (now) learn_topic_limit();
      lock.lock();
      const bool changed = now != reachable.exchange(now);
      lock.unlock();
      if (changed) {
        reachability_changed.notify_all();
        if (now) {
          log::info("kafka reachable", {{"topic", options.probe_topic}});
        } else {
          log::warn("kafka unreachable", {{"topic", options.probe_topic}});
        }
      }
      lock.lock();
      probe_wakeup.wait_for(lock, options.probe_interval, [this] { return stopping.load(); });
    }
  }

  ~Impl() {
    stopping.store(true);
    probe_wakeup.notify_all();
    if (probe_thread.joinable()) probe_thread.join();
    if (main_queue != nullptr) rd_kafka_queue_yield(main_queue);
    if (delivery_thread.joinable()) delivery_thread.join();
    if (wakeup) {
      rd_kafka_queue_io_event_enable(main_queue, -1, nullptr, 0);
      wakeup.reset();  // closes the read end
      ::close(wakeup_fds[1]);
    }
    if (rk == nullptr) return;
    // Report whatever is still queued (as purged) so no callback is left dangling.
    rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_flush(rk, 1000);
    if (probe_topic != nullptr) rd_kafka_topic_destroy(probe_topic);
    if (main_queue != nullptr) rd_kafka_queue_destroy(main_queue);
    rd_kafka_destroy(rk);
  }
};

namespace {

// librdkafka's configuration for `options`: parley's durability settings, then the user's
// properties. Fails naming the first property librdkafka or parley refuses.
Result<rd_kafka_conf_t*, std::string> producer_conf(const ProducerOptions& options) {
  if (auto problem = check_durability(options.properties)) return *problem;
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", options.bootstrap_servers},
      {"acks", "all"},
      {"enable.idempotence", "true"},
      // No 2xx without Kafka's ack, whichever deadline fires first (INTRODUCTION.md,
      // "Message timeout considerations"): a report of _MSG_TIMED_OUT means "maybe
      // written", and produce_acknowledged's own timer, armed with the same value when
      // the record is queued, answers 503 (or spools) on it -- a same-id repeat at worst.
      // A success report is the only path to 2xx, and librdkafka sends one only for an
      // acks=all acknowledgement. Setting both to one value keeps a record from
      // outliving its answer by more than a delivery-report hop.
      {"message.timeout.ms", std::to_string(options.ack_timeout.count())},
      // The answer waits for the ack, so batching may cost it at most this: half a
      // millisecond doubles the records per Produce request under load (3.7 -> 7.2), which
      // cut parley's CPU per request by 4-17 % and halves the brokers' request rate, with no
      // change to the median answer (benchmarks/RESULTS.md, "Third perf pass").
      {"linger.ms", "0.5"},
      // librdkafka's default (1 GiB) is above a pod's memory; a full queue answers 503.
      {"queue.buffering.max.kbytes", "65536"},
      // Events are JSON: lz4 shrinks them ~4x for little CPU (benchmarks/RESULTS.md).
      {"compression.type", "lz4"},
  };
  if (options.stats != nullptr) settings["statistics.interval.ms"] = "5000";
  if (options.default_max_message_bytes > 0) {
    settings["message.max.bytes"] = std::to_string(options.default_max_message_bytes);
  }
  for (const auto& [key, value] : options.properties)
    settings[key] = value;
  return make_conf(settings);
}

std::size_t effective_max_message_bytes(const rd_kafka_conf_t* conf) {
  char value[32];
  std::size_t size = sizeof value;
  if (rd_kafka_conf_get(conf, "message.max.bytes", value, &size) != RD_KAFKA_CONF_OK)
    return 1000000;
  return std::stoul(value);
}

}  // namespace

std::size_t max_message_bytes(const ProducerOptions& options) {
  auto conf = producer_conf(options);
  if (!conf) return 0;
  const auto bytes = effective_max_message_bytes(conf.value());
  rd_kafka_conf_destroy(conf.value());
  return bytes;
}

std::optional<std::string> KafkaProducer::check(const ProducerOptions& options) {
  auto conf = producer_conf(options);
  if (!conf) return conf.error();
  rd_kafka_conf_destroy(conf.value());
  return std::nullopt;
}

Result<std::unique_ptr<KafkaProducer>, std::string> KafkaProducer::create(
    const ProducerOptions& options) {
  auto made = producer_conf(options);
  if (!made) return made.error();
  rd_kafka_conf_t* conf = made.value();
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->max_message_bytes = effective_max_message_bytes(conf);
  char error[512];
  rd_kafka_conf_set_dr_msg_cb(conf, &Impl::on_delivery);
  rd_kafka_conf_set_error_cb(conf, &Impl::on_error);
  rd_kafka_conf_set_log_cb(conf, &log_from_librdkafka);
  if (options.stats != nullptr) rd_kafka_conf_set_stats_cb(conf, &Impl::on_statistics);
  rd_kafka_conf_set_opaque(conf, impl.get());

  impl->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (impl->rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return std::string("kafka: ") + error;
  }
  impl->main_queue = rd_kafka_queue_get_main(impl->rk);
  impl->probe_topic = rd_kafka_topic_new(impl->rk, options.probe_topic.c_str(), nullptr);
  if (options.delivery_context != nullptr) {
    impl->serve_deliveries_on(*options.delivery_context);
  } else {
    impl->delivery_thread = std::thread([raw = impl.get()] { raw->serve_deliveries(); });
  }
  impl->probe_thread = std::thread([raw = impl.get()] { raw->run_probe(); });
  return std::unique_ptr<KafkaProducer>(new KafkaProducer(std::move(impl)));
}

KafkaProducer::KafkaProducer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
KafkaProducer::~KafkaProducer() = default;

void KafkaProducer::produce(const Record& record, DeliveryCallback on_delivery) {
  rd_kafka_headers_t* headers = rd_kafka_headers_new(record.headers.size());
  for (const auto& [name, value] : record.headers) {
    rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()), value.data(),
                        static_cast<ssize_t>(value.size()));
  }
  auto callback = std::make_unique<DeliveryCallback>(std::move(on_delivery));
  std::array<rd_kafka_vu_t, 6> values{};
  values[0].vtype = RD_KAFKA_VTYPE_TOPIC;
  values[0].u.cstr = record.topic.c_str();
  values[1].vtype = RD_KAFKA_VTYPE_KEY;
  values[1].u.mem = {const_cast<char*>(record.key.data()), record.key.size()};
  values[2].vtype = RD_KAFKA_VTYPE_VALUE;
  // A null value (not an empty one) is what compaction treats as a delete.
  values[2].u.mem = {record.tombstone ? nullptr : const_cast<char*>(record.value.data()),
                     record.tombstone ? 0 : record.value.size()};
  values[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
  values[3].u.i = RD_KAFKA_MSG_F_COPY;
  values[4].vtype = RD_KAFKA_VTYPE_HEADERS;
  values[4].u.headers = headers;
  values[5].vtype = RD_KAFKA_VTYPE_OPAQUE;
  values[5].u.ptr = callback.get();
  rd_kafka_error_t* failure = rd_kafka_produceva(impl_->rk, values.data(), values.size());
  const auto err = failure == nullptr ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_error_code(failure);
  if (failure != nullptr) rd_kafka_error_destroy(failure);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_headers_destroy(headers);
    (*callback)(classify(err, impl_->options.ack_timeout, impl_->max_message_bytes));
    return;
  }
  // Owned by librdkafka until the delivery report, which deletes it.
  [[maybe_unused]] auto* owned_by_librdkafka = callback.release();
}

bool KafkaProducer::reachable() const {
  return impl_->reachable.load() && !impl_->fatal.load();
}

bool KafkaProducer::failed_fatally() const {
  return impl_->fatal.load();
}

std::optional<std::string> KafkaProducer::refusal() const {
  std::lock_guard lock(impl_->refusal_mutex);
  return impl_->refusal;
}

std::optional<std::size_t> KafkaProducer::topic_max_message_bytes() const {
  const auto learned = impl_->topic_max_message_bytes.load();
  if (learned == 0) return std::nullopt;
  return learned;
}

std::size_t KafkaProducer::max_message_bytes() const {
  return impl_->max_message_bytes;
}

bool KafkaProducer::wait_reachable(bool wanted, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->probe_mutex);
  return impl_->reachability_changed.wait_for(lock, timeout,
                                              [&] { return impl_->reachable.load() == wanted; });
}

int KafkaProducer::flush(std::chrono::milliseconds timeout) {
  rd_kafka_flush(impl_->rk, static_cast<int>(timeout.count()));
  return rd_kafka_outq_len(impl_->rk);
}

}  // namespace parley::kafka
