#pragma once

#include <chrono>
#include <string>

#include "parley/commands/command.hpp"
#include "parley/kafka/producer.hpp"

namespace parley::commands {

/// How a command ended: the `type` and `data` of its result event (DESIGN.md "Result").
struct Outcome {
  enum class Kind { succeeded, failed, unknown };
  Kind kind = Kind::succeeded;
  /// failed: invalid | unsupported | rejected | unauthorized | expired | gave_up
  std::string error_kind;
  unsigned status = 0;    ///< the platform's HTTP status behind a failure, 0 when none
  std::string message;    ///< failed / unknown: why, naming the field, call or check
  std::string checked;    ///< unknown (and reconciled results): what was read back
  unsigned attempts = 0;  ///< platform calls made for it
  bool reconciled = false;
  PlatformIds ids;
};

/// "succeeded", "failed", "unknown" (the metrics' outcome and the type's last word).
std::string_view outcome_name(Outcome::Kind kind);

/// The command a result is about: as much of it as could be read (an invalid command may
/// lack any of it).
struct About {
  std::string id;
  std::string type;    ///< the CloudEvent type as sent ("parley.command.message.send")
  std::string caller;  ///< the command's CloudEvent source
  std::string source;  ///< data.source
  std::string platform;
  std::string subject;  ///< the conversation; for a start, the new one when known
  std::string key;      ///< the command's record key: the result's too
};

/// What `command` is, for its result.
About about(const Command& command);

/// What an invalid command's result can say about it: whichever of id, type, source
/// (the caller), subject and data.source `json` carries as usable strings, so its caller
/// can find the result; without a usable id, `fallback_id`. Keyed `key`. Pure.
About about_invalid(std::string_view json, std::string key, std::string fallback_id);

/// The result event of `about` as a record of `topic`: id "<command id>:result", source
/// "/parley/<source>", type "parley.command.<outcome>", the command's key, ce_* headers.
/// Pure.
kafka::Record result_record(const std::string& topic, const About& about, const Outcome& outcome,
                            std::chrono::system_clock::time_point now);

/// A result event already written (`value`, as the journal keeps it) as a record again: the
/// same key, value and ce_* headers, read back from the value. Pure.
kafka::Record result_record(const std::string& topic, std::string key, std::string value);

}  // namespace parley::commands
