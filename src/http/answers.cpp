#include "parley/http/answers.hpp"

namespace parley::http {

unsigned http_status(Errc code) {
  switch (code) {
    case Errc::bad_request:
    case Errc::kafka_invalid_record:
      return 400;
    case Errc::unauthorized:
      return 401;
    case Errc::not_found:
      return 404;
    case Errc::method_not_allowed:
      return 405;
    case Errc::request_timeout:
      return 408;
    case Errc::payload_too_large:
    case Errc::kafka_too_large:
      return 413;
    case Errc::unsupported_media_type:
      return 415;
    case Errc::overloaded:
      return 429;
    case Errc::header_too_large:
      return 431;
    case Errc::draining:
    case Errc::kafka_unavailable:
    case Errc::kafka_timeout:
    case Errc::spool_unavailable:
      return 503;
    case Errc::kafka_refused:
    case Errc::internal:
      return 500;
  }
  return 500;
}

unsigned retry_after_seconds(Errc code) {
  switch (code) {
    case Errc::overloaded:
      return 1;
    case Errc::draining:
    case Errc::kafka_unavailable:
    case Errc::kafka_timeout:
    case Errc::spool_unavailable:
      return 5;
    default:
      return 0;
  }
}

std::string_view metric_outcome(Errc code) {
  switch (code) {
    case Errc::unauthorized:
      return "unauthorized";
    case Errc::payload_too_large:
    case Errc::header_too_large:
    case Errc::kafka_too_large:
      return "too_large";
    case Errc::overloaded:
      return "overloaded";
    case Errc::draining:
      return "draining";
    case Errc::request_timeout:
      return "timeout";
    case Errc::kafka_unavailable:
    case Errc::kafka_timeout:
    case Errc::kafka_refused:
    case Errc::spool_unavailable:
      return "publish_failed";
    case Errc::internal:
      return "internal";
    case Errc::bad_request:
    case Errc::not_found:
    case Errc::method_not_allowed:
    case Errc::unsupported_media_type:
    case Errc::kafka_invalid_record:
      return "invalid";
  }
  return "invalid";
}

}  // namespace parley::http
