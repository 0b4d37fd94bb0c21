// libFuzzer target: the upstream request builder. Values from events (path segments, header
// values such as JustAnswer's UserIdToken) either are refused by unsendable() or produce
// exactly one HTTP request whose target and headers read back as built: nothing from an
// event can add a header or a second request.
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "parley/upstream/request.hpp"

namespace {

namespace bhttp = boost::beast::http;

// The input as NUL-separated parts: path segment, query value, header value, header name, body.
std::vector<std::string> parts_of(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> parts(1);
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0 && parts.size() < 5) {
      parts.emplace_back();
    } else {
      parts.back().push_back(static_cast<char>(data[i]));
    }
  }
  parts.resize(5);
  return parts;
}

void check(bool holds) {
  if (!holds) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = parts_of(data, size);
  using parley::upstream::encode_path_segment;
  const parley::upstream::HttpRequest request{
      .method = size > 0 && (data[0] & 1) != 0 ? bhttp::verb::post : bhttp::verb::get,
      .target = "/api/v2/questions/" + encode_path_segment(parts[0]) +
                "?lastChecked=" + encode_path_segment(parts[1]),
      .headers = {{"UserIdToken", parts[2]}, {parts[3].empty() ? "X" : parts[3], parts[2]}},
      .body = parts[4]};
  // An encoded segment never leaves its place in the path.
  check(encode_path_segment(parts[0]).find_first_of("/?#") == std::string::npos);
  if (parley::upstream::unsendable(request)) return 0;

  const auto built = parley::upstream::build_request(request, "api.example:8443", "/base");
  std::ostringstream wire;
  wire << built;
  const std::string bytes = wire.str();
  bhttp::request_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.body_limit(bytes.size());
  // How long a request line an API takes is the API's to answer (414); here only framing counts.
  parser.header_limit(static_cast<std::uint32_t>(bytes.size()));
  boost::beast::error_code ec;
  const auto consumed = parser.put(boost::asio::buffer(bytes), ec);
  check(!ec && parser.is_done());
  check(consumed == bytes.size());  // one request, nothing after it
  const auto& parsed = parser.get();
  check(parsed.target() == built.target());
  check(parsed[bhttp::field::host] == "api.example:8443");
  std::size_t fields = 0;
  for (const auto& field : parsed) {
    (void)field;
    ++fields;
  }
  std::size_t built_fields = 0;
  for (const auto& field : built) {
    (void)field;
    ++built_fields;
  }
  check(fields == built_fields);  // no header added
  check(parsed["UserIdToken"] == built["UserIdToken"]);
  check(parsed.body() == built.body());
  return 0;
}
