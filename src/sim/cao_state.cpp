#include "cao_state.hpp"

#include "deterministic.hpp"

namespace parley::sim {

std::pair<std::string, CaoMessage> CaoState::start(CaoStart start, std::string text,
                                                   std::int64_t now) {
  std::lock_guard lock(mutex_);
  const auto ordinal = started_++;
  auto visit_id =
      decimal_id(pick(start.consumer_id + "/" + start.session_id, "visit", ordinal), 10);
  // A generated visit written to before keeps its history: another id (never in practice).
  while (visits_.contains(visit_id))
    visit_id = decimal_id(pick(visit_id, "visit-again"), 10);
  auto& state = visit_locked(visit_id);
  state.start = std::move(start);
  const auto visit = cao_visit(visit_id, state);
  state.extra.push_back(
      cao_sent_message(visit, state.start->external_message_id, std::move(text), now, 0));
  return {visit_id, state.extra.back()};
}

CaoMessage CaoState::send(const std::string& visit_id, std::string external_message_id,
                          std::string text, std::int64_t now) {
  std::lock_guard lock(mutex_);
  auto& state = visit_locked(visit_id);
  state.extra.push_back(cao_sent_message(cao_visit(visit_id, state), std::move(external_message_id),
                                         std::move(text), now, state.extra.size()));
  return state.extra.back();
}

CaoMessage CaoState::add_generated(const std::string& visit_id) {
  std::lock_guard lock(mutex_);
  auto& state = visit_locked(visit_id);
  const auto visit = cao_visit(visit_id, state);
  const auto generated = state.start ? 0 : cao_message_count(visit_id);
  state.extra.push_back(cao_message(visit, generated + state.generated_added++));
  return state.extra.back();
}

CaoVisitState CaoState::visit(const std::string& visit_id) const {
  std::lock_guard lock(mutex_);
  const auto found = visits_.find(visit_id);
  return found == visits_.end() ? CaoVisitState{} : found->second;
}

std::vector<std::pair<std::string, CaoVisitState>> CaoState::visits_of(
    const std::string& consumer_id) const {
  std::lock_guard lock(mutex_);
  std::vector<std::pair<std::string, CaoVisitState>> visits;
  for (const auto& visit_id : order_) {
    const auto& state = visits_.at(visit_id);
    if (cao_visit(visit_id, state).consumer_id == consumer_id) visits.emplace_back(visit_id, state);
  }
  return visits;
}

void CaoState::reset() {
  std::lock_guard lock(mutex_);
  visits_.clear();
  order_.clear();
  started_ = 0;
}

CaoVisitState& CaoState::visit_locked(const std::string& visit_id) {
  const auto [found, inserted] = visits_.try_emplace(visit_id);
  if (inserted) order_.push_back(visit_id);
  return found->second;
}

}  // namespace parley::sim
