#pragma once

// The one rule from an error to its answer: the HTTP status, whether and when to retry,
// and the `outcome` label of the webhook metrics, for the codes of every domain on the
// request path (http, input, kafka, spool). Pure functions.

#include <string_view>
#include <system_error>

namespace parley::http {

struct Answer {
  unsigned status;               ///< the HTTP status
  unsigned retry_after_seconds;  ///< when a client should retry; 0 = retrying cannot help
  std::string_view outcome;      ///< the `outcome` label of parley_webhooks_received_total
};

/// The answer to `code`; a code of no known domain is an internal error (500).
Answer answer_for(const std::error_code& code);

inline unsigned http_status(const std::error_code& code) {
  return answer_for(code).status;
}
inline unsigned retry_after_seconds(const std::error_code& code) {
  return answer_for(code).retry_after_seconds;
}
inline std::string_view metric_outcome(const std::error_code& code) {
  return answer_for(code).outcome;
}

}  // namespace parley::http
