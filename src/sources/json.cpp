#include "parley/sources/json.hpp"
#include "parley/sources/errors.hpp"

namespace parley::sources {

Result<simdjson::dom::object, Error> parse_object(const std::string& body) {
  thread_local simdjson::dom::parser parser;
  const bool padded = body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING;
  auto parsed = parser.parse(body.data(), body.size(), !padded);
  if (parsed.error() != simdjson::SUCCESS) {
    return Error{sources::Errc::invalid,
                 std::string("body is not valid JSON: ") + simdjson::error_message(parsed.error())};
  }
  auto object = parsed.value_unsafe().get_object();
  if (object.error() != simdjson::SUCCESS) {
    return Error{sources::Errc::invalid, "body must be a JSON object"};
  }
  return object.value_unsafe();
}

std::string compact(simdjson::dom::object object) {
  return simdjson::minify(object);
}

Error field_error(std::string_view name, std::string_view problem) {
  return Error{sources::Errc::invalid, "field " + std::string(name) + ": " + std::string(problem)};
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

std::string FieldReader::path_of(std::string_view name) const {
  return path_.empty() ? std::string(name) : path_ + "." + std::string(name);
}

Result<std::optional<simdjson::dom::element>, Error> FieldReader::member(
    std::string_view name) const {
  std::optional<simdjson::dom::element> found;
  for (const auto field : object_) {
    if (field.key != name) continue;
    if (found) return field_error(path_of(name), "appears more than once");
    found = field.value;
  }
  return found;
}

Result<std::string_view, Error> FieldReader::checked_string(std::string_view name,
                                                            simdjson::dom::element value,
                                                            std::size_t max_bytes,
                                                            bool allow_empty) const {
  const auto problem_prefix = allow_empty ? "must be a string" : "must be a non-empty string";
  if (!value.is_string()) {
    return field_error(path_of(name), std::string(problem_prefix) + ", got " +
                                          std::string(json_type_name(value.type())));
  }
  const std::string_view text = value.get_string().value_unsafe();
  if (text.empty() && !allow_empty) return field_error(path_of(name), problem_prefix);
  if (text.size() > max_bytes) {
    return field_error(path_of(name), "longer than " + std::to_string(max_bytes) + " bytes");
  }
  return text;
}

Result<std::string_view, Error> FieldReader::required_string(std::string_view name,
                                                             std::size_t max_bytes,
                                                             bool allow_empty) const {
  auto value = member(name);
  if (!value) return value.error();
  if (!value.value()) return field_error(path_of(name), "is required");
  return checked_string(name, *value.value(), max_bytes, allow_empty);
}

Result<std::optional<std::string_view>, Error> FieldReader::optional_string(
    std::string_view name, std::size_t max_bytes) const {
  auto value = member(name);
  if (!value) return value.error();
  if (!value.value() || value.value()->is_null()) return std::optional<std::string_view>{};
  auto text = checked_string(name, *value.value(), max_bytes, true);
  if (!text) return text.error();
  return std::optional<std::string_view>(text.value());
}

Result<std::optional<std::string>, Error> FieldReader::optional_id(std::string_view name) const {
  auto value = member(name);
  if (!value) return value.error();
  if (!value.value() || value.value()->is_null()) return std::optional<std::string>{};
  const auto element = *value.value();
  if (element.is_int64() || element.is_uint64()) {
    if (element.is_int64() && element.get_int64().value_unsafe() < 0) {
      return field_error(path_of(name), "must not be negative");
    }
    return std::optional<std::string>(element.is_uint64()
                                          ? std::to_string(element.get_uint64().value_unsafe())
                                          : std::to_string(element.get_int64().value_unsafe()));
  }
  if (!element.is_string()) {
    return field_error(path_of(name), "must be a non-empty string or an integer, got " +
                                          std::string(json_type_name(element.type())));
  }
  auto text = checked_string(name, element, kMaxIdBytes, false);
  if (!text) return text.error();
  return std::optional<std::string>(std::string(text.value()));
}

Result<std::string, Error> FieldReader::required_id(std::string_view name) const {
  auto id = optional_id(name);
  if (!id) return id.error();
  if (!id.value()) return field_error(path_of(name), "is required");
  return std::move(*id.value());
}

Result<std::optional<std::int64_t>, Error> FieldReader::optional_integer(
    std::string_view name) const {
  auto value = member(name);
  if (!value) return value.error();
  if (!value.value() || value.value()->is_null()) return std::optional<std::int64_t>{};
  if (!value.value()->is_int64()) {
    return field_error(path_of(name), "must be an integer, got " +
                                          std::string(json_type_name(value.value()->type())));
  }
  return std::optional<std::int64_t>(value.value()->get_int64().value_unsafe());
}

Result<std::optional<FieldReader>, Error> FieldReader::optional_object(
    std::string_view name) const {
  auto value = member(name);
  if (!value) return value.error();
  if (!value.value() || value.value()->is_null()) return std::optional<FieldReader>{};
  if (!value.value()->is_object()) {
    return field_error(path_of(name), "must be an object, got " +
                                          std::string(json_type_name(value.value()->type())));
  }
  return std::optional<FieldReader>(
      FieldReader(value.value()->get_object().value_unsafe(), path_of(name)));
}

Result<FieldReader, Error> FieldReader::required_object(std::string_view name) const {
  auto object = optional_object(name);
  if (!object) return object.error();
  if (!object.value()) return field_error(path_of(name), "is required");
  return std::move(*object.value());
}

Result<std::string, Error> string_or_empty(const FieldReader& object, std::string_view name,
                                           std::size_t max_bytes) {
  auto value = object.optional_string(name, max_bytes);
  if (!value) return value.error();
  return std::string(value.value().value_or(""));
}

std::string TolerantReader::string(const FieldReader& object, std::string_view name) {
  auto value = object.optional_string(name, SIZE_MAX);
  if (!value) {
    note(object.path_of(name), value.error().message + "; dropped");
    return {};
  }
  return std::string(value.value().value_or(""));
}

std::string TolerantReader::id(const FieldReader& object, std::string_view name) {
  auto value = object.optional_id(name);
  if (!value) {
    note(object.path_of(name), value.error().message + "; dropped");
    return {};
  }
  return value.value().value_or("");
}

void TolerantReader::note(std::string field, std::string problem) {
  warnings_.push_back(
      events::FieldWarning{.field = std::move(field), .problem = std::move(problem)});
}

Result<std::optional<bool>, Error> optional_bool(const FieldReader& object, std::string_view name) {
  auto value = object.member(name);
  if (!value) return value.error();
  if (!value.value() || value.value()->is_null()) return std::optional<bool>{};
  if (!value.value()->is_bool()) {
    return field_error(
        object.path_of(name),
        "must be a boolean, got " + std::string(json_type_name(value.value()->type())));
  }
  return std::optional<bool>(value.value()->get_bool().value_unsafe());
}

Result<std::vector<FieldReader>, Error> object_array(const FieldReader& parent,
                                                     std::string_view name) {
  const std::string path = parent.path_of(name);
  auto value = parent.member(name);
  if (!value) return value.error();
  std::vector<FieldReader> items;
  if (!value.value() || value.value()->is_null()) return items;
  if (!value.value()->is_array()) {
    return field_error(
        path, "must be an array, got " + std::string(json_type_name(value.value()->type())));
  }
  const simdjson::dom::array array = value.value()->get_array().value_unsafe();
  if (array.size() > kMaxArrayItems) {
    return field_error(path, "has " + std::to_string(array.size()) + " items, over the limit of " +
                                 std::to_string(kMaxArrayItems));
  }
  for (const auto element : array) {
    const std::string item_path = path + "[" + std::to_string(items.size()) + "]";
    if (!element.is_object()) {
      return field_error(item_path,
                         "must be an object, got " + std::string(json_type_name(element.type())));
    }
    items.emplace_back(element.get_object().value_unsafe(), item_path);
  }
  return items;
}

}  // namespace parley::sources
