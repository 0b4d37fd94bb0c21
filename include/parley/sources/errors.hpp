#pragma once

#include "parley/common/error.hpp"

namespace parley::sources {

/// What verifying and reading a platform's input finds wrong: a webhook, a watch request,
/// an API answer or a stored event.
enum class Errc {
  invalid = 1,   ///< malformed JSON, a missing or invalid field
  unauthorized,  ///< verification failed
};

inline std::error_code make_error_code(Errc code) {
  return {static_cast<int>(code), error_category_of<Errc>()};
}

}  // namespace parley::sources

template <>
struct parley::ErrorDomain<parley::sources::Errc> {
  static constexpr const char* kName = "input";
  static constexpr std::array<const char*, 2> kCodes = {"invalid", "unauthorized"};
};
template <>
struct std::is_error_code_enum<parley::sources::Errc> : std::true_type {};
