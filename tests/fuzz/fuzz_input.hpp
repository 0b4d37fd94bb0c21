#pragma once

// Shared by the libFuzzer targets: turns fuzz bytes into the request the server would
// hand a source, and checks what the source made of it.
//
// Input layout: byte 0 = flags (bit 0: send valid credentials, so the parser is reached;
// otherwise the credentials are fuzzed too), then a header value up to the first '\n',
// then the body.

#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "parley/events/cloud_event.hpp"
#include "parley/http/message.hpp"
#include "parley/sources/errors.hpp"
#include "parley/sources/json.hpp"
#include "parley/sources/source.hpp"

namespace parley::fuzz {

struct FuzzInput {
  bool valid_credentials = false;
  std::string header;
  std::string body;  // with the slack the server leaves for simdjson
};

inline FuzzInput split(const std::uint8_t* data, std::size_t size) {
  FuzzInput input;
  if (size == 0) return input;
  input.valid_credentials = (data[0] & 1) != 0;
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto newline = rest.find('\n');
  input.header = std::string(rest.substr(0, newline));
  const auto body =
      newline == std::string_view::npos ? std::string_view{} : rest.substr(newline + 1);
  input.body.reserve(body.size() + http::kBodySlack);
  input.body.assign(body);
  return input;
}

/// verify → normalize → encode, as the webhook endpoint does; aborts when an accepted
/// request yields an event that is not valid JSON or lacks its required attributes.
inline void drive(const sources::Source& source, const http::Request& request) {
  if (source.verify(request)) return;
  auto event = source.normalize(request, std::chrono::system_clock::now());
  if (!event) {
    if (event.error().message.empty() || event.error().code != sources::Errc::invalid) std::abort();
    (void)source.error_body(event.error());
    return;
  }
  const auto encoded = events::encode(event.value());
  // parse_object, not a plain simdjson parse: `raw` holds the received bytes, and JSON sets
  // no limit on numbers (an integer beyond 64 bits is valid, and kept as sent).
  auto parsed = sources::parse_object(encoded.value);
  if (!parsed) std::abort();
  for (const char* attribute : {"id", "source", "type", "partitionkey"}) {
    std::string_view text;
    if (parsed.value()[attribute].get(text) != simdjson::SUCCESS || text.empty()) std::abort();
  }
  if (encoded.key.empty()) std::abort();
}

inline http::Request request_for(const FuzzInput& input, const boost::beast::http::fields& headers,
                                 std::string_view query = {}) {
  return http::Request{.method = boost::beast::http::verb::post,
                       .path = "/fuzz",
                       .query = query,
                       .headers = headers,
                       .body = input.body,
                       .peer = boost::asio::ip::make_address("127.0.0.1"),
                       .received_at = std::chrono::steady_clock::now()};
}

}  // namespace parley::fuzz
