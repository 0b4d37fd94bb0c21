// The HTTP listener's limits and answers, with a real socket and a fake endpoint.
#include "parley/http/server.hpp"

#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <condition_variable>
#include <thread>

#include "parley/http/errors.hpp"
#include "support/http_client.hpp"

namespace parley::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;
using testing::HttpClient;

/// Answers 200 "<body size>" or, while holding, keeps each request in flight until released.
class FakeEndpoint final : public Endpoint {
 public:
  asio::awaitable<Response> handle(const Request& request) override {
    std::shared_ptr<asio::steady_timer> gate;
    {
      std::lock_guard lock(mutex_);
      ++calls_;
      if (hold_) {
        gate = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor,
                                                    asio::steady_timer::time_point::max());
        gates_.push_back(gate);
      }
      changed_.notify_all();
    }
    if (gate) co_await gate->async_wait(asio::as_tuple(asio::use_awaitable));
    co_return Response{.status = 200, .body = std::to_string(request.body.size())};
  }
  Response reject(const Error& error) override {
    return error_response(error, generic_error_body(error));
  }
  bool is_ingest() const override { return true; }

  void hold() {
    std::lock_guard lock(mutex_);
    hold_ = true;
  }
  void release_all() {
    std::lock_guard lock(mutex_);
    hold_ = false;
    for (const auto& gate : gates_)
      asio::post(gate->get_executor(), [gate] { gate->cancel(); });
    gates_.clear();
  }
  bool wait_calls(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return calls_ >= count; });
  }
  int calls() {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int calls_ = 0;
  bool hold_ = false;
  std::vector<std::shared_ptr<asio::steady_timer>> gates_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.add(bhttp::verb::post, "/hook", endpoint_);
    server_ = std::make_unique<Server>(io_, options(), router_, &admission_);
    auto bound = server_->start("127.0.0.1", 0);
    ASSERT_TRUE(bound) << bound.error();
    port_ = bound.value().port();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    endpoint_->release_all();
    server_->shutdown();
    EXPECT_TRUE(server_->wait_closed(std::chrono::steady_clock::now() + 10s));
    work_.reset();
    io_.stop();
    thread_.join();
  }
  virtual ServerOptions options() const {
    return ServerOptions{
        .name = "test", .max_body_bytes = 1024, .max_header_bytes = 2048, .read_timeout = 300ms};
  }
  std::string post_header(std::size_t length, const std::string& extra = {}) const {
    return "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
           std::to_string(length) + "\r\n" + extra + "\r\n";
  }

  asio::io_context io_{2};
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::shared_ptr<FakeEndpoint> endpoint_ = std::make_shared<FakeEndpoint>();
  Router router_;
  Admission admission_{2};
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpClient client(port_);
  for (int i = 0; i < 3; ++i) {
    const auto answer = client.post("/hook", "{}");
    EXPECT_EQ(answer.status, 200u);
    EXPECT_EQ(answer.body, "2");
    EXPECT_TRUE(answer.keep_alive);
  }
  EXPECT_EQ(endpoint_->calls(), 3);
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  HttpClient client(port_);
  const auto missing = client.get("/nothing-here");
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(missing.body, R"({"error":"no endpoint at /nothing-here"})");
  const auto wrong = client.get("/hook");
  EXPECT_EQ(wrong.status, 405u);
  EXPECT_EQ(wrong.headers["Allow"], "POST");
  EXPECT_NE(wrong.body.find("GET is not allowed on /hook"), std::string::npos);
  EXPECT_EQ(client.post("/hook", "{}").status, 200u);  // the connection survived both
  EXPECT_EQ(endpoint_->calls(), 1);
}

TEST_F(ServerTest, NonJsonContentTypeIs415) {
  HttpClient client(port_);
  const auto text =
      client.request(bhttp::verb::post, "/hook", "{}", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(text.status, 415u);
  EXPECT_NE(text.body.find("got 'text/plain'"), std::string::npos);
  HttpClient other(port_);
  const auto none = other.request(bhttp::verb::post, "/hook", "{}", {});
  EXPECT_EQ(none.status, 415u);
  EXPECT_NE(none.body.find("Content-Type header is missing"), std::string::npos);
  HttpClient third(port_);
  EXPECT_EQ(third
                .request(bhttp::verb::post, "/hook", "{}",
                         {{"Content-Type", "application/cloudevents+json; charset=utf-8"}})
                .status,
            200u);
  EXPECT_EQ(endpoint_->calls(), 1);
}

TEST_F(ServerTest, DeclaredBodyOverTheLimitIs413BeforeAnyOfItIsSent) {
  HttpClient client(port_);
  client.send_raw(post_header(10 * 1024 * 1024));  // the 10 MB body is never sent
  const auto answer = client.read_answer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 413u);
  EXPECT_NE(answer->body.find("over limits.max_body_bytes (1024)"), std::string::npos);
  EXPECT_FALSE(answer->keep_alive);
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_EQ(endpoint_->calls(), 0);
}

TEST_F(ServerTest, ChunkedBodyOverTheLimitIs413) {
  HttpClient client(port_);
  const std::string chunk(800, 'x');
  client.send_raw(
      "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n320\r\n" +
      chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n");
  const auto answer = client.read_answer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 413u);
  EXPECT_EQ(endpoint_->calls(), 0);
}

TEST_F(ServerTest, HeadersOverTheLimitAre431) {
  HttpClient client(port_);
  client.send_raw("POST /hook HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') +
                  "\r\n\r\n");
  const auto answer = client.read_answer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 431u);
  EXPECT_NE(answer->body.find("limits.max_header_bytes (2048)"), std::string::npos);
}

TEST_F(ServerTest, MalformedRequestIs400) {
  HttpClient client(port_);
  client.send_raw("THIS IS NOT HTTP\r\n\r\n");
  const auto answer = client.read_answer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 400u);
  EXPECT_NE(answer->body.find("malformed HTTP request"), std::string::npos);
}

TEST_F(ServerTest, SlowHeaderIsCutOffAfterTheReadTimeout) {
  HttpClient client(port_);
  client.send_raw("POST /hook HTTP/1.1\r\nHost: x\r\n");  // never finished
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
}

TEST_F(ServerTest, IdleKeepAliveConnectionIsClosedAfterTheReadTimeout) {
  HttpClient client(port_);
  EXPECT_EQ(client.post("/hook", "{}").status, 200u);
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(ServerTest, SlowBodyIsCutOffAfterTheReadTimeout) {
  HttpClient client(port_);
  client.send_raw(post_header(100) + "{\"partial\":");
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.closed_by_server());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_EQ(endpoint_->calls(), 0);
}

TEST_F(ServerTest, Expect100ContinueIsHonoured) {
  HttpClient client(port_);
  client.send_raw(post_header(2, "Expect: 100-continue\r\n"));
  const auto interim = client.read_answer();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->status, 100u);
  client.send_raw("{}");
  const auto answer = client.read_answer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200u);
}

TEST_F(ServerTest, OverMaxInflightIs429WithRetryAfter) {
  endpoint_->hold();
  HttpClient first(port_);
  HttpClient second(port_);
  first.send_raw(post_header(2) + "{}");
  second.send_raw(post_header(2) + "{}");
  ASSERT_TRUE(endpoint_->wait_calls(2));  // max_inflight (2) reached
  HttpClient third(port_);
  const auto refused = third.post("/hook", "{}");
  EXPECT_EQ(refused.status, 429u);
  EXPECT_EQ(refused.headers["Retry-After"], "1");
  EXPECT_NE(refused.body.find("limits.max_inflight (2"), std::string::npos);
  endpoint_->release_all();
  // value(), not ->: no answer must fail here, not read an empty optional.
  EXPECT_EQ(first.read_answer().value().status, 200u);
  EXPECT_EQ(second.read_answer().value().status, 200u);
}

TEST_F(ServerTest, DrainingAnswers503AndShutdownFinishesInFlightRequests) {
  endpoint_->hold();
  HttpClient busy(port_);
  busy.send_raw(post_header(2) + "{}");
  ASSERT_TRUE(endpoint_->wait_calls(1));
  HttpClient idle(port_);
  EXPECT_EQ(idle.get("/hook").status, 405u);  // a kept-alive, idle connection

  admission_.start_draining();
  server_->shutdown();
  EXPECT_TRUE(idle.closed_by_server());
  endpoint_->release_all();
  const auto answer = busy.read_answer();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200u);
  EXPECT_FALSE(answer->keep_alive);
  EXPECT_TRUE(server_->wait_closed(std::chrono::steady_clock::now() + 10s));
}

TEST(AdmissionTest, RefusesOverTheLimitAndWhileDraining) {
  Admission admission(1);
  auto first = admission.admit();
  ASSERT_TRUE(first);
  EXPECT_EQ(admission.inflight(), 1u);
  auto second = admission.admit();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, http::Errc::overloaded);
  EXPECT_EQ(admission.inflight(), 1u);
  { auto released = std::move(first).value(); }
  EXPECT_EQ(admission.inflight(), 0u);
  admission.start_draining();
  auto third = admission.admit();
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, http::Errc::draining);
}

TEST(AdmissionTest, RefusesOverTheByteBudgetAndReleasesIt) {
  Admission admission(10, 1000);
  auto first = admission.admit(600);
  ASSERT_TRUE(first);
  auto second = admission.admit(600);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, http::Errc::overloaded);
  EXPECT_NE(second.error().message.find("limits.max_inflight_bytes (1000"), std::string::npos);
  EXPECT_EQ(admission.inflight(), 1u);
  { auto released = std::move(first).value(); }
  EXPECT_TRUE(admission.admit(1000));
}

TEST(QueryParameterTest, FindsAndDecodes) {
  EXPECT_EQ(query_parameter("a=1&token=s%2Fx+y&b", "token"), "s/x y");
  EXPECT_EQ(query_parameter("token=", "token"), "");
  EXPECT_EQ(query_parameter("tokens=1", "token"), "");
  EXPECT_EQ(query_parameter("", "token"), "");
  EXPECT_EQ(query_parameter("token=%zz", "token"), "%zz");
}

}  // namespace
}  // namespace parley::http
