#pragma once

#include "parley/common/error.hpp"

namespace parley::kafka {

/// Why Kafka did not take a record, classified from librdkafka's error (producer.cpp):
/// only unavailable and timeout can clear by themselves.
enum class Errc {
  unavailable = 1,  ///< failed for a reason that can clear (retriable)
  timeout,          ///< no delivery report within kafka.ack_timeout_ms
  too_large,        ///< the encoded event is over Kafka's message size limit
  invalid_record,   ///< Kafka refused the record itself: retrying cannot help
  refused,          ///< Kafka refuses the service (authorization, missing topic)
};

inline std::error_code make_error_code(Errc code) {
  return {static_cast<int>(code), error_category_of<Errc>()};
}

}  // namespace parley::kafka

template <>
struct parley::ErrorDomain<parley::kafka::Errc> {
  static constexpr const char* kName = "kafka";
  static constexpr std::array<const char*, 5> kCodes = {"unavailable", "timeout", "too_large",
                                                        "invalid_record", "refused"};
};
template <>
struct std::is_error_code_enum<parley::kafka::Errc> : std::true_type {};
