#include "parley/upstream/http_client.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <functional>
#include <sstream>

#include "support/fake_upstream.hpp"

namespace parley::upstream {
namespace {

using testing::FakeUpstream;
using testing::ok;

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;
using std::chrono::milliseconds;

class HttpClientTest : public ::testing::Test {
 protected:
  HttpClientOptions options(std::uint16_t port) {
    HttpClientOptions o;
    o.base = parse_base_url("http://127.0.0.1:" + std::to_string(port) + "/base/").value();
    o.connect_timeout = milliseconds(1000);
    o.request_timeout = milliseconds(300);
    return o;
  }
  /// Sends `n` requests concurrently and runs the loop until all answered.
  std::vector<Result<HttpResponse, SendError>> send_all(HttpClient& client, int n,
                                                        std::string target = "/x",
                                                        HttpRequest base = {.replay_safe = true}) {
    std::vector<std::optional<Result<HttpResponse, SendError>>> results(n);
    int pending = n;
    for (int i = 0; i < n; ++i) {
      asio::co_spawn(
          io_,
          [&, i]() -> asio::awaitable<void> {
            HttpRequest request = base;
            request.target = target;
            results[i].emplace(co_await client.send(request));
            if (--pending == 0) io_.stop();  // the fake upstream would keep the loop busy
          },
          asio::detached);
    }
    io_.restart();
    io_.run_for(std::chrono::seconds(10));
    std::vector<Result<HttpResponse, SendError>> out;
    for (auto& r : results) {
      EXPECT_TRUE(r.has_value()) << "a request never completed";
      if (r) out.push_back(std::move(*r));
    }
    return out;
  }

  asio::io_context io_;
};

TEST_F(HttpClientTest, ReusesKeepAliveConnectionsAndPrefixesTheBasePath) {
  FakeUpstream upstream(
      io_, [](const auto& request) { return ok("hello " + std::string(request.target())); });
  HttpClient client(io_.get_executor(), options(upstream.port()), nullptr);
  for (int i = 0; i < 3; ++i) {
    auto results = send_all(client, 1, "/q/" + std::to_string(i));
    ASSERT_EQ(results.size(), 1u);
    ASSERT_TRUE(results[0]) << results[0].error().message;
    EXPECT_EQ(results[0].value().status, 200u);
    EXPECT_EQ(results[0].value().body, "hello /base/q/" + std::to_string(i));
  }
  EXPECT_EQ(upstream.connections, 1);
  EXPECT_EQ(client.idle_connections(), 1u);
}

TEST_F(HttpClientTest, BoundsConcurrentRequestsToMaxConnections) {
  FakeUpstream upstream(io_, [](const auto&) { return ok("x"); });
  auto o = options(upstream.port());
  o.max_connections = 2;
  HttpClient client(io_.get_executor(), o, nullptr);
  const auto results = send_all(client, 10);
  ASSERT_EQ(results.size(), 10u);
  for (const auto& r : results)
    EXPECT_TRUE(r);
  EXPECT_LE(upstream.connections, 2);
  EXPECT_EQ(upstream.targets.size(), 10u);
}

TEST_F(HttpClientTest, AnUpstreamThatNeverAnswersTimesOut) {
  FakeUpstream upstream(io_, [](const auto&) { return std::nullopt; });
  HttpClient client(io_.get_executor(), options(upstream.port()), nullptr);
  const auto results = send_all(client, 1);
  ASSERT_EQ(results.size(), 1u);
  ASSERT_FALSE(results[0]);
  EXPECT_EQ(results[0].error().message, "read: timed out");
  EXPECT_EQ(results[0].error().kind, SendError::Kind::unanswered) << "it may have been acted on";
}

TEST_F(HttpClientTest, AConnectionClosedByTheServerIsReplacedOnce) {
  FakeUpstream upstream(io_, [](const auto&) { return ok("fresh"); });
  upstream.close_after_answer = true;  // but without Connection: close, so the client keeps it
  HttpClient client(io_.get_executor(), options(upstream.port()), nullptr);
  ASSERT_TRUE(send_all(client, 1)[0]);
  const auto second = send_all(client, 1);
  ASSERT_TRUE(second[0]) << second[0].error().message;
  EXPECT_EQ(second[0].value().body, "fresh");
  EXPECT_EQ(upstream.connections, 2);
}

TEST_F(HttpClientTest, ARequestNotSafeToReplayIsNeverSentTwice) {
  FakeUpstream upstream(io_, [](const auto&) { return ok("once"); });
  upstream.close_after_answer = true;  // the kept connection is dead when reused
  HttpClient client(io_.get_executor(), options(upstream.port()), nullptr);
  const HttpRequest send_message{.method = bhttp::verb::post, .body = "{}"};
  ASSERT_TRUE(send_all(client, 1, "/send", send_message)[0]);
  const auto second = send_all(client, 1, "/send", send_message);
  ASSERT_FALSE(second[0]) << "a dead connection after the write is not retried";
  EXPECT_EQ(second[0].error().kind, SendError::Kind::unanswered);
  EXPECT_EQ(upstream.targets.size(), 1u) << "the platform saw the first request only";
  EXPECT_EQ(upstream.connections, 1);
}

TEST_F(HttpClientTest, BytesAfterAnAnswerFailItAndCloseTheConnection) {
  // An upstream (or something between) that answers twice: the second answer must not be
  // taken for the next request's.
  FakeUpstream upstream(io_, [](const auto& request) {
    auto response = ok("for " + std::string(request.target()));
    response.prepare_payload();
    std::ostringstream twice;
    twice << response << response;
    auto smuggled = ok("");
    smuggled.body() = twice.str();
    return std::optional(std::move(smuggled));
  });
  upstream.raw_answers = true;
  HttpClient client(io_.get_executor(), options(upstream.port()), nullptr);
  const auto first = send_all(client, 1, "/a");
  ASSERT_FALSE(first[0]);
  EXPECT_NE(first[0].error().message.find("bytes followed the answer"), std::string::npos)
      << first[0].error().message;
  EXPECT_EQ(client.idle_connections(), 0u);
}

TEST_F(HttpClientTest, BytesThatArriveOnAnIdleConnectionAreNeverTakenForTheNextAnswer) {
  // A late second answer reaches a pooled connection after its exchange ended: the next
  // request goes on a fresh connection and gets its own answer.
  FakeUpstream upstream(io_, [](const auto& request) {
    return std::optional(ok("for " + std::string(request.target())));
  });
  HttpClient client(io_.get_executor(), options(upstream.port()), nullptr);
  const auto first = send_all(client, 1, "/a");
  ASSERT_TRUE(first[0]);
  ASSERT_EQ(client.idle_connections(), 1u);
  ASSERT_EQ(upstream.live.size(), 1u);
  const std::string late = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nattacker";
  asio::write(*upstream.live[0], asio::buffer(late));  // loopback: in the client's queue on return
  const auto second = send_all(client, 1, "/b");
  ASSERT_TRUE(second[0]) << second[0].error().message;
  EXPECT_EQ(second[0].value().body, "for /base/b");
  EXPECT_EQ(upstream.connections, 2) << "the out-of-step connection was not used again";
}

TEST_F(HttpClientTest, AHeaderValueWithCrLfIsRefusedBeforeAnythingIsSent) {
  FakeUpstream upstream(io_, [](const auto&) { return ok("never"); });
  HttpClient client(io_.get_executor(), options(upstream.port()), nullptr);
  const HttpRequest injected{
      .headers = {{"UserIdToken", "abc\r\n\r\nGET /api/v2/questions/attacker HTTP/1.1"}}};
  const auto results = send_all(client, 1, "/q", injected);
  ASSERT_FALSE(results[0]);
  EXPECT_EQ(results[0].error().kind, SendError::Kind::refused);
  EXPECT_EQ(results[0].error().message,
            "header UserIdToken: control character 0x0D at byte 3; not sent");
  EXPECT_EQ(upstream.connections, 0);
}

TEST(Unsendable, ChecksTargetsHeaderNamesAndValues) {
  EXPECT_FALSE(
      unsendable({.target = "/api/v2/questions/a%0D%0Ab?x=1", .headers = {{"A", "b\tc"}}}));
  EXPECT_EQ(unsendable({.target = "/a b"}).value_or(""),
            "request target: byte 0x20 at 2 is not printable ASCII (percent-encode values from "
            "events)");
  EXPECT_EQ(unsendable({.target = "x"}).value_or(""), "request target must start with '/'");
  EXPECT_EQ(unsendable({.target = "/", .headers = {{"Bad Name", "v"}}}).value_or(""),
            "header name 'Bad%20Name': byte 0x20 is not a token character");
  EXPECT_EQ(unsendable({.target = "/", .headers = {{"X", std::string("a\0b", 3)}}}).value_or(""),
            "header X: control character 0x00 at byte 1; not sent");
  EXPECT_EQ(unsendable({.target = "/", .headers = {{"X", "a\x7f"}}}).value_or(""),
            "header X: control character 0x7F at byte 1; not sent");
}

TEST_F(HttpClientTest, NothingListeningIsAConnectError) {
  std::uint16_t port;
  {
    tcp::acceptor probe(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = probe.local_endpoint().port();
  }
  HttpClient client(io_.get_executor(), options(port), nullptr);
  const auto results = send_all(client, 1);
  ASSERT_FALSE(results[0]);
  EXPECT_TRUE(results[0].error().message.starts_with("connect 127.0.0.1:"))
      << results[0].error().message;
  EXPECT_EQ(results[0].error().kind, SendError::Kind::unreached);
}

TEST_F(HttpClientTest, RetryAfterHeaderIsReported) {
  FakeUpstream upstream(io_, [](const auto&) {
    auto response = ok("busy");
    response.result(bhttp::status::too_many_requests);
    response.set(bhttp::field::retry_after, "7");
    return std::optional(response);
  });
  HttpClient client(io_.get_executor(), options(upstream.port()), nullptr);
  const auto results = send_all(client, 1);
  ASSERT_TRUE(results[0]);
  EXPECT_EQ(results[0].value().status, 429u);
  EXPECT_EQ(results[0].value().retry_after, "7");
}

TEST(BaseUrl, ParsesSchemesPortsAndPaths) {
  const auto a = parse_base_url("https://api.talkjs.com").value();
  EXPECT_TRUE(a.tls);
  EXPECT_EQ(a.host, "api.talkjs.com");
  EXPECT_EQ(a.port, 443);
  EXPECT_EQ(a.base_path, "");
  const auto b = parse_base_url("http://127.0.0.1:8090/sim/").value();
  EXPECT_FALSE(b.tls);
  EXPECT_EQ(b.port, 8090);
  EXPECT_EQ(b.base_path, "/sim");
  const auto c = parse_base_url("http://[::1]:81").value();
  EXPECT_EQ(c.host, "::1");
  EXPECT_EQ(c.port, 81);
}

TEST(BaseUrl, RefusesWhatItCannotCall) {
  EXPECT_EQ(parse_base_url("ftp://x").error(), "must start with http:// or https://");
  EXPECT_EQ(parse_base_url("http://:80").error(), "has no host");
  EXPECT_EQ(parse_base_url("http://x:99999").error(), "port '99999' is not a port number");
  EXPECT_EQ(parse_base_url("http://u:p@x").error(), "must not carry credentials; use the api keys");
  EXPECT_EQ(parse_base_url("http://x/a?b").error(), "must not carry a query or fragment");
}

TEST(PathSegment, CannotEscapeThePath) {
  EXPECT_EQ(encode_path_segment("abc-123_x.y"), "abc-123_x.y");
  EXPECT_EQ(encode_path_segment("../admin"), "..%2Fadmin");
  EXPECT_EQ(encode_path_segment(".."), "%2E%2E");
  EXPECT_EQ(encode_path_segment("a?b#c d"), "a%3Fb%23c%20d");
  EXPECT_EQ(encode_path_segment("!41ec_1!"), "!41ec_1!");
}

}  // namespace
}  // namespace parley::upstream
