#include "parley/http/router.hpp"
#include "parley/http/errors.hpp"

#include <gtest/gtest.h>

namespace parley::http {
namespace {

namespace bhttp = boost::beast::http;

class Named final : public Endpoint {
 public:
  boost::asio::awaitable<Response> handle(const Request&) override { co_return Response{}; }
  Response reject(const Error&) override { return {}; }
  bool is_ingest() const override { return false; }
};

TEST(Router, ExactPathWinsOverPrefixAndLongestPrefixWins) {
  Router router;
  auto exact = std::make_shared<Named>();
  auto short_prefix = std::make_shared<Named>();
  auto long_prefix = std::make_shared<Named>();
  router.add(bhttp::verb::get, "/a/b", exact);
  router.add(bhttp::verb::get, "/a/*", short_prefix);
  router.add(bhttp::verb::get, "/a/b/*", long_prefix);
  EXPECT_EQ(router.find(bhttp::verb::get, "/a/b").value(), exact.get());
  EXPECT_EQ(router.find(bhttp::verb::get, "/a/c").value(), short_prefix.get());
  EXPECT_EQ(router.find(bhttp::verb::get, "/a/b/c").value(), long_prefix.get());
}

TEST(Router, PrefixNeedsSomethingAfterIt) {
  Router router;
  router.add(bhttp::verb::delete_, "/w/*", std::make_shared<Named>());
  const auto missing = router.find(bhttp::verb::delete_, "/w/");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, http::Errc::not_found);
}

TEST(Router, PrefixRouteReportsAllowedMethods) {
  Router router;
  router.add(bhttp::verb::delete_, "/w/*", std::make_shared<Named>());
  const auto wrong = router.find(bhttp::verb::get, "/w/x");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, http::Errc::method_not_allowed);
  EXPECT_EQ(router.allowed_methods("/w/x"), "DELETE");
}

TEST(Router, WildcardIsThePartAfterThePrefix) {
  EXPECT_EQ(Router::wildcard("/w/*", "/w/abc"), "abc");
  EXPECT_EQ(Router::wildcard("/w/*", "/v/abc"), "");
  EXPECT_EQ(Router::wildcard("/w/x", "/w/x"), "");
}

}  // namespace
}  // namespace parley::http
