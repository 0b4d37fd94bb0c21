#include "issued_tokens.hpp"

namespace parley::sim {

std::string IssuedTokens::issue(Clock::time_point expires) {
  std::lock_guard lock(mutex_);
  auto token = prefix_ + std::to_string(++issued_);
  tokens_.emplace(token, expires);
  return token;
}

bool IssuedTokens::valid(std::string_view token, Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  const auto found = tokens_.find(token);
  return found != tokens_.end() && now < found->second;
}

bool IssuedTokens::revoke(std::string_view token, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  const auto found = tokens_.find(token);
  if (found == tokens_.end() || now >= found->second) return false;
  tokens_.erase(found);
  return true;
}

void IssuedTokens::revoke_all() {
  std::lock_guard lock(mutex_);
  tokens_.clear();
}

}  // namespace parley::sim
