#include "parley/http/router.hpp"
#include "parley/http/errors.hpp"

namespace parley::http {

namespace bhttp = boost::beast::http;

void Router::add(bhttp::verb method, std::string path, std::shared_ptr<Endpoint> endpoint) {
  if (path.ends_with('*')) {
    path.pop_back();
    prefixes_[std::move(path)][method] = std::move(endpoint);
    return;
  }
  routes_[std::move(path)][method] = std::move(endpoint);
}

std::string_view Router::wildcard(std::string_view pattern, std::string_view path) {
  if (!pattern.ends_with('*')) return {};
  pattern.remove_suffix(1);
  if (!path.starts_with(pattern)) return {};
  return path.substr(pattern.size());
}

const Router::Methods* Router::route_for(std::string_view path) const {
  if (const auto exact = routes_.find(path); exact != routes_.end()) return &exact->second;
  // std::greater order visits "/a/b/" before "/a/": the longest matching prefix wins.
  for (const auto& [prefix, methods] : prefixes_) {
    if (path.size() > prefix.size() && path.starts_with(prefix)) return &methods;
  }
  return nullptr;
}

Result<Endpoint*, Error> Router::find(bhttp::verb method, std::string_view path) const {
  const auto* route = route_for(path);
  if (route == nullptr) {
    return Error{http::Errc::not_found, "no endpoint at " + std::string(path)};
  }
  const auto endpoint = route->find(method);
  if (endpoint == route->end()) {
    return Error{http::Errc::method_not_allowed, std::string(bhttp::to_string(method)) +
                                                     " is not allowed on " + std::string(path) +
                                                     "; allowed: " + allowed_methods(path)};
  }
  return endpoint->second.get();
}

std::string Router::allowed_methods(std::string_view path) const {
  std::string allowed;
  const auto* route = route_for(path);
  if (route == nullptr) return allowed;
  for (const auto& [method, endpoint] : *route) {
    if (!allowed.empty()) allowed += ", ";
    allowed += bhttp::to_string(method);
  }
  return allowed;
}

}  // namespace parley::http
