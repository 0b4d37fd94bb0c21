#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "parley/common/error.hpp"
#include "parley/common/result.hpp"

namespace parley::sources {

/// Longest string parley accepts in an id-like field (ids, tokens, event names).
inline constexpr std::size_t kMaxIdBytes = 512;

/// Fully validates `body` as JSON (simdjson DOM: every byte checked, so `raw` can be
/// copied into events as is) and returns its top-level object. The element lives in a
/// per-thread parser: valid until the next parse_object() on the same thread.
/// Errors: bad_request "body is not valid JSON: ..." or "body must be a JSON object".
Result<simdjson::dom::object, Error> parse_object(const std::string& body);

/// The members named in `names` of `object`, each a non-empty string of at most
/// kMaxIdBytes; bad_request "field <name>: ..." naming the first problem (missing,
/// wrong type, empty, too long, repeated).
template <std::size_t N>
Result<std::array<std::string_view, N>, Error> required_strings(
    simdjson::dom::object object, const std::array<std::string_view, N>& names);

/// The compact text of `object`.
std::string compact(simdjson::dom::object object);

/// `"field <name>: <problem>"` as a bad_request error.
Error field_error(std::string_view name, std::string_view problem);

// --- implementation ---

std::string_view json_type_name(simdjson::dom::element_type type);

template <std::size_t N>
Result<std::array<std::string_view, N>, Error> required_strings(
    simdjson::dom::object object, const std::array<std::string_view, N>& names) {
  std::array<std::string_view, N> values{};
  std::array<bool, N> seen{};
  for (const auto field : object) {
    for (std::size_t i = 0; i < N; ++i) {
      if (field.key != names[i])
        continue;
      if (seen[i])
        return field_error(names[i], "appears more than once");
      seen[i] = true;
      if (!field.value.is_string()) {
        return field_error(names[i], "must be a non-empty string, got " +
                                         std::string(json_type_name(field.value.type())));
      }
      values[i] = field.value.get_string().value_unsafe();
      if (values[i].empty())
        return field_error(names[i], "must be a non-empty string");
      if (values[i].size() > kMaxIdBytes) {
        return field_error(names[i], "longer than " + std::to_string(kMaxIdBytes) + " bytes");
      }
    }
  }
  for (std::size_t i = 0; i < N; ++i) {
    if (!seen[i])
      return field_error(names[i], "is required");
  }
  return values;
}

}  // namespace parley::sources
