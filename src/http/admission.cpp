#include "parley/http/admission.hpp"

#include <string>

#include "parley/http/errors.hpp"

namespace parley::http {

Result<Admission::Ticket, Error> Admission::admit(std::size_t body_bytes) {
  if (draining()) {
    return Error{http::Errc::draining, "parley is shutting down; retry against another replica"};
  }
  if (inflight_.fetch_add(1) >= limits_.max_inflight) {
    inflight_.fetch_sub(1);
    return Error{http::Errc::overloaded, "over limits.max_inflight (" +
                                             std::to_string(limits_.max_inflight) +
                                             " requests in flight)"};
  }
  if (bytes_.fetch_add(body_bytes) + body_bytes > limits_.max_bytes) {
    bytes_.fetch_sub(body_bytes);
    inflight_.fetch_sub(1);
    return Error{http::Errc::overloaded, "over limits.max_inflight_bytes (" +
                                             std::to_string(limits_.max_bytes) +
                                             " bytes of request bodies in flight)"};
  }
  return Ticket(*this, body_bytes, false, {});
}

Result<Admission::Ticket, Error> Admission::admit_unverified(std::size_t body_bytes,
                                                             const boost::asio::ip::address& peer) {
  {
    std::lock_guard lock(unverified_mutex_);
    if (unverified_total_ + body_bytes > limits_.max_unverified_bytes) {
      return Error{http::Errc::overloaded, "over limits.max_unverified_bytes (" +
                                               std::to_string(limits_.max_unverified_bytes) +
                                               " bytes of bodies awaiting their signature check)"};
    }
    const auto found = unverified_by_peer_.find(peer);
    const std::size_t mine = found == unverified_by_peer_.end() ? 0 : found->second;
    if (mine + body_bytes > limits_.max_unverified_bytes_per_peer) {
      return Error{http::Errc::overloaded,
                   "over limits.max_unverified_bytes_per_peer (" +
                       std::to_string(limits_.max_unverified_bytes_per_peer) +
                       " bytes of bodies awaiting their signature check from one address)"};
    }
    unverified_total_ += body_bytes;
    unverified_by_peer_[peer] = mine + body_bytes;
  }
  auto admitted = admit(body_bytes);
  if (!admitted) {
    std::lock_guard lock(unverified_mutex_);
    unverified_total_ -= body_bytes;
    if ((unverified_by_peer_[peer] -= body_bytes) == 0) unverified_by_peer_.erase(peer);
    return admitted.error();
  }
  admitted.value().unverified_ = true;
  admitted.value().peer_ = peer;
  return admitted;
}

std::size_t Admission::unverified_bytes() const {
  std::lock_guard lock(unverified_mutex_);
  return unverified_total_;
}

void Admission::release(const Ticket& ticket) {
  inflight_.fetch_sub(1);
  bytes_.fetch_sub(ticket.bytes_);
  if (!ticket.unverified_) return;
  std::lock_guard lock(unverified_mutex_);
  unverified_total_ -= ticket.bytes_;
  const auto found = unverified_by_peer_.find(ticket.peer_);
  if (found != unverified_by_peer_.end() && (found->second -= ticket.bytes_) == 0) {
    unverified_by_peer_.erase(found);
  }
}

}  // namespace parley::http
