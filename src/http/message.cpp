#include "parley/http/message.hpp"

#include "parley/common/hex.hpp"
#include "parley/common/json_writer.hpp"
#include "parley/http/answers.hpp"

namespace parley::http {

Response error_response(const Error& error, std::string body) {
  return Response{.status = http_status(error.code),
                  .body = std::move(body),
                  .retry_after_seconds = retry_after_seconds(error.code)};
}

std::string generic_error_body(const Error& error) {
  std::string body = "{\"error\":";
  json::append_string(body, error.message);
  body += "}";
  return body;
}

std::string query_parameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos
                 ? std::string()
                 : percent_decode(pair.substr(eq + 1), /*plus_is_space=*/true);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace parley::http
