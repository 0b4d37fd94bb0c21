#pragma once

#include <string>
#include <string_view>

#include "parley/common/json_writer.hpp"
#include "parley/http/message.hpp"
#include "parley/sources/errors.hpp"

namespace parley::sim {

// Members that json::ObjectWriter::string would skip or cannot write: the simulated
// platforms send empty strings, numbers, booleans and nulls as they are.

inline void put_string(json::ObjectWriter& object, std::string_view name, std::string_view text) {
  json::append_string(object.key(name), text);
}

inline void put_raw(json::ObjectWriter& object, std::string_view name, std::string_view raw) {
  object.key(name) += raw;
}

inline void put_bool(json::ObjectWriter& object, std::string_view name, bool value) {
  put_raw(object, name, value ? "true" : "false");
}

inline void put_int(json::ObjectWriter& object, std::string_view name, long long value) {
  put_raw(object, name, std::to_string(value));
}

/// `{"error":"<message>"}`, the simulator's error body (the shape parley's own errors have).
inline std::string error_json(std::string_view message) {
  return http::generic_error_body(Error{sources::Errc::invalid, std::string(message)});
}

}  // namespace parley::sim
