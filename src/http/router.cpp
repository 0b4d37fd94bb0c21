#include "parley/http/router.hpp"

namespace parley::http {

namespace bhttp = boost::beast::http;

void Router::add(bhttp::verb method, std::string path, std::shared_ptr<Endpoint> endpoint) {
  routes_[std::move(path)][method] = std::move(endpoint);
}

Result<Endpoint*, Error> Router::find(bhttp::verb method, std::string_view path) const {
  const auto route = routes_.find(path);
  if (route == routes_.end()) {
    return Error{Errc::not_found, "no endpoint at " + std::string(path)};
  }
  const auto endpoint = route->second.find(method);
  if (endpoint == route->second.end()) {
    return Error{Errc::method_not_allowed, std::string(bhttp::to_string(method)) +
                                               " is not allowed on " + std::string(path) +
                                               "; allowed: " + allowed_methods(path)};
  }
  return endpoint->second.get();
}

std::string Router::allowed_methods(std::string_view path) const {
  std::string allowed;
  const auto route = routes_.find(path);
  if (route == routes_.end()) return allowed;
  for (const auto& [method, endpoint] : route->second) {
    if (!allowed.empty()) allowed += ", ";
    allowed += bhttp::to_string(method);
  }
  return allowed;
}

}  // namespace parley::http
