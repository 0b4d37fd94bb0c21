#pragma once

#include <string>
#include <string_view>

namespace parley {

/// Every way a request can fail, from the socket to Kafka. What each means to a client
/// (status, Retry-After) and to the metrics is decided at the edge, in http/answers.hpp.
enum class Errc {
  bad_request,             ///< malformed JSON, missing or invalid field
  unauthorized,            ///< verification failed
  not_found,               ///< no route for the path
  method_not_allowed,      ///< route exists, method does not
  payload_too_large,       ///< body over limits.max_body_bytes
  header_too_large,        ///< request line + headers over limits.max_header_bytes
  unsupported_media_type,  ///< body is not declared as JSON
  request_timeout,         ///< client too slow to send the request
  overloaded,              ///< over limits.max_inflight
  draining,                ///< shutting down
  kafka_unavailable,       ///< Kafka failed the event for a reason that can clear (retriable)
  kafka_timeout,           ///< no delivery report within kafka.ack_timeout_ms
  kafka_too_large,         ///< the encoded event is over Kafka's message size limit
  kafka_invalid_record,    ///< Kafka refused the record itself: retrying cannot help
  kafka_refused,           ///< Kafka refuses the service (authorization, missing topic)
  internal,                ///< a bug or a library exception while handling the request
  spool_unavailable,       ///< Kafka cannot take the event and the spool is full or failing
};

/// An error value: what failed and a message naming the field, header or limit.
struct Error {
  Errc code;
  std::string message;
};

}  // namespace parley
