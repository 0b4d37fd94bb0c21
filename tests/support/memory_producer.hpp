#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "parley/kafka/producer.hpp"

namespace parley::testing {

/// A producer for unit tests: acknowledges every record at once and keeps it.
/// Not thread-safe: use it from a single-threaded io_context.
class MemoryProducer final : public kafka::Producer {
 public:
  void produce(const kafka::Record& record, kafka::DeliveryCallback on_delivery) override {
    if (refuse) {
      if (auto refused = refuse(record)) {
        on_delivery(std::move(refused));
        return;
      }
    }
    records.push_back(record);
    on_delivery(std::nullopt);
  }
  bool reachable() const override { return true; }

  /// The records produced to `topic`, in order.
  std::vector<kafka::Record> on(const std::string& topic) const {
    std::vector<kafka::Record> out;
    for (const auto& record : records) {
      if (record.topic == topic) out.push_back(record);
    }
    return out;
  }

  std::vector<kafka::Record> records;
  /// When set, a record it returns an error for is refused with that error (and not kept).
  std::function<std::optional<Error>(const kafka::Record&)> refuse;
};

}  // namespace parley::testing
