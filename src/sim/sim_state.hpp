#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "cao_state.hpp"
#include "directly_state.hpp"
#include "issued_tokens.hpp"
#include "justanswer_state.hpp"
#include "talkjs_state.hpp"

namespace parley::sim {

/// What the simulator remembers between requests: call counters, issued JustAnswer
/// tokens, what writes changed on each platform and Directly's state. Thread-safe (one
/// mutex, and each platform state's own, always taken after it); every method may be
/// called from any I/O thread.
class SimState {
 public:
  using Clock = std::chrono::steady_clock;

  SimState();

  /// Counts one received request of the call `name` ("cao.transcript"), and one for
  /// `conversation` ("cao:12617187") unless it is empty.
  void record_call(std::string_view name, const std::string& conversation);
  /// Counts one answer with `status`.
  void record_status(unsigned status);
  /// The body of GET /_sim/stats: {"calls":{...},"conversations":{...},"statuses":{...},
  /// "directly":{...}}; every read's call name is present, writes' ("cao.send-message"),
  /// conversations and statuses only once seen (status 0: a write dropped without an
  /// answer); `directly` as DirectlyState::append_stats writes it.
  std::string stats_json() const;

  /// A new token ("sim-ja-<n>", never issued before) valid until `expires`.
  std::string issue_token(Clock::time_point expires);
  /// True for a token issued, not expired by time nor by expire_tokens().
  bool token_valid(std::string_view token, Clock::time_point now) const;
  /// Invalidates every token issued so far.
  void expire_tokens();

  /// What the platforms' writes (and the /_sim routes adding messages) changed.
  JustAnswerState& justanswer() { return justanswer_; }
  CaoState& cao() { return cao_; }
  TalkJsState& talkjs() { return talkjs_; }

  /// The simulated Directly API's tokens, questions and counters.
  DirectlyState& directly() { return directly_; }

  /// Clears the counters, everything written or added and Directly's questions. Tokens
  /// stay valid.
  void reset();

 private:
  void reset_counters();

  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t, std::less<>> calls_;
  std::map<std::string, std::uint64_t, std::less<>> conversations_;
  std::map<unsigned, std::uint64_t> statuses_;
  IssuedTokens tokens_{"sim-ja-"};
  JustAnswerState justanswer_;
  CaoState cao_;
  TalkJsState talkjs_;
  DirectlyState directly_;
};

/// The call names counted in stats, one per simulated API operation.
namespace call {
inline constexpr std::string_view kJustAnswerToken = "justanswer.token";
inline constexpr std::string_view kJustAnswerQuestion = "justanswer.question";
inline constexpr std::string_view kCaoTranscript = "cao.transcript";
inline constexpr std::string_view kTalkJsConversation = "talkjs.conversation";
inline constexpr std::string_view kTalkJsMessages = "talkjs.messages";
inline constexpr std::string_view kDirectlyToken = "directly.token";
inline constexpr std::string_view kDirectlyLogout = "directly.logout";
inline constexpr std::string_view kDirectlyQuestion = "directly.question";
// The reads added for commands' read-back.
inline constexpr std::string_view kJustAnswerQuestions = "justanswer.questions";
inline constexpr std::string_view kCaoConversations = "cao.conversations";
inline constexpr std::string_view kTalkJsUser = "talkjs.user";
}  // namespace call

/// The call name counted for a write: "<platform>.<route>" ("cao.send-message").
std::string write_call_name(std::string_view platform, std::string_view route);

}  // namespace parley::sim
