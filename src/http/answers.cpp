#include "parley/http/answers.hpp"

#include "parley/http/errors.hpp"
#include "parley/kafka/errors.hpp"
#include "parley/sources/errors.hpp"
#include "parley/spool/errors.hpp"

namespace parley::http {
namespace {

// Retry-After of what clears by itself: a moment for load, longer for Kafka and shutdown.
constexpr unsigned kSoon = 1;
constexpr unsigned kLater = 5;

constexpr Answer kInternal{500, 0, "internal"};

Answer answer(Errc code) {
  switch (code) {
    case Errc::malformed:
      return {400, 0, "invalid"};
    case Errc::not_found:
      return {404, 0, "invalid"};
    case Errc::method_not_allowed:
      return {405, 0, "invalid"};
    case Errc::payload_too_large:
      return {413, 0, "too_large"};
    case Errc::header_too_large:
      return {431, 0, "too_large"};
    case Errc::unsupported_media_type:
      return {415, 0, "invalid"};
    case Errc::request_timeout:
      return {408, 0, "timeout"};
    case Errc::overloaded:
      return {429, kSoon, "overloaded"};
    case Errc::draining:
      return {503, kLater, "draining"};
    case Errc::internal:
      return kInternal;
  }
  return kInternal;
}

Answer answer(sources::Errc code) {
  switch (code) {
    case sources::Errc::invalid:
      return {400, 0, "invalid"};
    case sources::Errc::unauthorized:
      return {401, 0, "unauthorized"};
  }
  return kInternal;
}

Answer answer(kafka::Errc code) {
  switch (code) {
    case kafka::Errc::unavailable:
    case kafka::Errc::timeout:
      return {503, kLater, "publish_failed"};
    case kafka::Errc::too_large:
      return {413, 0, "too_large"};
    case kafka::Errc::invalid_record:
      return {400, 0, "invalid"};
    case kafka::Errc::refused:
      return {500, 0, "publish_failed"};
  }
  return kInternal;
}

Answer answer(spool::Errc code) {
  switch (code) {
    case spool::Errc::unavailable:
      return {503, kLater, "publish_failed"};
  }
  return kInternal;
}

template <class Enum>
bool is(const std::error_code& code) {
  return code.category() == error_category_of<Enum>();
}

}  // namespace

Answer answer_for(const std::error_code& code) {
  if (is<Errc>(code)) return answer(static_cast<Errc>(code.value()));
  if (is<sources::Errc>(code)) return answer(static_cast<sources::Errc>(code.value()));
  if (is<kafka::Errc>(code)) return answer(static_cast<kafka::Errc>(code.value()));
  if (is<spool::Errc>(code)) return answer(static_cast<spool::Errc>(code.value()));
  return kInternal;
}

}  // namespace parley::http
