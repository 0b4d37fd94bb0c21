#pragma once

#include "parley/common/error.hpp"

namespace parley::spool {

enum class Errc {
  unavailable = 1,  ///< Kafka cannot take the event and the spool is full or failing
};

inline std::error_code make_error_code(Errc code) {
  return {static_cast<int>(code), error_category_of<Errc>()};
}

}  // namespace parley::spool

template <>
struct parley::ErrorDomain<parley::spool::Errc> {
  static constexpr const char* kName = "spool";
  static constexpr std::array<const char*, 1> kCodes = {"unavailable"};
};
template <>
struct std::is_error_code_enum<parley::spool::Errc> : std::true_type {};
