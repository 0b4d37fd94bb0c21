// The TLS listener: self-signed certificates generated here, a real TLS client, reloads.
#include "parley/http/tls.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <fstream>
#include <random>
#include <thread>

#include "parley/http/server.hpp"
#include "support/http_client.hpp"
#include "support/tls_client.hpp"

namespace parley::http {
namespace {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using namespace std::chrono_literals;

std::filesystem::path fresh_dir() {
  return std::filesystem::temp_directory_path() /
         ("parley-tls-" + std::to_string(std::random_device{}()));
}

class Echo final : public Endpoint {
 public:
  asio::awaitable<Response> handle(const Request& request) override {
    co_return Response{.status = 200, .body = "got " + request.body};
  }
  Response reject(const Error& error) override {
    return error_response(error, generic_error_body(error));
  }
  bool is_ingest() const override { return true; }
};

class TlsServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::write_self_signed(dir_, "first.parley.test");
    auto loaded = TlsCertificates::load(dir_ / "cert.pem", dir_ / "key.pem", 0ms);
    ASSERT_TRUE(loaded) << loaded.error();
    router_.add(bhttp::verb::post, "/hook", std::make_shared<Echo>());
    server_ = std::make_unique<Server>(
        io_, ServerOptions{.name = "tls", .read_timeout = 2s, .tls = loaded.value()}, router_,
        &admission_);
    auto bound = server_->start("127.0.0.1", 0);
    ASSERT_TRUE(bound) << bound.error();
    port_ = bound.value().port();
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    server_->shutdown();
    EXPECT_TRUE(server_->wait_closed(std::chrono::steady_clock::now() + 10s));
    work_.reset();
    io_.stop();
    thread_.join();
    std::filesystem::remove_all(dir_);
  }

  std::filesystem::path dir_ = fresh_dir();
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  Router router_;
  Admission admission_{100};
  std::unique_ptr<Server> server_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

TEST_F(TlsServerTest, ServesHttpsWithTheConfiguredCertificate) {
  const auto answer = testing::https_request(port_, "/hook", "{}", {});
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(answer.body, "got {}");
  EXPECT_EQ(answer.server_common_name, "first.parley.test");
}

TEST_F(TlsServerTest, PlainHttpOnTheTlsPortGetsNoAnswer) {
  testing::HttpClient client(port_);
  client.send_raw("POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_TRUE(client.closed_by_server());
}

TEST_F(TlsServerTest, ARotatedCertificateIsServedToNewConnections) {
  testing::write_self_signed(dir_, "second.parley.test");
  const auto answer = testing::https_request(port_, "/hook", "{}", {});
  EXPECT_EQ(answer.status, 200u);
  EXPECT_EQ(answer.server_common_name, "second.parley.test");
}

TEST(TlsCertificatesTest, LoadErrorsNameTheFile) {
  const auto dir = fresh_dir();
  testing::write_self_signed(dir, "a");
  const auto missing = TlsCertificates::load(dir / "nope.pem", dir / "key.pem");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("tls.cert_file"), std::string::npos) << missing.error();
  EXPECT_NE(missing.error().find("nope.pem"), std::string::npos);

  const auto other = fresh_dir();
  testing::write_self_signed(other, "b");
  const auto mismatched = TlsCertificates::load(dir / "cert.pem", other / "key.pem");
  ASSERT_FALSE(mismatched);
  EXPECT_NE(mismatched.error().find("tls.key_file"), std::string::npos) << mismatched.error();
  EXPECT_NE(mismatched.error().find("mismatch"), std::string::npos) << mismatched.error();
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(other);
}

TEST(TlsCertificatesTest, ABrokenReplacementKeepsThePreviousContext) {
  const auto dir = fresh_dir();
  testing::write_self_signed(dir, "a");
  auto loaded = TlsCertificates::load(dir / "cert.pem", dir / "key.pem", 0ms);
  ASSERT_TRUE(loaded);
  const auto before = loaded.value()->context_for_new_connection();
  std::ofstream(dir / "cert.pem") << "not a certificate";
  EXPECT_EQ(loaded.value()->context_for_new_connection(), before);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace parley::http
