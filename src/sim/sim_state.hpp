#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "directly_state.hpp"
#include "issued_tokens.hpp"
#include "justanswer_data.hpp"

namespace parley::sim {

/// What the simulator remembers between requests: call counters, issued JustAnswer
/// tokens, messages added to questions and Directly's state. Thread-safe (one mutex, and
/// DirectlyState's own, always taken after it); every method may be called from any I/O
/// thread.
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
  /// "directly":{...}}; every call name is present, conversations and statuses only once
  /// seen; `directly` as DirectlyState::append_stats writes it.
  std::string stats_json() const;

  /// A new token ("sim-ja-<n>", never issued before) valid until `expires`.
  std::string issue_token(Clock::time_point expires);
  /// True for a token issued, not expired by time nor by expire_tokens().
  bool token_valid(std::string_view token, Clock::time_point now) const;
  /// Invalidates every token issued so far.
  void expire_tokens();

  /// Appends a message to `question`; returns its 1-based number among all its messages.
  std::size_t add_message(const std::string& question, AddedMessage message);
  std::vector<AddedMessage> added_messages(const std::string& question) const;

  /// One more message in the TalkJS conversation or CAO visit `conversation`
  /// ("talkjs:<id>", "cao:<VisitId>"), continuing its generated sequence; returns how many
  /// were added to it so far.
  std::size_t add_generated(const std::string& conversation);
  std::size_t added_count(const std::string& conversation) const;

  /// The simulated Directly API's tokens, questions and counters.
  DirectlyState& directly() { return directly_; }

  /// Clears the counters, the added messages and Directly's questions. Tokens stay valid.
  void reset();

 private:
  void reset_counters();

  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t, std::less<>> calls_;
  std::map<std::string, std::uint64_t, std::less<>> conversations_;
  std::map<unsigned, std::uint64_t> statuses_;
  IssuedTokens tokens_{"sim-ja-"};
  std::map<std::string, std::vector<AddedMessage>, std::less<>> added_;
  std::map<std::string, std::size_t, std::less<>> generated_added_;
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
}  // namespace call

}  // namespace parley::sim
