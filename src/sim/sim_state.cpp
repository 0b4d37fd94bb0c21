#include "sim_state.hpp"

#include "json_out.hpp"

namespace parley::sim {
namespace {

template <class Key>
void append_counts(std::string& out, const std::map<Key, std::uint64_t, std::less<>>& counts) {
  json::ObjectWriter object(out);
  for (const auto& [name, count] : counts)
    put_int(object, name, static_cast<long long>(count));
}

}  // namespace

std::string write_call_name(std::string_view platform, std::string_view route) {
  return std::string(platform) + "." + std::string(route);
}

SimState::SimState() {
  reset_counters();
}

void SimState::record_call(std::string_view name, const std::string& conversation) {
  std::lock_guard lock(mutex_);
  ++calls_[std::string(name)];
  if (!conversation.empty()) ++conversations_[conversation];
}

void SimState::record_status(unsigned status) {
  std::lock_guard lock(mutex_);
  ++statuses_[status];
}

std::string SimState::stats_json() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::uint64_t, std::less<>> statuses;
  for (const auto& [status, count] : statuses_)
    statuses.emplace(std::to_string(status), count);
  std::string body;
  {
    json::ObjectWriter object(body);
    append_counts(object.key("calls"), calls_);
    append_counts(object.key("conversations"), conversations_);
    append_counts(object.key("statuses"), statuses);
    directly_.append_stats(object.key("directly"));
  }
  return body;
}

std::string SimState::issue_token(Clock::time_point expires) {
  return tokens_.issue(expires);
}

bool SimState::token_valid(std::string_view token, Clock::time_point now) const {
  return tokens_.valid(token, now);
}

void SimState::expire_tokens() {
  tokens_.revoke_all();
}

void SimState::reset() {
  std::lock_guard lock(mutex_);
  reset_counters();
  justanswer_.reset();
  cao_.reset();
  talkjs_.reset();
  directly_.reset();
}

// Every call name is always present so that readers can expect the key.
void SimState::reset_counters() {
  calls_.clear();
  for (const auto name : {call::kJustAnswerToken, call::kJustAnswerQuestion,
                          call::kJustAnswerQuestions, call::kCaoTranscript, call::kCaoConversations,
                          call::kTalkJsConversation, call::kTalkJsMessages, call::kTalkJsUser,
                          call::kDirectlyToken, call::kDirectlyLogout, call::kDirectlyQuestion}) {
    calls_.emplace(name, 0);
  }
  conversations_.clear();
  statuses_.clear();
}

}  // namespace parley::sim
