#include "faults.hpp"

#include "directly_data.hpp"
#include "json_out.hpp"

namespace parley::sim {
namespace {

std::size_t slot(Platform platform) {
  return static_cast<std::size_t>(platform);
}

http::Response failure(Platform platform, unsigned status, unsigned retry_after_s,
                       std::string_view why) {
  const auto message = "simulated failure (" + std::string(why) + "): " + std::to_string(status);
  http::Response response{
      .status = status,
      .body = platform == Platform::directly ? directly_error_json(message) : error_json(message)};
  // Set here rather than through retry_after_seconds, which cannot say "retry now" (0).
  if (status == 429 || status == 503) {
    response.extra_headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  }
  return response;
}

}  // namespace

std::string_view platform_name(Platform platform) {
  switch (platform) {
    case Platform::justanswer:
      return "justanswer";
    case Platform::cao:
      return "cao";
    case Platform::talkjs:
      return "talkjs";
    case Platform::directly:
      return "directly";
  }
  return "unknown";
}

Faults::Faults(double error_rate, double throttle_rate, unsigned retry_after_s, std::uint64_t seed)
    : error_rate_(error_rate),
      throttle_rate_(throttle_rate),
      retry_after_s_(retry_after_s),
      seed_(seed),
      random_(seed) {}

std::optional<http::Response> Faults::next(Platform platform) {
  std::lock_guard lock(mutex_);
  if (auto& rule = rules_[slot(platform)]) {
    const auto answer = failure(platform, rule->status, rule->retry_after_s, "POST /_sim/faults");
    if (rule->remaining > 0 && --rule->remaining == 0) rule.reset();
    return answer;
  }
  if (error_rate_ <= 0 && throttle_rate_ <= 0) return std::nullopt;
  const double roll = draw();
  if (roll < error_rate_) return failure(platform, 500, 0, "--error-rate");
  if (roll < error_rate_ + throttle_rate_)
    return failure(platform, 429, retry_after_s_, "--throttle-rate");
  return std::nullopt;
}

// Uniform in [0, 1) from the top 53 bits: mt19937_64's output is fixed by the standard,
// std::uniform_real_distribution's is not, and runs must repeat across toolchains.
double Faults::draw() {
  return static_cast<double>(random_() >> 11) * 0x1.0p-53;
}

void Faults::set(Platform platform, FaultRule rule) {
  std::lock_guard lock(mutex_);
  rules_[slot(platform)] = rule;
}

void Faults::clear(Platform platform) {
  std::lock_guard lock(mutex_);
  rules_[slot(platform)].reset();
}

void Faults::reset() {
  std::lock_guard lock(mutex_);
  rules_ = {};
  random_.seed(seed_);
}

}  // namespace parley::sim
