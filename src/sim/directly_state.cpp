#include "directly_state.hpp"

#include "deterministic.hpp"
#include "json_out.hpp"

namespace parley::sim {

std::string DirectlyState::issue_token(Clock::time_point expires) {
  return tokens_.issue(expires);  // its own prefix: a JustAnswer token is never a Directly one
}

bool DirectlyState::token_valid(std::string_view token, Clock::time_point now) const {
  return tokens_.valid(token, now);
}

bool DirectlyState::revoke_token(std::string_view token, Clock::time_point now) {
  if (!tokens_.revoke(token, now)) return false;
  std::lock_guard lock(mutex_);
  ++logouts_;
  return true;
}

DirectlyState::Poll DirectlyState::poll(const std::string& uuid, std::string_view token,
                                        std::optional<DirectlyTime> last_checked,
                                        DirectlyTime now) {
  std::lock_guard lock(mutex_);
  const auto& question = question_locked(uuid, now);
  pollers_[uuid].emplace(token);
  if (last_checked && question.updated_at <= *last_checked) return Poll{.modified = false};
  Poll answer{.modified = true};
  append_directly_question(answer.data, question);
  return answer;
}

void DirectlyState::record_poll_status(unsigned status) {
  std::lock_guard lock(mutex_);
  ++polls_[status];
}

std::optional<std::string> DirectlyState::question_json(const std::string& uuid) const {
  std::lock_guard lock(mutex_);
  const auto found = questions_.find(uuid);
  if (found == questions_.end()) return std::nullopt;
  std::string data;
  append_directly_question(data, found->second);
  return data;
}

Result<DirectlyChanged, DirectlyConflict> DirectlyState::change(
    const std::string& uuid, const DirectlyChange& change, DirectlyTime now,
    std::optional<std::uint64_t> generation) {
  std::lock_guard lock(mutex_);
  if (generation && *generation != generation_) {
    return DirectlyConflict{"the simulator was reset since the play of " + uuid + " started"};
  }
  return apply_directly_change(question_locked(uuid, now), change, now);
}

Result<std::uint64_t, DirectlyConflict> DirectlyState::start_play(const std::string& uuid,
                                                                  DirectlyTime now) {
  std::lock_guard lock(mutex_);
  const auto& question = question_locked(uuid, now);
  if (question.closed) {
    return DirectlyConflict{"question " + uuid + ": is " + question.status +
                            "; a closed question cannot change"};
  }
  return generation_;
}

std::pair<std::string, std::string> DirectlyState::ask(std::string text, std::string language,
                                                       std::string author, DirectlyTime now) {
  std::lock_guard lock(mutex_);
  auto uuid = uuid_text("asked", "directly-question", asked_++);
  while (questions_.contains(uuid))  // polled before it was asked: never in practice
    uuid = uuid_text(uuid, "directly-question-again");
  const auto& question = questions_
                             .insert_or_assign(uuid, asked_directly_question(
                                                         uuid, std::move(text), std::move(language),
                                                         std::move(author), now))
                             .first->second;
  std::string data;
  append_directly_question(data, question);
  return {uuid, std::move(data)};
}

Result<std::string, DirectlyState::Refusal> DirectlyState::accept_response(
    std::string_view response_uuid, DirectlyTime now) {
  std::lock_guard lock(mutex_);
  for (auto& [uuid, question] : questions_) {
    for (std::size_t i = 0; i < question.responses.size(); ++i) {
      if (question.responses[i].uuid != response_uuid) continue;
      auto accepted = accept_directly_response(question, i, now);
      if (!accepted) return Refusal{409, accepted.error().message};
      std::string data;
      append_directly_response(data, question.responses[i]);
      return data;
    }
  }
  return Refusal{404, "response " + std::string(response_uuid) + ": no question has it"};
}

void DirectlyState::append_stats(std::string& out) const {
  std::lock_guard lock(mutex_);
  json::ObjectWriter object(out);
  {
    json::ObjectWriter polls(object.key("polls"));
    // 200 and 304 always, so that readers can expect the keys.
    auto counts = polls_;
    counts.try_emplace(200, 0);
    counts.try_emplace(304, 0);
    for (const auto& [status, count] : counts)
      put_int(polls, std::to_string(status), static_cast<long long>(count));
  }
  {
    json::ObjectWriter pollers(object.key("pollers"));
    for (const auto& [uuid, tokens] : pollers_) {
      auto& list = pollers.key(uuid);
      list += '[';
      bool first = true;
      for (const auto& token : tokens) {
        if (!first) list += ',';
        first = false;
        json::append_string(list, token);
      }
      list += ']';
    }
  }
  put_int(object, "logouts", static_cast<long long>(logouts_));
  put_int(object, "questions", static_cast<long long>(questions_.size()));
}

void DirectlyState::reset() {
  std::lock_guard lock(mutex_);
  questions_.clear();
  pollers_.clear();
  polls_.clear();
  logouts_ = 0;
  asked_ = 0;
  ++generation_;
}

DirectlyQuestion& DirectlyState::question_locked(const std::string& uuid, DirectlyTime now) {
  auto found = questions_.find(uuid);
  if (found == questions_.end()) {
    found = questions_.emplace(uuid, new_directly_question(uuid, now)).first;
  }
  return found->second;
}

}  // namespace parley::sim
