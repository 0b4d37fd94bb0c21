#pragma once

#include <atomic>
#include <cstddef>
#include <limits>

#include "parley/common/error.hpp"
#include "parley/common/result.hpp"

namespace parley::http {

/// The door of the ingest listener: at most `max_inflight` requests and `max_bytes` bytes
/// of bodies at once, none while draining. Thread-safe, lock-free.
class Admission {
 public:
  /// Held by an admitted request until its answer is written. Move-only.
  class Ticket {
   public:
    Ticket(Admission& admission, std::size_t bytes) : admission_(&admission), bytes_(bytes) {}
    Ticket(Ticket&& other) noexcept : admission_(other.admission_), bytes_(other.bytes_) {
      other.admission_ = nullptr;
    }
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket() {
      if (admission_ == nullptr) return;
      admission_->inflight_.fetch_sub(1);
      admission_->bytes_.fetch_sub(bytes_);
    }

   private:
    Admission* admission_;
    std::size_t bytes_;
  };

  explicit Admission(std::size_t max_inflight,
                     std::size_t max_bytes = std::numeric_limits<std::size_t>::max())
      : max_inflight_(max_inflight), max_bytes_(max_bytes) {}

  /// A ticket for a request whose body may take `body_bytes`, or overloaded / draining
  /// (messages name the limit).
  Result<Ticket, Error> admit(std::size_t body_bytes = 0);

  void start_draining() { draining_.store(true); }
  bool draining() const { return draining_.load(); }
  std::size_t inflight() const { return inflight_.load(); }

 private:
  const std::size_t max_inflight_;
  const std::size_t max_bytes_;
  std::atomic<std::size_t> inflight_{0};
  std::atomic<std::size_t> bytes_{0};
  std::atomic<bool> draining_{false};
};

}  // namespace parley::http
