#include "parley/upstream/request.hpp"

#include <boost/beast/core/string.hpp>
#include <cctype>

namespace parley::upstream {

namespace bhttp = boost::beast::http;

namespace {

constexpr char kHex[] = "0123456789ABCDEF";

bool is_token_char(unsigned char c) {
  return std::isalnum(c) != 0 ||
         std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

std::string byte_text(unsigned char c) {
  return std::string("0x") + kHex[c >> 4] + kHex[c & 0xF];
}

}  // namespace

std::string encode_path_segment(std::string_view segment) {
  std::string out;
  out.reserve(segment.size());
  for (const char c : segment) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) != 0 || c == '-' || c == '_' || c == '~' || c == '!' ||
        (c == '.' && segment != "." && segment != "..")) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

std::optional<std::string> unsendable(const HttpRequest& request) {
  const auto& target = request.target;
  if (!target.starts_with('/')) return "request target must start with '/'";
  for (std::size_t i = 0; i < target.size(); ++i) {
    const auto c = static_cast<unsigned char>(target[i]);
    if (c <= 0x20 || c >= 0x7F) {
      return "request target: byte " + byte_text(c) + " at " + std::to_string(i) +
             " is not printable ASCII (percent-encode values from events)";
    }
  }
  for (const auto& [name, value] : request.headers) {
    if (name.empty()) return std::string("a header has an empty name");
    for (const char c : name) {
      if (!is_token_char(static_cast<unsigned char>(c))) {
        return "header name '" + encode_path_segment(name) + "': byte " +
               byte_text(static_cast<unsigned char>(c)) + " is not a token character";
      }
    }
    for (const std::string_view framing :
         {"Host", "Content-Length", "Transfer-Encoding", "Connection"}) {
      if (boost::beast::iequals(name, framing)) {
        return "header " + name + ": framing is the client's to set, not a caller's";
      }
    }
    for (std::size_t i = 0; i < value.size(); ++i) {
      const auto c = static_cast<unsigned char>(value[i]);
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        return "header " + name + ": control character " + byte_text(c) + " at byte " +
               std::to_string(i) + "; not sent";
      }
    }
  }
  return std::nullopt;
}

bhttp::request<bhttp::string_body> build_request(const HttpRequest& request,
                                                 const std::string& host_header,
                                                 const std::string& base_path) {
  bhttp::request<bhttp::string_body> out(request.method, base_path + request.target, 11);
  out.set(bhttp::field::host, host_header);
  out.set(bhttp::field::user_agent, "parley");
  for (const auto& [name, value] : request.headers)
    out.set(name, value);
  out.keep_alive(true);
  out.body() = request.body;
  if (!request.body.empty() || request.method == bhttp::verb::post) out.prepare_payload();
  return out;
}

}  // namespace parley::upstream
