#include "parley/kafka/topic_scan.hpp"

#include <librdkafka/rdkafka.h>

#include <memory>
#include <vector>

#include "conf.hpp"
#include "consumed_record.hpp"

namespace parley::kafka {
namespace {

using Clock = std::chrono::steady_clock;

struct HandleDeleter {
  void operator()(rd_kafka_t* rk) const {
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
  }
};
using Handle = std::unique_ptr<rd_kafka_t, HandleDeleter>;

struct Range {
  std::int32_t partition;
  std::int64_t low;
  std::int64_t high;  ///< one past the last record that existed at the start
};

int timeout_ms(std::chrono::milliseconds timeout) {
  return static_cast<int>(timeout.count());
}

Result<Handle, std::string> make_consumer(const ScanOptions& options) {
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", options.bootstrap_servers},
      // Required by librdkafka for a consumer handle; no group is joined (assign(), not
      // subscribe()) and nothing is committed.
      {"group.id", "parley-scan"},
      {"enable.auto.commit", "false"},
      {"enable.partition.eof", "true"},
      {"log_level", "3"},
  };
  for (const auto& [key, value] : options.properties)
    settings[key] = value;
  settings["enable.auto.commit"] = "false";
  settings["enable.partition.eof"] = "true";
  auto made = make_conf(settings);
  if (!made) return made.error();
  rd_kafka_conf_t* conf = made.value();
  char error[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
  if (rk == nullptr) return std::string("kafka consumer: ") + error;
  return Handle(rk);
}

// Every partition of `topic` and what each holds now (empty ones too).
Result<std::vector<Range>, std::string> partitions_of(rd_kafka_t* rk, const ScanOptions& options) {
  rd_kafka_topic_t* topic = rd_kafka_topic_new(rk, options.topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  const auto err = rd_kafka_metadata(rk, 0, topic, &metadata, timeout_ms(options.timeout));
  rd_kafka_topic_destroy(topic);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return "Kafka (" + options.bootstrap_servers + ") unreachable within " +
           std::to_string(options.timeout.count()) + " ms: " + rd_kafka_err2str(err);
  }
  const auto& described = metadata->topics[0];
  const auto topic_error = described.err;
  const int partitions = described.partition_cnt;
  rd_kafka_metadata_destroy(metadata);
  if (topic_error == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART && options.missing_is_empty) {
    return std::vector<Range>{};
  }
  if (topic_error != RD_KAFKA_RESP_ERR_NO_ERROR || partitions == 0) {
    return "topic " + options.topic + ": " + rd_kafka_err2str(topic_error);
  }
  std::vector<Range> ranges;
  for (std::int32_t p = 0; p < partitions; ++p) {
    Range range{.partition = p, .low = 0, .high = 0};
    if (const auto watermark_error = rd_kafka_query_watermark_offsets(
            rk, options.topic.c_str(), p, &range.low, &range.high, timeout_ms(options.timeout));
        watermark_error != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return "topic " + options.topic + " partition " + std::to_string(p) +
             ": watermarks not read: " + rd_kafka_err2str(watermark_error);
    }
    ranges.push_back(range);
  }
  return ranges;
}

// The partitions of `topic` holding records now.
Result<std::vector<Range>, std::string> ranges_of(rd_kafka_t* rk, const ScanOptions& options) {
  auto all = partitions_of(rk, options);
  if (!all) return all.error();
  std::vector<Range> ranges;
  for (const auto& range : all.value()) {
    if (range.high > range.low) ranges.push_back(range);
  }
  return ranges;
}

}  // namespace

Result<ScanSummary, std::string> scan_topic(
    const ScanOptions& options, const std::function<void(const ConsumedRecord&)>& on_record,
    const std::function<void(std::int64_t, std::int64_t)>& on_progress) {
  auto consumer = make_consumer(options);
  if (!consumer) return consumer.error();
  rd_kafka_t* rk = consumer.value().get();
  auto ranges = ranges_of(rk, options);
  if (!ranges) return ranges.error();

  ScanSummary summary;
  std::map<std::int32_t, std::int64_t> end;  // partitions not read to `high` yet
  rd_kafka_topic_partition_list_t* assignment =
      rd_kafka_topic_partition_list_new(static_cast<int>(ranges.value().size()));
  for (const auto& range : ranges.value()) {
    summary.total += range.high - range.low;
    end[range.partition] = range.high;
    rd_kafka_topic_partition_list_add(assignment, options.topic.c_str(), range.partition)->offset =
        range.low;
  }
  const auto assigned = rd_kafka_assign(rk, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  if (assigned != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return "topic " + options.topic + ": not assigned: " + rd_kafka_err2str(assigned);
  }

  auto last_record = Clock::now();
  auto last_progress = Clock::now();
  while (!end.empty()) {
    rd_kafka_message_t* message = rd_kafka_consumer_poll(rk, 200);
    if (on_progress && Clock::now() - last_progress >= std::chrono::seconds(1)) {
      on_progress(summary.scanned, summary.total);
      last_progress = Clock::now();
    }
    if (message == nullptr) {
      if (Clock::now() - last_record > options.timeout) {
        return "topic " + options.topic + ": no record for " +
               std::to_string(options.timeout.count()) + " ms with " +
               std::to_string(summary.total - summary.scanned) + " left to read";
      }
      continue;
    }
    std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> owned(
        message, &rd_kafka_message_destroy);
    last_record = Clock::now();
    const auto partition = end.find(message->partition);
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      // Records deleted by retention meanwhile end a partition early.
      if (partition != end.end() && message->offset >= partition->second) end.erase(partition);
      continue;
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return "topic " + options.topic + ": " + rd_kafka_message_errstr(message);
    }
    if (partition == end.end() || message->offset >= partition->second) continue;
    on_record(to_record(*message));
    ++summary.scanned;
    if (message->offset + 1 >= partition->second) end.erase(partition);
  }
  if (on_progress) on_progress(summary.scanned, summary.total);
  return summary;
}

Result<std::map<std::int32_t, std::int64_t>, std::string> topic_ends(const ScanOptions& options) {
  auto consumer = make_consumer(options);
  if (!consumer) return consumer.error();
  auto partitions = partitions_of(consumer.value().get(), options);
  if (!partitions) return partitions.error();
  std::map<std::int32_t, std::int64_t> ends;
  for (const auto& range : partitions.value())
    ends[range.partition] = range.high;
  return ends;
}

Result<bool, std::string> follow_topic(
    const ScanOptions& options, const std::map<std::int32_t, std::int64_t>& from,
    std::chrono::steady_clock::time_point until,
    const std::function<bool(const ConsumedRecord&)>& on_record) {
  auto consumer = make_consumer(options);
  if (!consumer) return consumer.error();
  rd_kafka_t* rk = consumer.value().get();
  // The topic may appear only after `from` was read: wait for it until `until`.
  Result<std::vector<Range>, std::string> partitions = std::string();
  for (;;) {
    partitions = partitions_of(rk, options);
    if (partitions && !partitions.value().empty()) break;
    if (Clock::now() >= until)
      return partitions ? Result<bool, std::string>(false) : partitions.error();
    rd_kafka_poll(rk, 200);
  }
  rd_kafka_topic_partition_list_t* assignment =
      rd_kafka_topic_partition_list_new(static_cast<int>(partitions.value().size()));
  for (const auto& range : partitions.value()) {
    const auto start = from.find(range.partition);
    rd_kafka_topic_partition_list_add(assignment, options.topic.c_str(), range.partition)->offset =
        start == from.end() ? RD_KAFKA_OFFSET_BEGINNING : start->second;
  }
  const auto assigned = rd_kafka_assign(rk, assignment);
  rd_kafka_topic_partition_list_destroy(assignment);
  if (assigned != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return "topic " + options.topic + ": not assigned: " + rd_kafka_err2str(assigned);
  }
  while (Clock::now() < until) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    rd_kafka_message_t* message =
        rd_kafka_consumer_poll(rk, static_cast<int>(std::min<std::int64_t>(left.count(), 200)));
    if (message == nullptr) continue;
    std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> owned(
        message, &rd_kafka_message_destroy);
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return "topic " + options.topic + ": " + rd_kafka_message_errstr(message);
    }
    if (on_record(to_record(*message))) return true;
  }
  return false;
}

}  // namespace parley::kafka
