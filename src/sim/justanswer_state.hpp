#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "justanswer_data.hpp"

namespace parley::sim {

/// Why a write to a message cannot apply (answered with `status`, nothing changed).
struct JustAnswerRefusal {
  unsigned status;
  std::string message;
};

/// What JustAnswer's writes changed: questions posted (and each customer's list of them),
/// messages added, accepted, rated and read. Thread-safe (one mutex); every method may be
/// called from any I/O thread.
class JustAnswerState {
 public:
  /// A new question of `customer` with `text`, posted at `now` (unix seconds), without
  /// messages; its token: 32 hex digits derived from the customer and how many questions
  /// were posted before (the same sequence of posts gives the same tokens).
  std::string post_question(const std::string& customer, std::string text, std::int64_t now);

  /// Appends `message` to `question`; returns its 1-based number among all its messages.
  std::size_t add_message(const std::string& question, AddedMessage message);

  /// message.accept: message `number` of `question` becomes an accepted answer. Refused
  /// (404) when there is no such message, (400) when it is not an expert's.
  std::optional<JustAnswerRefusal> accept(const std::string& question, std::size_t number);
  /// message.feedback: `feedback` on message `number` (404 when there is none).
  std::optional<JustAnswerRefusal> rate(const std::string& question, std::size_t number,
                                        JustAnswerFeedback feedback);
  /// message.view: messages 1..`number` are read (404 when there is no message `number`).
  std::optional<JustAnswerRefusal> view(const std::string& question, std::size_t number);

  /// What writes changed in `question` (a default state when nothing).
  JustAnswerQuestionState question(const std::string& question) const;
  /// The questions `customer` posted, in posting order.
  std::vector<std::pair<std::string, JustAnswerQuestionState>> questions_of(
      const std::string& customer) const;

  void reset();

 private:
  /// The refusal when `number` names no message of the question (or, `expert_only`, not
  /// an expert's).
  static std::optional<JustAnswerRefusal> check(const std::string& question,
                                                const JustAnswerQuestionState& state,
                                                std::size_t number, bool expert_only);

  mutable std::mutex mutex_;
  std::map<std::string, JustAnswerQuestionState, std::less<>> questions_;
  std::map<std::string, std::vector<std::string>, std::less<>> posted_by_;
  std::uint64_t posted_ = 0;
};

}  // namespace parley::sim
