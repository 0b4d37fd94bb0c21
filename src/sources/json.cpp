#include "parley/sources/json.hpp"

namespace parley::sources {

Result<simdjson::dom::object, Error> parse_object(const std::string& body) {
  thread_local simdjson::dom::parser parser;
  const bool padded = body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING;
  auto parsed = parser.parse(body.data(), body.size(), !padded);
  if (parsed.error() != simdjson::SUCCESS) {
    return Error{Errc::bad_request,
                 std::string("body is not valid JSON: ") + simdjson::error_message(parsed.error())};
  }
  auto object = parsed.value_unsafe().get_object();
  if (object.error() != simdjson::SUCCESS) {
    return Error{Errc::bad_request, "body must be a JSON object"};
  }
  return object.value_unsafe();
}

std::string compact(simdjson::dom::object object) {
  return simdjson::minify(object);
}

Error field_error(std::string_view name, std::string_view problem) {
  return Error{Errc::bad_request, "field " + std::string(name) + ": " + std::string(problem)};
}

std::string_view json_type_name(simdjson::dom::element_type type) {
  switch (type) {
    case simdjson::dom::element_type::ARRAY:
      return "array";
    case simdjson::dom::element_type::OBJECT:
      return "object";
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      return "number";
    case simdjson::dom::element_type::STRING:
      return "string";
    case simdjson::dom::element_type::BOOL:
      return "boolean";
    case simdjson::dom::element_type::NULL_VALUE:
      return "null";
  }
  return "unknown";
}

}  // namespace parley::sources
