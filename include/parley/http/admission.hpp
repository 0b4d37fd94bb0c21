#pragma once

#include <atomic>
#include <cstddef>

#include "parley/common/error.hpp"
#include "parley/common/result.hpp"

namespace parley::http {

/// The door of the ingest listener: at most `max_inflight` requests at once, none
/// while draining. Thread-safe, lock-free.
class Admission {
 public:
  /// Held by an admitted request until its answer is written. Move-only.
  class Ticket {
   public:
    explicit Ticket(Admission& admission) : admission_(&admission) {}
    Ticket(Ticket&& other) noexcept : admission_(other.admission_) { other.admission_ = nullptr; }
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket() {
      if (admission_ != nullptr) admission_->inflight_.fetch_sub(1);
    }

   private:
    Admission* admission_;
  };

  explicit Admission(std::size_t max_inflight) : max_inflight_(max_inflight) {}

  /// A ticket, or overloaded / draining (messages name the limit).
  Result<Ticket, Error> admit();

  void start_draining() { draining_.store(true); }
  bool draining() const { return draining_.load(); }
  std::size_t inflight() const { return inflight_.load(); }

 private:
  const std::size_t max_inflight_;
  std::atomic<std::size_t> inflight_{0};
  std::atomic<bool> draining_{false};
};

}  // namespace parley::http
