#pragma once

#include <optional>

#include "parley/common/error.hpp"
#include "parley/kafka/producer.hpp"

namespace parley::kafka {

/// Whether `record` fits what Kafka will take, checked before it is produced or spooled so
/// that nothing accepted is one the broker refuses for good: its bytes against the
/// producer's message.max.bytes (which librdkafka applies uncompressed) and -- when it is
/// over the topic's max.message.bytes the cluster stated, which the broker applies to the
/// compressed batch -- its lz4-compressed size (lz4 is parley's default codec) against that.
/// nullopt when it fits; else too_large naming the sizes and the limit. Thread-safe.
std::optional<Error> check_fits(const Record& record, const Producer& producer);

/// The bytes lz4 makes of `record`'s value, plus its key and headers as they are.
std::size_t lz4_record_bytes(const Record& record);

}  // namespace parley::kafka
