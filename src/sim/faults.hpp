#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>

#include "parley/http/message.hpp"

namespace parley::sim {

enum class Platform { justanswer, cao, talkjs, directly };

inline constexpr std::array kPlatforms = {Platform::justanswer, Platform::cao, Platform::talkjs,
                                          Platform::directly};

std::string_view platform_name(Platform platform);

/// A failure set through POST /_sim/faults.
struct FaultRule {
  unsigned status = 500;
  int remaining = 1;           ///< calls still to fail; -1 until cleared
  unsigned retry_after_s = 1;  ///< sent with 429 and 503
};

/// Decides which data calls fail: rules set through /_sim/faults first, then the random
/// --error-rate (500) and --throttle-rate (429) drawn from a PRNG seeded with --seed, so
/// the same sequence of calls fails the same way every run. Thread-safe (one mutex).
class Faults {
 public:
  Faults(double error_rate, double throttle_rate, unsigned retry_after_s, std::uint64_t seed);

  /// The failure answer for the next data call of `platform`, or nullopt to serve it.
  /// Its body is the platform's error shape (Directly's envelope, else {"error":...}).
  std::optional<http::Response> next(Platform platform);

  void set(Platform platform, FaultRule rule);
  void clear(Platform platform);

  /// Clears every rule and reseeds the PRNG: the simulator fails as if just started.
  void reset();

 private:
  double draw();

  const double error_rate_;
  const double throttle_rate_;
  const unsigned retry_after_s_;
  const std::uint64_t seed_;
  std::mutex mutex_;
  std::array<std::optional<FaultRule>, kPlatforms.size()> rules_;
  std::mt19937_64 random_;
};

}  // namespace parley::sim
