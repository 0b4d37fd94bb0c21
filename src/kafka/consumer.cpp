#include "parley/kafka/consumer.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string_view>
#include <thread>

#include "conf.hpp"
#include "consumed_record.hpp"
#include "parley/log/log.hpp"

namespace parley::kafka {

void OffsetTracker::assign(std::int32_t partition) {
  std::lock_guard lock(mutex_);
  partitions_[partition] = Partition{};
}

void OffsetTracker::revoke(std::int32_t partition) {
  std::lock_guard lock(mutex_);
  partitions_.erase(partition);
}

void OffsetTracker::started(std::int32_t partition, std::int64_t offset) {
  std::lock_guard lock(mutex_);
  const auto it = partitions_.find(partition);
  if (it == partitions_.end()) return;
  it->second.outstanding.insert(offset);
  it->second.next = std::max(it->second.next, offset + 1);
}

void OffsetTracker::done(std::int32_t partition, std::int64_t offset) {
  std::lock_guard lock(mutex_);
  const auto it = partitions_.find(partition);
  if (it != partitions_.end()) it->second.outstanding.erase(offset);
}

std::map<std::int32_t, std::int64_t> OffsetTracker::take_commits() {
  std::lock_guard lock(mutex_);
  std::map<std::int32_t, std::int64_t> commits;
  for (auto& [partition, state] : partitions_) {
    if (state.next < 0) continue;  // nothing read yet
    // Everything below the oldest unfinished record is done.
    const auto safe = state.outstanding.empty() ? state.next : *state.outstanding.begin();
    if (safe > state.committed) {
      commits[partition] = safe;
      state.committed = safe;
    }
  }
  return commits;
}

std::optional<std::int64_t> OffsetTracker::resume_offset(std::int32_t partition) const {
  std::lock_guard lock(mutex_);
  const auto it = partitions_.find(partition);
  if (it == partitions_.end() || it->second.next < 0) return std::nullopt;
  const auto& state = it->second;
  return state.outstanding.empty() ? state.next : *state.outstanding.begin();
}

std::size_t OffsetTracker::outstanding() const {
  std::lock_guard lock(mutex_);
  std::size_t total = 0;
  for (const auto& [partition, state] : partitions_)
    total += state.outstanding.size();
  return total;
}

namespace {

using Clock = std::chrono::steady_clock;
// A revocation's commit is pointless once the group has moved on (about a session).
constexpr auto kRevokeCommitWait = std::chrono::seconds(6);
// Leaving the group from a destructor that no stop() preceded.
constexpr auto kStopWhenDestroyed = std::chrono::seconds(10);

using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                      decltype(&rd_kafka_topic_partition_list_destroy)>;

PartitionList make_list(int size) {
  return PartitionList(rd_kafka_topic_partition_list_new(size),
                       &rd_kafka_topic_partition_list_destroy);
}

}  // namespace

ConsumedRecord to_record(const rd_kafka_message_t& message) {
  ConsumedRecord record;
  record.topic = rd_kafka_topic_name(message.rkt);
  record.partition = message.partition;
  record.offset = message.offset;
  rd_kafka_timestamp_type_t type;
  record.timestamp_ms = rd_kafka_message_timestamp(&message, &type);
  if (message.key != nullptr) {
    record.key.assign(static_cast<const char*>(message.key), message.key_len);
  }
  if (message.payload != nullptr) {
    record.value.assign(static_cast<const char*>(message.payload), message.len);
  } else {
    record.tombstone = true;
  }
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name;
    const void* value;
    size_t size;
    for (size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      record.headers.emplace_back(name, value == nullptr
                                            ? std::string()
                                            : std::string(static_cast<const char*>(value), size));
    }
  }
  return record;
}

class KafkaConsumer::Impl {
 public:
  rd_kafka_t* rk = nullptr;
  ConsumerOptions options;
  RecordHandler handler;
  OffsetTracker tracker;
  std::atomic<bool> stopping{false};
  std::thread thread;
  bool paused = false;   // polling thread only
  bool closing = false;  // set by stop() once the polling thread ended
  Clock::time_point close_deadline;
  mutable std::mutex lag_mutex;
  std::map<std::int32_t, std::int64_t> lag;

  ~Impl() {
    // stop() closed the consumer, or gave up at its deadline: destroying must not block.
    if (rk != nullptr) rd_kafka_destroy_flags(rk, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
  }

  static void on_rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                           rd_kafka_topic_partition_list_t* partitions, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    const bool cooperative = std::string_view(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      self->assign(partitions, cooperative);
      return;
    }
    self->revoke(partitions, cooperative, err);
  }

  // Logs and frees `error` (may be null: nothing to report).
  void report(rd_kafka_error_t* error, std::string_view what) const {
    if (error == nullptr) return;
    log::error(what, {{"topic", options.topic}, {"error", rd_kafka_error_string(error)}});
    rd_kafka_error_destroy(error);
  }

  // Cooperative: `partitions` are added to what this member owns. Eager: they replace it.
  void assign(rd_kafka_topic_partition_list_t* partitions, bool cooperative) {
    if (options.on_assigned) {
      std::vector<std::int32_t> assigned;
      assigned.reserve(static_cast<std::size_t>(partitions->cnt));
      for (int i = 0; i < partitions->cnt; ++i)
        assigned.push_back(partitions->elems[i].partition);
      options.on_assigned(assigned);
    }
    for (int i = 0; i < partitions->cnt; ++i) {
      tracker.assign(partitions->elems[i].partition);
      if (options.read_from_beginning) partitions->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
    }
    if (cooperative) {
      report(rd_kafka_incremental_assign(rk, partitions), "kafka incremental assign failed");
    } else {
      rd_kafka_assign(rk, partitions);
    }
    if (paused) rd_kafka_pause_partitions(rk, partitions);
    log::info("kafka partitions assigned",
              {{"topic", options.topic}, {"partitions", partitions->cnt}});
  }

  // Commits what is done before another member takes over these partitions, then lets
  // them go; partitions not listed (cooperative) keep being consumed meanwhile.
  void revoke(rd_kafka_topic_partition_list_t* partitions, bool cooperative,
              rd_kafka_resp_err_t reason) {
    commit_before(closing ? close_deadline : Clock::now() + kRevokeCommitWait);
    std::vector<std::int32_t> revoked;
    for (int i = 0; i < partitions->cnt; ++i) {
      tracker.revoke(partitions->elems[i].partition);
      revoked.push_back(partitions->elems[i].partition);
    }
    if (cooperative) {
      report(rd_kafka_incremental_unassign(rk, partitions), "kafka incremental unassign failed");
    } else {
      rd_kafka_assign(rk, nullptr);
    }
    if (options.on_revoked) options.on_revoked(revoked);
    {
      std::lock_guard lock(lag_mutex);
      for (const auto partition : revoked)
        lag.erase(partition);
    }
    log::info("kafka partitions revoked", {{"topic", options.topic},
                                           {"partitions", partitions->cnt},
                                           {"reason", rd_kafka_err2name(reason)}});
  }

  // The offsets finished since the last commit, taken from the tracker; null when none.
  PartitionList take_commits() {
    const auto commits = tracker.take_commits();
    if (commits.empty()) return {nullptr, &rd_kafka_topic_partition_list_destroy};
    auto list = make_list(static_cast<int>(commits.size()));
    for (const auto& [partition, offset] : commits) {
      rd_kafka_topic_partition_list_add(list.get(), options.topic.c_str(), partition)->offset =
          offset;
    }
    return list;
  }

  void commit_async() {
    const auto list = take_commits();
    if (!list) return;
    const auto err = rd_kafka_commit(rk, list.get(), 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      // Not lost: the offsets are committed again with the next progress, or the records
      // are read again by whoever owns the partition next.
      log::warn("kafka offset commit failed",
                {{"topic", options.topic}, {"error", rd_kafka_err2str(err)}});
    }
  }

  // Commits what is done and waits for the broker's answer until `deadline`.
  void commit_before(Clock::time_point deadline) {
    const auto list = take_commits();
    if (!list) return;
    rd_kafka_queue_t* answers = rd_kafka_queue_new(rk);
    rd_kafka_resp_err_t err = rd_kafka_commit_queue(rk, list.get(), answers, nullptr, nullptr);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_event_t* answer = rd_kafka_queue_poll(answers, ms_until(deadline));
      err = answer == nullptr ? RD_KAFKA_RESP_ERR__TIMED_OUT : rd_kafka_event_error(answer);
      if (answer != nullptr) rd_kafka_event_destroy(answer);
    }
    rd_kafka_queue_destroy(answers);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      log::warn(
          "kafka offset commit not confirmed in time; the partitions' next owner reads "
          "those records again",
          {{"topic", options.topic}, {"error", rd_kafka_err2str(err)}});
    }
  }

  // Leaves the group, serving the revocation it brings, until `deadline`.
  void close_before(Clock::time_point deadline) {
    rd_kafka_queue_t* events = rd_kafka_queue_new(rk);
    if (rd_kafka_error_t* error = rd_kafka_consumer_close_queue(rk, events)) {
      log::warn("kafka consumer close failed",
                {{"topic", options.topic}, {"error", rd_kafka_error_string(error)}});
      rd_kafka_error_destroy(error);
    }
    while (rd_kafka_consumer_closed(rk) == 0 && Clock::now() < deadline) {
      rd_kafka_event_t* event = rd_kafka_queue_poll(events, std::min(ms_until(deadline), 100));
      if (event == nullptr) continue;
      if (rd_kafka_event_type(event) == RD_KAFKA_EVENT_REBALANCE) {
        on_rebalance(rk, rd_kafka_event_error(event), rd_kafka_event_topic_partition_list(event),
                     this);
      }
      rd_kafka_event_destroy(event);
    }
    if (rd_kafka_consumer_closed(rk) == 0) {
      log::warn(
          "kafka consumer did not leave its group by shutdown_timeout_ms; its session "
          "expires on the broker",
          {{"topic", options.topic}, {"group", options.group_id}});
    }
    rd_kafka_queue_destroy(events);
  }

  static int ms_until(Clock::time_point deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, std::int64_t{1000000}));
  }

  void set_paused(bool pause) {
    if (pause == paused) return;
    rd_kafka_topic_partition_list_t* assigned = nullptr;
    if (rd_kafka_assignment(rk, &assigned) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    PartitionList owned(assigned, &rd_kafka_topic_partition_list_destroy);
    if (pause) {
      rd_kafka_pause_partitions(rk, assigned);
    } else {
      rd_kafka_resume_partitions(rk, assigned);
    }
    paused = pause;
    log::info(
        pause ? "enrichment backlog full: fetching paused" : "fetching resumed",
        {{"topic", options.topic}, {"outstanding", static_cast<long long>(tracker.outstanding())}});
  }

  void refresh_lag() {
    rd_kafka_topic_partition_list_t* assigned = nullptr;
    if (rd_kafka_assignment(rk, &assigned) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    PartitionList owned(assigned, &rd_kafka_topic_partition_list_destroy);
    rd_kafka_position(rk, assigned);  // fills offset; negative before the first fetch
    std::map<std::int32_t, std::int64_t> fresh;
    for (int i = 0; i < assigned->cnt; ++i) {
      const auto& p = assigned->elems[i];
      std::int64_t low = 0;
      std::int64_t high = 0;
      if (rd_kafka_get_watermark_offsets(rk, options.topic.c_str(), p.partition, &low, &high) !=
              RD_KAFKA_RESP_ERR_NO_ERROR ||
          high < 0) {
        continue;
      }
      // Fetched but unfinished records count as lag too: they are not done.
      const auto resume = tracker.resume_offset(p.partition).value_or(p.offset);
      if (resume < 0) continue;
      fresh[p.partition] = std::max<std::int64_t>(0, high - resume);
    }
    std::lock_guard lock(lag_mutex);
    lag = std::move(fresh);
  }

  void run() {
    auto last_commit = std::chrono::steady_clock::now();
    while (!stopping.load()) {
      const auto outstanding = tracker.outstanding();
      if (outstanding >= options.max_outstanding) set_paused(true);
      if (paused && outstanding < options.max_outstanding / 2) set_paused(false);
      if (rd_kafka_message_t* message = rd_kafka_consumer_poll(rk, 100)) {
        handle(*message);
        rd_kafka_message_destroy(message);
      }
      if (std::chrono::steady_clock::now() - last_commit >= options.commit_interval) {
        commit_async();
        refresh_lag();
        last_commit = std::chrono::steady_clock::now();
      }
    }
  }

  void handle(const rd_kafka_message_t& message) {
    if (message.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
    if (message.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      log::warn("kafka consumer error",
                {{"topic", options.topic}, {"error", rd_kafka_message_errstr(&message)}});
      return;
    }
    // State topics are re-read on every assignment, so there is nothing to track.
    if (!options.read_from_beginning) tracker.started(message.partition, message.offset);
    handler(to_record(message));
  }
};

Result<std::unique_ptr<KafkaConsumer>, std::string> KafkaConsumer::create(ConsumerOptions options,
                                                                          RecordHandler handler) {
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", options.bootstrap_servers},
      {"group.id", options.group_id},
      // parley commits itself, only offsets whose records are done.
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      // A new group starts from the oldest event: nothing published before it is skipped.
      {"auto.offset.reset", "earliest"},
      // Only the partitions that change owner stop during a rebalance.
      {"partition.assignment.strategy", "cooperative-sticky"},
      // A member that died is noticed after 6 s (Kafka's smallest allowed session,
      // group.min.session.timeout.ms); heartbeats every 1 s leave room for 5 lost ones.
      // With static membership a restart within the session takes its partitions back
      // at once, without any rebalance (docs/operations.md, "Consumer groups").
      {"session.timeout.ms", "6000"},
      {"heartbeat.interval.ms", "1000"},
      // A request the broker does not answer (a network partition) is given up after 10 s
      // instead of librdkafka's 60: destroying the handle at shutdown waits for the group
      // leave and the last commit to be answered or given up (docs/operations.md).
      {"socket.timeout.ms", "10000"},
      // Prefetch at most 8 MB (librdkafka's default is 64 MB): enrichment waits on its
      // platforms, not on Kafka, and a backlog must not become resident memory.
      {"queued.max.messages.kbytes", "8192"},
  };
  if (!options.instance_id.empty()) settings["group.instance.id"] = options.instance_id;
  for (const auto& [key, value] : options.properties)
    settings[key] = value;
  settings["enable.auto.commit"] = "false";
  auto made = make_conf(settings);
  if (!made) return made.error();
  rd_kafka_conf_t* conf = made.value();
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->handler = std::move(handler);
  rd_kafka_conf_set_rebalance_cb(conf, &Impl::on_rebalance);
  rd_kafka_conf_set_opaque(conf, impl.get());
  char error[512];
  impl->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  if (impl->rk == nullptr) return std::string("kafka consumer: ") + error;
  rd_kafka_poll_set_consumer(impl->rk);
  auto topics = make_list(1);
  rd_kafka_topic_partition_list_add(topics.get(), impl->options.topic.c_str(),
                                    RD_KAFKA_PARTITION_UA);
  if (const auto err = rd_kafka_subscribe(impl->rk, topics.get()); err) {
    return "kafka consumer: cannot subscribe to " + impl->options.topic + ": " +
           rd_kafka_err2str(err);
  }
  return std::unique_ptr<KafkaConsumer>(new KafkaConsumer(std::move(impl)));
}

KafkaConsumer::KafkaConsumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

KafkaConsumer::~KafkaConsumer() {
  stop(Clock::now() + kStopWhenDestroyed);
}

void KafkaConsumer::start() {
  impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

void KafkaConsumer::done(std::int32_t partition, std::int64_t offset) {
  impl_->tracker.done(partition, offset);
}

void KafkaConsumer::stop(std::chrono::steady_clock::time_point deadline) {
  if (impl_->stopping.exchange(true)) return;
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->closing = true;
  impl_->close_deadline = deadline;
  impl_->commit_before(deadline);
  impl_->close_before(deadline);  // leaves the group; the revoke callback runs here
}

std::map<std::int32_t, std::int64_t> KafkaConsumer::lag() const {
  std::lock_guard lock(impl_->lag_mutex);
  return impl_->lag;
}

const std::string& KafkaConsumer::topic() const {
  return impl_->options.topic;
}

}  // namespace parley::kafka
