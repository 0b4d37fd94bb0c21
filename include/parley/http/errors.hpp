#pragma once

#include "parley/common/error.hpp"

namespace parley::http {

/// What the HTTP layer refuses before or around a handler.
enum class Errc {
  malformed = 1,           ///< not a readable HTTP request (or its body cannot be read)
  not_found,               ///< no route for the path
  method_not_allowed,      ///< route exists, method does not
  payload_too_large,       ///< body over limits.max_body_bytes
  header_too_large,        ///< request line + headers over limits.max_header_bytes
  unsupported_media_type,  ///< body is not declared as JSON
  request_timeout,         ///< client too slow to send the request
  overloaded,              ///< over limits.max_inflight or max_inflight_bytes
  draining,                ///< shutting down
  internal,                ///< a bug or a library exception while handling the request
};

inline std::error_code make_error_code(Errc code) {
  return {static_cast<int>(code), error_category_of<Errc>()};
}

}  // namespace parley::http

template <>
struct parley::ErrorDomain<parley::http::Errc> {
  static constexpr const char* kName = "http";
  static constexpr std::array<const char*, 10> kCodes = {
      "malformed",         "not_found",        "method_not_allowed",
      "payload_too_large", "header_too_large", "unsupported_media_type",
      "request_timeout",   "overloaded",       "draining",
      "internal"};
};
template <>
struct std::is_error_code_enum<parley::http::Errc> : std::true_type {};
