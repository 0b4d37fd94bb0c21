#include "parley/kafka/event_record.hpp"

namespace parley::kafka {

Record event_record(std::string topic, const events::CloudEvent& event) {
  auto encoded = events::encode(event);
  return Record{.topic = std::move(topic),
                .key = std::move(encoded.key),
                .value = std::move(encoded.value),
                .headers = std::move(encoded.headers)};
}

std::size_t record_bytes(const Record& record) {
  std::size_t bytes = record.key.size() + record.value.size();
  for (const auto& [name, value] : record.headers)
    bytes += name.size() + value.size();
  return bytes;
}

}  // namespace parley::kafka
