#include "justanswer_state.hpp"

#include <algorithm>

#include "deterministic.hpp"

namespace parley::sim {

std::string JustAnswerState::post_question(const std::string& customer, std::string text,
                                           std::int64_t now) {
  std::lock_guard lock(mutex_);
  const auto ordinal = posted_++;
  auto token =
      hex64(pick(customer, "question", ordinal)) + hex64(pick(customer, "question-2", ordinal));
  questions_[token] = JustAnswerQuestionState{
      .posted = PostedQuestion{.customer = customer, .text = std::move(text), .posted = now}};
  posted_by_[customer].push_back(token);
  return token;
}

std::size_t JustAnswerState::add_message(const std::string& question, AddedMessage message) {
  std::lock_guard lock(mutex_);
  auto& state = questions_[question];
  state.added.push_back(std::move(message));
  return justanswer_total_messages(question, state);
}

std::optional<JustAnswerRefusal> JustAnswerState::accept(const std::string& question,
                                                         std::size_t number) {
  std::lock_guard lock(mutex_);
  auto& state = questions_[question];
  if (auto refused = check(question, state, number, /*expert_only=*/true)) return refused;
  state.accepted.insert(number);
  return std::nullopt;
}

std::optional<JustAnswerRefusal> JustAnswerState::rate(const std::string& question,
                                                       std::size_t number,
                                                       JustAnswerFeedback feedback) {
  std::lock_guard lock(mutex_);
  auto& state = questions_[question];
  if (auto refused = check(question, state, number, /*expert_only=*/false)) return refused;
  state.feedback.insert_or_assign(number, std::move(feedback));
  return std::nullopt;
}

std::optional<JustAnswerRefusal> JustAnswerState::view(const std::string& question,
                                                       std::size_t number) {
  std::lock_guard lock(mutex_);
  auto& state = questions_[question];
  if (auto refused = check(question, state, number, /*expert_only=*/false)) return refused;
  state.read_through = std::max(state.read_through, number);
  return std::nullopt;
}

JustAnswerQuestionState JustAnswerState::question(const std::string& question) const {
  std::lock_guard lock(mutex_);
  const auto found = questions_.find(question);
  return found == questions_.end() ? JustAnswerQuestionState{} : found->second;
}

std::vector<std::pair<std::string, JustAnswerQuestionState>> JustAnswerState::questions_of(
    const std::string& customer) const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, JustAnswerQuestionState>> questions;
  const auto found = posted_by_.find(customer);
  if (found == posted_by_.end()) return questions;
  for (const auto& token : found->second)
    questions.emplace_back(token, questions_.at(token));
  return questions;
}

void JustAnswerState::reset() {
  std::lock_guard lock(mutex_);
  questions_.clear();
  posted_by_.clear();
  posted_ = 0;
}

std::optional<JustAnswerRefusal> JustAnswerState::check(const std::string& question,
                                                        const JustAnswerQuestionState& state,
                                                        std::size_t number, bool expert_only) {
  if (number < 1 || number > justanswer_total_messages(question, state)) {
    return JustAnswerRefusal{
        404, "message " + std::to_string(number) + " of question " + question + " does not exist"};
  }
  if (expert_only && !justanswer_is_expert_message(question, state, number)) {
    return JustAnswerRefusal{400, "message " + std::to_string(number) +
                                      " is not an expert's answer; only those can be accepted"};
  }
  return std::nullopt;
}

}  // namespace parley::sim
