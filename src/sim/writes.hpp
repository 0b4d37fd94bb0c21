#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "faults.hpp"

namespace parley::sim {

/// The write routes, by the name /_sim/writes and /_sim/write-faults use.
namespace write_route {
inline constexpr std::string_view kJaQuestionPost = "question.post";
inline constexpr std::string_view kJaMessagePost = "message.post";
inline constexpr std::string_view kJaMessageAccept = "message.accept";
inline constexpr std::string_view kJaMessageFeedback = "message.feedback";
inline constexpr std::string_view kJaMessageView = "message.view";
inline constexpr std::string_view kCaoStart = "start";
inline constexpr std::string_view kCaoSendMessage = "send-message";
inline constexpr std::string_view kTalkJsConversationPut = "conversation.put";
inline constexpr std::string_view kTalkJsMessagePost = "message.post";
inline constexpr std::string_view kTalkJsUserPut = "user.put";
inline constexpr std::string_view kDirectlyQuestionPost = "question.post";
inline constexpr std::string_view kDirectlyResponseAccept = "response.accept";
}  // namespace write_route

/// True when `route` names a write route of `platform`.
bool is_write_route(Platform platform, std::string_view route);

/// One write request as it arrived, and what became of it.
struct WriteRecord {
  Platform platform;
  std::string route;
  std::string method;  ///< "POST", "PUT"
  std::string path;    ///< with "?query" when there is one
  std::string authorization;
  std::vector<std::pair<std::string, std::string>> headers;  ///< lower-case names, no Authorization
  std::string body;
  bool committed = false;  ///< the state change happened
  unsigned status = 0;     ///< the HTTP status answered; 0 while pending or when dropped
};

/// How a write fault answers (POST /_sim/write-faults).
enum class WriteFaultMode {
  refuse,            ///< `status` (500), nothing committed
  commit_then_500,   ///< committed, answered 500
  commit_then_drop,  ///< committed, the connection closed without an answer
  commit_then_late,  ///< committed, answered normally after `delay`
  failure_body,      ///< the platform's failure body (JustAnswer, CAO: HTTP 200), not committed
  throttle,          ///< 429 with Retry-After, not committed
  unauthorized,      ///< 401, not committed
};

/// "refuse", "commit_then_500", ...; nullopt for an unknown name.
std::optional<WriteFaultMode> write_fault_mode(std::string_view name);

/// True for the modes that commit before failing.
bool commits(WriteFaultMode mode);

struct WriteFault {
  WriteFaultMode mode = WriteFaultMode::refuse;
  int remaining = 1;                      ///< writes still to fail; -1 until cleared
  unsigned status = 0;                    ///< refuse, failure_body; 0: the mode's default
  unsigned retry_after_s = 1;             ///< throttle
  std::chrono::milliseconds delay{5000};  ///< commit_then_late
};

/// The record of write requests and the fault rules per write route. Thread-safe (one
/// mutex); every method may be called from any I/O thread.
class Writes {
 public:
  /// Appends `record` (arrival order); returns its id for the updates below.
  std::uint64_t begin(WriteRecord record);
  void set_committed(std::uint64_t id);
  void set_status(std::uint64_t id, unsigned status);

  /// The body of GET /_sim/writes: {"writes":[...]}, only the records matching the filters
  /// that are given.
  std::string json(std::optional<Platform> platform, std::optional<std::string_view> route) const;

  void set_fault(Platform platform, std::string route, WriteFault fault);
  /// Clears the rules of `platform` (all when nullopt) and `route` (all when nullopt).
  void clear_faults(std::optional<Platform> platform, std::optional<std::string_view> route);
  /// The fault for the next write of (platform, route), counting it; nullopt when none.
  std::optional<WriteFault> take_fault(Platform platform, std::string_view route);

  /// Forgets the record and every rule. Updates of records begun before are ignored.
  void reset();

 private:
  WriteRecord* find_locked(std::uint64_t id);

  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 0;  // keeps counting across reset(): a late update finds nothing
  std::vector<std::pair<std::uint64_t, WriteRecord>> records_;
  std::map<std::pair<Platform, std::string>, WriteFault> faults_;
};

}  // namespace parley::sim
