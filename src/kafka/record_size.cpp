#include "parley/kafka/record_size.hpp"

#include <lz4.h>

#include <string>
#include <vector>

#include "parley/kafka/errors.hpp"
#include "parley/kafka/event_record.hpp"

namespace parley::kafka {
namespace {

// A record batch's own header and one record's framing, which the broker counts too.
constexpr std::size_t kBatchOverheadBytes = 128;

}  // namespace

std::size_t lz4_record_bytes(const Record& record) {
  const auto raw = record_bytes(record);
  const auto value_bytes = record.value.size();
  if (value_bytes == 0 || value_bytes > static_cast<std::size_t>(LZ4_MAX_INPUT_SIZE)) return raw;
  std::vector<char> out(static_cast<std::size_t>(LZ4_compressBound(static_cast<int>(value_bytes))));
  const int compressed = LZ4_compress_default(
      record.value.data(), out.data(), static_cast<int>(value_bytes), static_cast<int>(out.size()));
  if (compressed <= 0) return raw;
  return raw - value_bytes + static_cast<std::size_t>(compressed);
}

std::optional<Error> check_fits(const Record& record, const Producer& producer) {
  const std::size_t bytes = record_bytes(record);
  const std::size_t producer_limit = producer.max_message_bytes();
  if (bytes > producer_limit) {
    return Error{Errc::too_large, "the encoded event is " + std::to_string(bytes) +
                                      " bytes, over Kafka's message limit of " +
                                      std::to_string(producer_limit) +
                                      " bytes (kafka.properties.message.max.bytes)"};
  }
  const auto topic_limit = producer.topic_max_message_bytes();
  if (!topic_limit || bytes + kBatchOverheadBytes <= *topic_limit) return std::nullopt;
  const std::size_t compressed = lz4_record_bytes(record) + kBatchOverheadBytes;
  if (compressed <= *topic_limit) return std::nullopt;
  return Error{Errc::too_large, "the encoded event is " + std::to_string(bytes) + " bytes, " +
                                    std::to_string(compressed) +
                                    " compressed with lz4 (batch framing included), over " +
                                    "the broker's limit of " + std::to_string(*topic_limit) +
                                    " bytes (max.message.bytes of topic " + record.topic + ")"};
}

}  // namespace parley::kafka
