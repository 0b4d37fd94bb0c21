#pragma once

#include <boost/beast/http/verb.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "parley/common/error.hpp"
#include "parley/common/result.hpp"
#include "parley/http/message.hpp"

namespace parley::http {

/// Routing table: exact paths, and prefix routes written with a trailing "*"
/// ("/v1/directly/watches/*" matches "/v1/directly/watches/<anything non-empty>"); an
/// exact path wins over a prefix, a longer prefix over a shorter one. Filled before serving, then
/// read-only and safe to share between threads.
class Router {
 public:
  void add(boost::beast::http::verb method, std::string path, std::shared_ptr<Endpoint> endpoint);

  /// The part of `path` matched by the `*` of `pattern` ("abc" for "/x/*" and "/x/abc");
  /// empty when `pattern` has no `*` or does not match.
  static std::string_view wildcard(std::string_view pattern, std::string_view path);

  /// The endpoint for `method` on `path`; otherwise not_found, or method_not_allowed
  /// with a message listing the allowed methods.
  Result<Endpoint*, Error> find(boost::beast::http::verb method, std::string_view path) const;

  /// "GET, POST" for a known path; empty for an unknown one.
  std::string allowed_methods(std::string_view path) const;

 private:
  using Methods = std::map<boost::beast::http::verb, std::shared_ptr<Endpoint>>;
  const Methods* route_for(std::string_view path) const;

  std::map<std::string, Methods, std::less<>> routes_;
  /// Prefix routes by their prefix (the pattern without "*"), longest first.
  std::map<std::string, Methods, std::greater<>> prefixes_;
};

}  // namespace parley::http
