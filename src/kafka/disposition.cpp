#include "parley/kafka/disposition.hpp"

#include "parley/kafka/errors.hpp"

namespace parley::kafka {

Disposition disposition(const Error& error) {
  if (error.code.category() != make_error_code(Errc::unavailable).category()) {
    return Disposition::retry;
  }
  switch (static_cast<Errc>(error.code.value())) {
    case Errc::unavailable:
    case Errc::timeout:
      return Disposition::spool;
    case Errc::too_large:
    case Errc::invalid_record:
      return Disposition::give_up;
    case Errc::refused:
      return Disposition::retry;
  }
  return Disposition::retry;
}

std::string_view to_string(Disposition disposition) {
  switch (disposition) {
    case Disposition::spool:
      return "spool";
    case Disposition::retry:
      return "retry";
    case Disposition::give_up:
      return "give_up";
  }
  return "retry";
}

}  // namespace parley::kafka
