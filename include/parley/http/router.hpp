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

/// Exact-path routing table. Filled before serving, then read-only and safe to share
/// between threads.
class Router {
 public:
  void add(boost::beast::http::verb method, std::string path, std::shared_ptr<Endpoint> endpoint);

  /// The endpoint for `method` on `path`; otherwise not_found, or method_not_allowed
  /// with a message listing the allowed methods.
  Result<Endpoint*, Error> find(boost::beast::http::verb method, std::string_view path) const;

  /// "GET, POST" for a known path; empty for an unknown one.
  std::string allowed_methods(std::string_view path) const;

 private:
  std::map<std::string, std::map<boost::beast::http::verb, std::shared_ptr<Endpoint>>, std::less<>>
      routes_;
};

}  // namespace parley::http
