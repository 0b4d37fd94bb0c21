#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/fields.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "parley/http/message.hpp"

namespace parley::testing {

/// A request as the server hands it to a source or endpoint: the body keeps
/// http::kBodySlack spare bytes, the peer is a documentation address unless set.
struct SourceRequest {
  explicit SourceRequest(std::string_view body_text, std::string target_path = "/")
      : body(with_slack(body_text)), path(std::move(target_path)) {}

  static std::string with_slack(std::string_view text) {
    std::string out;
    out.reserve(text.size() + http::kBodySlack);
    out.append(text);
    return out;
  }

  SourceRequest& header(std::string_view name, std::string_view value) {
    headers.set(name, value);
    return *this;
  }
  SourceRequest& from(const char* address) {
    peer = boost::asio::ip::make_address(address);
    return *this;
  }

  http::Request request() const {
    return http::Request{.method = boost::beast::http::verb::post,
                         .path = path,
                         .query = query,
                         .headers = headers,
                         .body = body,
                         .peer = peer,
                         .received_at = std::chrono::steady_clock::now()};
  }

  boost::beast::http::fields headers;
  std::string body;
  std::string path;
  std::string query;
  boost::asio::ip::address peer = boost::asio::ip::make_address("203.0.113.9");
};

}  // namespace parley::testing
