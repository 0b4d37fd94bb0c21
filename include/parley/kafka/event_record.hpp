#pragma once

#include <cstddef>
#include <string>

#include "parley/events/cloud_event.hpp"
#include "parley/kafka/producer.hpp"

namespace parley::kafka {

/// `event` as a record of `topic`: events::encode's key, structured-mode JSON value and
/// ce_* headers. The one way every stage (ingest, enrichment, Directly, heal) turns an event
/// into what it produces. Pure.
Record event_record(std::string topic, const events::CloudEvent& event);

/// The bytes of `record` Kafka counts against message.max.bytes: key, value and headers.
std::size_t record_bytes(const Record& record);

}  // namespace parley::kafka
