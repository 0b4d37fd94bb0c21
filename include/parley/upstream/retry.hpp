#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "parley/upstream/http_client.hpp"

namespace parley::upstream {

/// Why an upstream call gave no usable answer, and whether trying again can help.
struct UpstreamError {
  std::string message;
  bool retryable = true;
  std::chrono::milliseconds retry_after{0};  ///< the upstream's Retry-After, 0 if none
  unsigned status = 0;                       ///< HTTP status when one came back
};

/// nullopt for a 2xx; otherwise the error: 408, 429 and 5xx retryable (Retry-After
/// honoured), other statuses not. `what` names the call in the message.
std::optional<UpstreamError> judge(std::string_view what, const HttpResponse& response);

/// Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff
/// And Jitter"): the n-th retry waits a uniform random time in [0, min(cap, base·2^(n-1))],
/// so many clients retrying together spread out instead of stampeding.
struct BackoffPolicy {
  std::chrono::milliseconds base{100};
  std::chrono::milliseconds cap{5000};
};

/// The wait before retry number `retry` (1 = first retry). A server's Retry-After is a
/// floor: parley never calls back sooner than it was asked to. Thread-safe if `random`
/// is not shared between threads.
std::chrono::milliseconds backoff_delay(const BackoffPolicy& policy, unsigned retry,
                                        std::chrono::milliseconds retry_after,
                                        std::mt19937_64& random);

/// The delay of a Retry-After header value: delta-seconds ("3") or an HTTP date
/// ("Wed, 21 Oct 2015 07:28:00 GMT", relative to `now`); nullopt when unreadable.
/// Capped at one hour so a hostile upstream cannot park parley.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

/// Stops calling an upstream that keeps failing. Closed: every call allowed; after
/// `failure_threshold` consecutive failures it opens: calls are refused at once for
/// `open_for`; then half-open: one probe call is allowed, whose success closes it and
/// whose failure opens it again. Thread-safe.
class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { closed, open, half_open };
  struct Options {
    unsigned failure_threshold = 5;
    std::chrono::milliseconds open_for{5000};
  };

  explicit CircuitBreaker(Options options) : options_(options) {}

  /// True when a call may go out now (in half-open: true once, for the probe).
  bool allow(Clock::time_point now);
  void record_success();
  void record_failure(Clock::time_point now);
  State state(Clock::time_point now) const;

 private:
  Options options_;
  mutable std::mutex mutex_;
  unsigned consecutive_failures_ = 0;
  bool open_ = false;
  bool probe_out_ = false;
  Clock::time_point opened_at_{};
};

}  // namespace parley::upstream
