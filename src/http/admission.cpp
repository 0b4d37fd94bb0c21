#include "parley/http/admission.hpp"

#include <string>

namespace parley::http {

Result<Admission::Ticket, Error> Admission::admit() {
  if (draining()) {
    return Error{Errc::draining, "parley is shutting down; retry against another replica"};
  }
  if (inflight_.fetch_add(1) >= max_inflight_) {
    inflight_.fetch_sub(1);
    return Error{Errc::overloaded, "over limits.max_inflight (" + std::to_string(max_inflight_) +
                                       " requests in flight)"};
  }
  return Ticket(*this);
}

}  // namespace parley::http
