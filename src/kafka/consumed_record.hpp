#pragma once
// Private to src/kafka: librdkafka's message as parley's ConsumedRecord.

#include <librdkafka/rdkafka.h>

#include "parley/kafka/consumer.hpp"

namespace parley::kafka {

/// Copies topic, partition, offset, timestamp, key, value (tombstone when null) and headers.
ConsumedRecord to_record(const rd_kafka_message_t& message);

}  // namespace parley::kafka
