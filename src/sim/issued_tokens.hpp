#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace parley::sim {

/// The bearer tokens one simulated API issued: "<prefix><n>", never the same twice, each
/// valid until it expires, is revoked, or revoke_all() runs. Thread-safe.
class IssuedTokens {
 public:
  using Clock = std::chrono::steady_clock;

  explicit IssuedTokens(std::string prefix) : prefix_(std::move(prefix)) {}

  std::string issue(Clock::time_point expires);
  bool valid(std::string_view token, Clock::time_point now) const;
  /// False when `token` was not valid.
  bool revoke(std::string_view token, Clock::time_point now);
  void revoke_all();

 private:
  const std::string prefix_;
  mutable std::mutex mutex_;
  std::uint64_t issued_ = 0;  // keeps counting: a revoked token never comes back
  std::map<std::string, Clock::time_point, std::less<>> tokens_;
};

}  // namespace parley::sim
