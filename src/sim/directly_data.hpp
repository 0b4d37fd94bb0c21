#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parley/common/result.hpp"

namespace parley::sim {

/// Directly's timestamps: UTC, millisecond precision.
using DirectlyTime = std::chrono::sys_time<std::chrono::milliseconds>;

/// The system clock now, truncated to the millisecond.
DirectlyTime directly_now();

/// "2026-11-21T10:00:00.123Z".
std::string directly_time_text(DirectlyTime time);

/// Parses "2026-11-21T10:00:00Z" or with 1 to 9 fraction digits ("...00.123Z"), the
/// fraction truncated to the millisecond; nullopt for anything else (other zones too).
std::optional<DirectlyTime> parse_directly_time(std::string_view text);

/// `text` as a Directly uuid (8-4-4-4-12 hex digits, either case) in lowercase; nullopt
/// when it is not one.
std::optional<std::string> directly_uuid(std::string_view text);

/// A customer or an expert; System messages have a name only (empty uuid).
struct DirectlyPerson {
  std::string uuid;
  std::string name;
};

/// A message: a System message in conversation.messages (with `type`), or a user's or
/// expert's in a response (empty `type`).
struct DirectlyMessage {
  std::string uuid;
  std::string type;  ///< NOTIFYING_EXPERTS_SYSTEM_MESSAGE, ...; empty in responses
  DirectlyPerson author;
  std::string body;  ///< plain text; bodyHtml is derived from it
  DirectlyTime created_at;
};

/// An expert's response and the messages exchanged in it.
struct DirectlyResponse {
  std::string uuid;
  DirectlyPerson expert;
  bool accepted = false;
  DirectlyTime created_at;
  std::vector<DirectlyMessage> messages;
};

/// One question as the simulator keeps it. Its ids derive from the question uuid and
/// `next_ordinal`, so the same question and the same sequence of changes give the same
/// ids; its times are the wall-clock times of those changes.
struct DirectlyQuestion {
  std::string uuid;
  DirectlyTime created_at;
  DirectlyTime updated_at;
  std::string text;
  DirectlyPerson customer;
  std::vector<DirectlyMessage> system_messages;
  std::vector<DirectlyResponse> responses;
  std::string language = "en";
  std::string status = "UNRESOLVED";  ///< UNRESOLVED, RESOLVED, CLOSED or EXPIRED
  bool answered = false;
  bool closed = false;
  bool rerouted = false;
  std::size_t next_ordinal = 0;  ///< of the next id derived from the question uuid
};

/// A new question `uuid` (lowercase) created at `now`: text and customer derived from
/// the uuid, one NOTIFYING_EXPERTS_SYSTEM_MESSAGE, no responses, UNRESOLVED.
DirectlyQuestion new_directly_question(std::string_view uuid, DirectlyTime now);

/// A question asked through POST /questions at `now`: `text`, `language` and the customer
/// named `author` (derived when empty), one NOTIFYING_EXPERTS_SYSTEM_MESSAGE, UNRESOLVED.
DirectlyQuestion asked_directly_question(std::string_view uuid, std::string text,
                                         std::string language, std::string author,
                                         DirectlyTime now);

/// A change made through the control routes (or by a play).
struct DirectlyChange {
  enum class Kind { respond, message, accept, close, expire, reroute };
  Kind kind;
  bool from_expert = true;          ///< message: the expert's, else the user's
  std::optional<std::string> name;  ///< respond: the new expert's name; derived when absent
  std::optional<std::string> body;  ///< respond, message: the text; derived when absent
};

/// The ids a change created; empty when it created none.
struct DirectlyChanged {
  std::string response;
  std::string message;
};

/// Why a change cannot apply to the question as it is (answered 409).
struct DirectlyConflict {
  std::string message;
};

/// Applies `change` at `now`: updatedAt becomes max(now, updatedAt + 1 ms), the time of
/// every message and response it adds. Conflicts: the question is closed; message or
/// accept without a response; accept of an accepted response; expire of an answered
/// question; reroute of a rerouted one. A conflict leaves the question unchanged.
Result<DirectlyChanged, DirectlyConflict> apply_directly_change(DirectlyQuestion& question,
                                                                const DirectlyChange& change,
                                                                DirectlyTime now);

/// Accepts response `index` of the question at `now` (POST /responses/{uuid}/accept).
/// Conflicts: the question is closed; the response is accepted already.
Result<DirectlyChanged, DirectlyConflict> accept_directly_response(DirectlyQuestion& question,
                                                                   std::size_t index,
                                                                   DirectlyTime now);

/// A response object (in conversation.responses).
void append_directly_response(std::string& out, const DirectlyResponse& response);

/// The question object (the `data` of GET /questions/{uuid}).
void append_directly_question(std::string& out, const DirectlyQuestion& question);

/// `{"meta":{"version":"v1"},"data":<data_json>}`.
std::string directly_envelope(std::string_view data_json);

/// `{"meta":{"version":"v1"},"data":null,"error":{"message":"<message>"}}`.
std::string directly_error_json(std::string_view message);

}  // namespace parley::sim
