#include "parley/http/admission.hpp"
#include "parley/http/errors.hpp"

#include <string>

namespace parley::http {

Result<Admission::Ticket, Error> Admission::admit(std::size_t body_bytes) {
  if (draining()) {
    return Error{http::Errc::draining, "parley is shutting down; retry against another replica"};
  }
  if (inflight_.fetch_add(1) >= max_inflight_) {
    inflight_.fetch_sub(1);
    return Error{
        http::Errc::overloaded,
        "over limits.max_inflight (" + std::to_string(max_inflight_) + " requests in flight)"};
  }
  if (bytes_.fetch_add(body_bytes) + body_bytes > max_bytes_) {
    bytes_.fetch_sub(body_bytes);
    inflight_.fetch_sub(1);
    return Error{http::Errc::overloaded, "over limits.max_inflight_bytes (" +
                                             std::to_string(max_bytes_) +
                                             " bytes of request bodies in flight)"};
  }
  return Ticket(*this, body_bytes);
}

}  // namespace parley::http
