#include "parley/upstream/retry.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <iomanip>
#include <sstream>
#include <string>

namespace parley::upstream {

using std::chrono::milliseconds;

namespace {
constexpr milliseconds kMaxRetryAfter = std::chrono::hours(1);
constexpr std::size_t kBodyExcerpt = 200;
}  // namespace

milliseconds backoff_delay(const BackoffPolicy& policy, unsigned retry, milliseconds retry_after,
                           std::mt19937_64& random) {
  // Shifts beyond 20 only matter for caps above 100 s·2^20; clamp to keep it defined.
  const unsigned shift = std::min(retry > 0 ? retry - 1 : 0u, 20u);
  const auto ceiling = std::min(policy.cap, policy.base * (std::int64_t{1} << shift));
  std::uniform_int_distribution<std::int64_t> pick(0, std::max<std::int64_t>(ceiling.count(), 0));
  return std::max(milliseconds(pick(random)), retry_after);
}

std::optional<milliseconds> parse_retry_after(std::string_view value,
                                              std::chrono::system_clock::time_point now) {
  while (!value.empty() && value.front() == ' ')
    value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ')
    value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size()) {
    if (seconds < 0) return std::nullopt;
    return std::min<milliseconds>(std::chrono::seconds(seconds), kMaxRetryAfter);
  }
  if (ec == std::errc::result_out_of_range) return kMaxRetryAfter;
  std::tm tm{};
  std::istringstream in{std::string(value)};
  in.imbue(std::locale::classic());
  in >> std::get_time(&tm, "%a, %d %b %Y %H:%M:%S GMT");
  if (in.fail()) return std::nullopt;
  const auto at = std::chrono::system_clock::from_time_t(timegm(&tm));
  const auto delay = std::chrono::duration_cast<milliseconds>(at - now);
  return std::clamp(delay, milliseconds(0), kMaxRetryAfter);
}

std::optional<UpstreamError> judge(std::string_view what, const HttpResponse& response) {
  const unsigned status = response.status;
  if (status >= 200 && status < 300) return std::nullopt;
  UpstreamError error{.message = std::string(what) + " answered " + std::to_string(status),
                      .retryable = status == 408 || status == 429 || status >= 500,
                      .status = status};
  if (!response.body.empty()) {
    error.message += ": " + response.body.substr(0, kBodyExcerpt);
  }
  if (!response.retry_after.empty()) {
    error.retry_after = parse_retry_after(response.retry_after, std::chrono::system_clock::now())
                            .value_or(std::chrono::milliseconds(0));
  }
  return error;
}

bool CircuitBreaker::allow(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (!open_) return true;
  if (now - opened_at_ < options_.open_for || probe_out_) return false;
  probe_out_ = true;
  return true;
}

void CircuitBreaker::record_success() {
  std::lock_guard lock(mutex_);
  consecutive_failures_ = 0;
  open_ = false;
  probe_out_ = false;
}

void CircuitBreaker::record_failure(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  ++consecutive_failures_;
  if (probe_out_ || consecutive_failures_ >= options_.failure_threshold) {
    open_ = true;
    probe_out_ = false;
    opened_at_ = now;
  }
}

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) const {
  std::lock_guard lock(mutex_);
  if (!open_) return State::closed;
  return now - opened_at_ < options_.open_for ? State::open : State::half_open;
}

}  // namespace parley::upstream
