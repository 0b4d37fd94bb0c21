#pragma once

#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <limits>
#include <map>
#include <mutex>
#include <utility>

#include "parley/common/error.hpp"
#include "parley/common/result.hpp"

namespace parley::http {

/// The limits of an Admission (limits.* in the config).
struct AdmissionLimits {
  std::size_t max_inflight = 10000;
  std::size_t max_bytes = std::numeric_limits<std::size_t>::max();
  /// Bodies not yet verified (their proof is a signature over the body): at most this much
  /// of max_bytes at once, and per peer address at most `max_unverified_bytes_per_peer`, so
  /// unauthenticated traffic never takes the budget verified webhooks need.
  std::size_t max_unverified_bytes = std::numeric_limits<std::size_t>::max();
  std::size_t max_unverified_bytes_per_peer = std::numeric_limits<std::size_t>::max();
};

/// The door of the ingest listener: at most `max_inflight` requests and `max_bytes` bytes
/// of bodies at once, a smaller share of them for bodies not yet verified, none while
/// draining. Thread-safe: verified admissions are lock-free, unverified ones take a lock.
class Admission {
 public:
  /// Held by an admitted request until its answer is written. Move-only.
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept
        : admission_(other.admission_),
          bytes_(other.bytes_),
          unverified_(other.unverified_),
          peer_(std::move(other.peer_)) {
      other.admission_ = nullptr;
    }
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket() {
      if (admission_ != nullptr) admission_->release(*this);
    }

   private:
    friend class Admission;
    Ticket(Admission& admission, std::size_t bytes, bool unverified, boost::asio::ip::address peer)
        : admission_(&admission), bytes_(bytes), unverified_(unverified), peer_(std::move(peer)) {}
    Admission* admission_;
    std::size_t bytes_;
    bool unverified_;
    boost::asio::ip::address peer_;
  };

  explicit Admission(AdmissionLimits limits) : limits_(limits) {}
  explicit Admission(std::size_t max_inflight,
                     std::size_t max_bytes = std::numeric_limits<std::size_t>::max())
      : Admission(AdmissionLimits{.max_inflight = max_inflight, .max_bytes = max_bytes}) {}

  /// A ticket for a verified request whose body may take `body_bytes` (or one with no body
  /// proof to wait for), or overloaded / draining (messages name the limit).
  Result<Ticket, Error> admit(std::size_t body_bytes = 0);
  /// Likewise for a request from `peer` whose proof is in its body, charged to the budget
  /// for unverified bytes too.
  Result<Ticket, Error> admit_unverified(std::size_t body_bytes,
                                         const boost::asio::ip::address& peer);

  void start_draining() { draining_.store(true); }
  bool draining() const { return draining_.load(); }
  std::size_t inflight() const { return inflight_.load(); }
  /// Bytes of unverified bodies admitted now.
  std::size_t unverified_bytes() const;

 private:
  void release(const Ticket& ticket);

  const AdmissionLimits limits_;
  std::atomic<std::size_t> inflight_{0};
  std::atomic<std::size_t> bytes_{0};
  std::atomic<bool> draining_{false};
  mutable std::mutex unverified_mutex_;
  std::size_t unverified_total_ = 0;
  std::map<boost::asio::ip::address, std::size_t> unverified_by_peer_;  // entries > 0 only
};

}  // namespace parley::http
