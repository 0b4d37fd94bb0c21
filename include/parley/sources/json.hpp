#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/common/error.hpp"
#include "parley/common/result.hpp"
#include "parley/events/cloud_event.hpp"

namespace parley::sources {

/// Size caps on platform fields; anything longer is refused naming the field. Ids become
/// record keys and event ids, so they are capped; text is bounded by the body limit only.
inline constexpr std::size_t kMaxIdBytes = 512;         ///< ids, tokens, event types
inline constexpr std::size_t kMaxUrlBytes = 4096;       ///< required URLs
inline constexpr std::size_t kMaxTextBytes = SIZE_MAX;  ///< message text: limits.max_body_bytes

/// Fully validates `body` as JSON (simdjson DOM: every byte checked, so the body can be
/// copied into events as is, see received_json) and returns its top-level object. The
/// element lives in a per-thread parser: valid until the next parse_object() on the same
/// thread. A number simdjson cannot hold (an integer beyond 64 bits, a float beyond double)
/// does not make the body invalid: JSON sets no limit, and a number parley never reads must
/// not cost a verified delivery. Such a number reads as a double of magnitude 1e300 (its
/// sign kept), which every integer or id reader refuses, naming it "number outside the
/// 64-bit integer range" (json_type_name).
/// Errors: bad_request "body is not valid JSON: ..." or "body must be a JSON object".
Result<simdjson::dom::object, Error> parse_object(const std::string& body);

/// The JSON text of a body parse_object() accepted, byte for byte, without the whitespace
/// around it: what `raw` holds (numbers, escapes and spacing exactly as the platform sent
/// them, and no cost of serializing again).
std::string_view received_json(std::string_view body);

/// The compact text of `object` (simdjson's serialization: numbers as parsed).
std::string compact(simdjson::dom::object object);

/// One member of a JSON object as its text: the key with its quotes as written, its name
/// (the key unescaped) and the value's text exactly as written.
struct RawMember {
  std::string name;
  std::string_view key_json;
  std::string_view value_json;
};

/// The members of the JSON object `json`, in order, as written (nothing parsed or
/// serialized again). For text parse_object() accepted; anything else (not an object,
/// malformed) gives nullopt. The views borrow `json`.
std::optional<std::vector<RawMember>> raw_members(std::string_view json);

/// `"field <name>: <problem>"` as a bad_request error.
Error field_error(std::string_view name, std::string_view problem);

/// "string", "number", "object", ... for error messages.
std::string_view json_type_name(simdjson::dom::element_type type);
/// As above, naming a number no 64-bit integer holds "number outside the 64-bit integer
/// range" (see parse_object).
std::string_view json_type_name(simdjson::dom::element value);

/// Refuses an identifier that becomes (part of) a record key, an event id, a subject or a
/// header (ce_id, ce_subject): one holding a control character (C0, DEL, C1, bidi controls;
/// parley::is_control_character) is a bad_request "field <path>: contains a control
/// character (U+000D) at byte 5" (0-based byte offset). Every platform's reader of such
/// fields comes here (FieldReader::required_key, key_or_empty, the id readers).
std::optional<Error> check_key(std::string_view path, std::string_view text);

/// Reads the members of one JSON object with the checks every source needs. Every
/// error is a bad_request naming the field by its path ("data.message.id"). A key that
/// appears twice in the object is refused when it is read. Cheap to copy; borrows the
/// parsed document (see parse_object).
class FieldReader {
 public:
  explicit FieldReader(simdjson::dom::object object, std::string path = {})
      : object_(object), path_(std::move(path)) {}

  /// A string of 1..max_bytes bytes (0..max_bytes when allow_empty).
  Result<std::string_view, Error> required_string(std::string_view name,
                                                  std::size_t max_bytes = kMaxIdBytes,
                                                  bool allow_empty = false) const;
  /// As required_string, or nullopt when absent or null.
  Result<std::optional<std::string_view>, Error> optional_string(
      std::string_view name, std::size_t max_bytes = kMaxIdBytes) const;

  /// A non-empty string of at most kMaxIdBytes that goes into a record key, an event id or a
  /// header: as required_string, and refused (check_key) when it holds a control character.
  Result<std::string_view, Error> required_key(std::string_view name) const;

  /// An id sent as a non-empty string or as a non-negative integer ("12617187" or
  /// 12617187), as text. Loose platforms send both. Ids become keys: a string holding a
  /// control character is refused (check_key).
  Result<std::string, Error> required_id(std::string_view name) const;
  Result<std::optional<std::string>, Error> optional_id(std::string_view name) const;

  /// An integer, or nullopt when absent or null.
  Result<std::optional<std::int64_t>, Error> optional_integer(std::string_view name) const;

  /// A nested object, as a reader whose errors carry the longer path.
  Result<FieldReader, Error> required_object(std::string_view name) const;
  Result<std::optional<FieldReader>, Error> optional_object(std::string_view name) const;

  /// The raw member, or nullopt when absent (null is returned as a null element).
  Result<std::optional<simdjson::dom::element>, Error> member(std::string_view name) const;

  /// "prefix.name" for messages.
  std::string path_of(std::string_view name) const;
  /// The object read.
  simdjson::dom::object object() const { return object_; }

 private:
  Result<std::string_view, Error> checked_string(std::string_view name,
                                                 simdjson::dom::element value,
                                                 std::size_t max_bytes, bool allow_empty) const;
  simdjson::dom::object object_;
  std::string path_;
};

/// Most items an array read by object_array may hold (bounds one document's memory).
inline constexpr std::size_t kMaxArrayItems = 10000;

/// The string member `name`, or "" when absent or null.
Result<std::string, Error> string_or_empty(const FieldReader& object, std::string_view name,
                                           std::size_t max_bytes = kMaxIdBytes);

/// As string_or_empty, for an identifier that becomes (part of) a key, an id or a header:
/// refused (check_key) when it holds a control character.
Result<std::string, Error> key_or_empty(const FieldReader& object, std::string_view name);

/// Reads optional fields that must never cost a verified message (DESIGN.md: required
/// fields strict, optional ones best effort). An unusable value (wrong type, a repeated
/// key) reads as absent and is recorded as a FieldWarning; the value stays in `raw`.
/// Not thread-safe: one per normalization.
class TolerantReader {
 public:
  explicit TolerantReader(std::vector<events::FieldWarning>& warnings) : warnings_(warnings) {}
  /// The string member, or "" when absent, null or unusable. No length cap.
  std::string string(const FieldReader& object, std::string_view name);
  /// An id (non-empty string or non-negative integer), or "" when absent, null or unusable.
  std::string id(const FieldReader& object, std::string_view name);
  /// Records a field that was dropped or resolved; `problem` says what parley did.
  void note(std::string field, std::string problem);

 private:
  std::vector<events::FieldWarning>& warnings_;
};

/// A boolean member, or nullopt when absent or null.
Result<std::optional<bool>, Error> optional_bool(const FieldReader& object, std::string_view name);

/// The objects of the array `name` as readers named "<path>[i]"; absent or null is empty;
/// more than kMaxArrayItems items is an error.
Result<std::vector<FieldReader>, Error> object_array(const FieldReader& parent,
                                                     std::string_view name);

}  // namespace parley::sources
