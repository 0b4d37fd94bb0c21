#include "parley/sources/json.hpp"

#include "parley/common/utf8.hpp"
#include "parley/sources/errors.hpp"

namespace parley::sources {
namespace {

bool is_json_whitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Where simdjson ends a number (or any atom): structural characters and whitespace.
bool ends_atom(char c) {
  return is_json_whitespace(c) || c == ',' || c == ':' || c == '[' || c == ']' || c == '{' ||
         c == '}' || c == '"';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The JSON number grammar (RFC 8259 section 6), nothing about its magnitude.
bool is_json_number(std::string_view token) {
  std::size_t at = 0;
  const auto digits = [&] {
    const std::size_t start = at;
    while (at < token.size() && is_digit(token[at]))
      ++at;
    return at - start;
  };
  if (at < token.size() && token[at] == '-') ++at;
  if (at < token.size() && token[at] == '0') {
    ++at;
  } else if (digits() == 0) {
    return false;
  }
  if (at < token.size() && token[at] == '.') {
    ++at;
    if (digits() == 0) return false;
  }
  if (at < token.size() && (token[at] == 'e' || token[at] == 'E')) {
    ++at;
    if (at < token.size() && (token[at] == '+' || token[at] == '-')) ++at;
    if (digits() == 0) return false;
  }
  return at == token.size();
}

// Whether simdjson holds the number `token` (valid grammar): an integer within int64 or
// uint64, or a float within double (one that underflows reads as 0 and is held).
bool simdjson_holds(std::string_view token) {
  const bool plain_integer = token.find_first_of(".eE") == std::string_view::npos;
  const std::size_t digits = token.size() - (token.front() == '-' ? 1 : 0);
  if (plain_integer && digits <= 18) return true;  // the common case, no parse needed
  thread_local simdjson::dom::parser numbers;
  simdjson::dom::element element;
  return numbers.parse(token.data(), token.size(), true).get(element) == simdjson::SUCCESS;
}

// `body` with every well-formed number simdjson cannot hold replaced by +-1e300, or nullopt
// when there is none (the body is then invalid for another reason). Strings are skipped.
std::optional<std::string> with_unheld_numbers_replaced(std::string_view body) {
  std::string out;
  std::size_t copied = 0;
  bool replaced = false;
  for (std::size_t at = 0; at < body.size();) {
    const char c = body[at];
    if (c == '"') {
      for (++at; at < body.size() && body[at] != '"'; ++at) {
        if (body[at] == '\\') ++at;
      }
      ++at;
      continue;
    }
    if (c != '-' && !is_digit(c)) {
      ++at;
      continue;
    }
    std::size_t end = at;
    while (end < body.size() && !ends_atom(body[end]))
      ++end;
    const std::string_view token = body.substr(at, end - at);
    if (is_json_number(token) && !simdjson_holds(token)) {
      out.append(body.substr(copied, at - copied));
      out.append(c == '-' ? "-1e300" : "1e300");
      copied = end;
      replaced = true;
    }
    at = end;
  }
  if (!replaced) return std::nullopt;
  out.append(body.substr(copied));
  return out;
}

Error not_json(simdjson::error_code error) {
  return Error{sources::Errc::invalid,
               std::string("body is not valid JSON: ") + simdjson::error_message(error)};
}

// The end of the string starting at json[at] == '"' (one past its closing quote), or npos.
std::size_t skip_string(std::string_view json, std::size_t at) {
  for (++at; at < json.size(); ++at) {
    if (json[at] == '\\') {
      ++at;
    } else if (json[at] == '"') {
      return at + 1;
    }
  }
  return std::string_view::npos;
}

// The end of the value starting at json[at] (not whitespace), or npos.
std::size_t skip_value(std::string_view json, std::size_t at) {
  if (at >= json.size()) return std::string_view::npos;
  if (json[at] == '"') return skip_string(json, at);
  if (json[at] != '{' && json[at] != '[') {
    const std::size_t start = at;
    while (at < json.size() && !ends_atom(json[at]))
      ++at;
    return at == start ? std::string_view::npos : at;
  }
  std::size_t depth = 0;
  while (at < json.size()) {
    const char c = json[at];
    if (c == '"') {
      at = skip_string(json, at);
      if (at == std::string_view::npos) return at;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (--depth == 0) return at + 1;
    }
    ++at;
  }
  return std::string_view::npos;
}

std::size_t skip_whitespace(std::string_view json, std::size_t at) {
  while (at < json.size() && is_json_whitespace(json[at]))
    ++at;
  return at;
}

// The name a JSON key stands for: its text without quotes, unescaped when it has escapes.
std::optional<std::string> key_name(std::string_view key_json) {
  const std::string_view inner = key_json.substr(1, key_json.size() - 2);
  if (inner.find('\\') == std::string_view::npos) return std::string(inner);
  thread_local simdjson::dom::parser keys;
  std::string_view name;
  if (keys.parse(key_json.data(), key_json.size(), true).get_string().get(name) !=
      simdjson::SUCCESS) {
    return std::nullopt;
  }
  return std::string(name);
}

}  // namespace

Result<simdjson::dom::object, Error> parse_object(const std::string& body) {
  thread_local simdjson::dom::parser parser;
  const bool padded = body.capacity() - body.size() >= simdjson::SIMDJSON_PADDING;
  simdjson::dom::element root;
  auto error = parser.parse(body.data(), body.size(), !padded).get(root);
  if (error == simdjson::NUMBER_ERROR) {
    // Perhaps only numbers beyond what simdjson holds; the DOM copies every string, so the
    // substitute text need not outlive the parse.
    if (const auto substitute = with_unheld_numbers_replaced(body)) {
      error = parser.parse(substitute->data(), substitute->size(), true).get(root);
    }
  }
  if (error != simdjson::SUCCESS) return not_json(error);
  simdjson::dom::object object;
  if (root.get_object().get(object) != simdjson::SUCCESS) {
    return Error{sources::Errc::invalid, "body must be a JSON object"};
  }
  return object;
}

std::string_view received_json(std::string_view body) {
  std::size_t start = 0;
  std::size_t end = body.size();
  while (start < end && is_json_whitespace(body[start]))
    ++start;
  while (end > start && is_json_whitespace(body[end - 1]))
    --end;
  return body.substr(start, end - start);
}

std::string compact(simdjson::dom::object object) {
  return simdjson::minify(object);
}

std::optional<std::vector<RawMember>> raw_members(std::string_view json) {
  std::size_t at = skip_whitespace(json, 0);
  if (at >= json.size() || json[at] != '{') return std::nullopt;
  std::vector<RawMember> members;
  at = skip_whitespace(json, at + 1);
  if (at < json.size() && json[at] == '}') return members;
  while (at < json.size()) {
    if (json[at] != '"') return std::nullopt;
    const std::size_t key_end = skip_string(json, at);
    if (key_end == std::string_view::npos) return std::nullopt;
    const std::string_view key_json = json.substr(at, key_end - at);
    at = skip_whitespace(json, key_end);
    if (at >= json.size() || json[at] != ':') return std::nullopt;
    at = skip_whitespace(json, at + 1);
    const std::size_t value_end = skip_value(json, at);
    if (value_end == std::string_view::npos) return std::nullopt;
    auto name = key_name(key_json);
    if (!name) return std::nullopt;
    members.push_back(RawMember{.name = std::move(*name),
                                .key_json = key_json,
                                .value_json = json.substr(at, value_end - at)});
    at = skip_whitespace(json, value_end);
    if (at < json.size() && json[at] == '}') return members;
    if (at >= json.size() || json[at] != ',') return std::nullopt;
    at = skip_whitespace(json, at + 1);
  }
  return std::nullopt;
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

std::string_view json_type_name(simdjson::dom::element value) {
  if (value.type() == simdjson::dom::element_type::DOUBLE) {
    const double number = value.get_double().value_unsafe();
    // 2^64 and -2^63: beyond uint64 and int64.
    if (number >= 18446744073709551616.0 || number < -9223372036854775808.0) {
      return "number outside the 64-bit integer range";
    }
  }
  return json_type_name(value.type());
}

std::optional<Error> check_key(std::string_view path, std::string_view text) {
  const auto control = find_control_character(text);
  if (!control) return std::nullopt;
  return field_error(path, "contains a control character (" + code_point_name(control->code_point) +
                               ") at byte " + std::to_string(control->byte));
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
    return field_error(path_of(name),
                       std::string(problem_prefix) + ", got " + std::string(json_type_name(value)));
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

Result<std::string_view, Error> FieldReader::required_key(std::string_view name) const {
  auto text = required_string(name);
  if (!text) return text.error();
  if (auto error = check_key(path_of(name), text.value())) return *error;
  return text.value();
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
                                          std::string(json_type_name(element)));
  }
  auto text = checked_string(name, element, kMaxIdBytes, false);
  if (!text) return text.error();
  if (auto error = check_key(path_of(name), text.value())) return *error;
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
    return field_error(path_of(name),
                       "must be an integer, got " + std::string(json_type_name(*value.value())));
  }
  return std::optional<std::int64_t>(value.value()->get_int64().value_unsafe());
}

Result<std::optional<FieldReader>, Error> FieldReader::optional_object(
    std::string_view name) const {
  auto value = member(name);
  if (!value) return value.error();
  if (!value.value() || value.value()->is_null()) return std::optional<FieldReader>{};
  if (!value.value()->is_object()) {
    return field_error(path_of(name),
                       "must be an object, got " + std::string(json_type_name(*value.value())));
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

Result<std::string, Error> key_or_empty(const FieldReader& object, std::string_view name) {
  auto value = string_or_empty(object, name);
  if (!value) return value.error();
  if (auto error = check_key(object.path_of(name), value.value())) return *error;
  return value;
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
    return field_error(object.path_of(name),
                       "must be a boolean, got " + std::string(json_type_name(*value.value())));
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
    return field_error(path,
                       "must be an array, got " + std::string(json_type_name(*value.value())));
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
                         "must be an object, got " + std::string(json_type_name(element)));
    }
    items.emplace_back(element.get_object().value_unsafe(), item_path);
  }
  return items;
}

}  // namespace parley::sources
