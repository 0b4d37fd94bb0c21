// A refusal sent before the body reaches a sender that writes its whole body before it
// reads (as Python's http.client and many webhook senders do): parley half-closes, reads
// and drops the rest for a bounded time, and only then closes, so the kernel never resets
// the answer away.
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "integration/fixture.hpp"
#include "support/tls_client.hpp"

namespace parley::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kTwoMiB = std::size_t{2} << 20;
constexpr int kAttempts = 20;

/// One request from a client that writes every byte before it reads, on a fresh blocking
/// socket; the status line's code, or the errno that ended it (as "errno N: text").
std::string write_all_then_read(std::uint16_t port, const std::string& head,
                                const std::string& body) {
  const int fd = connect_loopback(port);
  if (fd < 0) return std::string("connect: ") + std::strerror(errno);
  timeval timeout{.tv_sec = 15, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  std::string outcome;
  const std::string bytes = head + body;
  for (std::size_t sent = 0; outcome.empty() && sent < bytes.size();) {
    const auto n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      outcome = std::string("send: errno ") + std::strerror(errno);
    else
      sent += static_cast<std::size_t>(n);
  }
  std::string answer;
  char chunk[4096];
  while (outcome.empty()) {
    const auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0) outcome = std::string("recv: errno ") + std::strerror(errno);
    if (n <= 0) break;
    answer.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (!outcome.empty()) return outcome;
  if (answer.rfind("HTTP/1.1 ", 0) != 0) return "no answer: '" + answer.substr(0, 40) + "'";
  return answer.substr(9, 3);
}

std::string post_head(const std::string& path, std::size_t length, const std::string& type,
                      const std::string& extra = {}) {
  return "POST " + path +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: " + type +
         "\r\nContent-Length: " + std::to_string(length) + "\r\n" + extra + "\r\n";
}

// Counts the attempts answered `status`; prints what the others saw.
int answered(const std::string& status, const std::function<std::string()>& attempt) {
  int got = 0;
  for (int i = 0; i < kAttempts; ++i) {
    const auto outcome = attempt();
    if (outcome == status)
      ++got;
    else
      ADD_FAILURE() << "attempt " << i << ": " << outcome;
  }
  std::cout << "[ measured ] " << status << " received in " << got << " of " << kAttempts
            << " attempts\n";
  return got;
}

class LingeringClose : public IngestFixture {};

TEST_F(LingeringClose, AWriteFirstClientGetsEveryEarlyRefusal) {
  const std::string big(kTwoMiB, 'x');
  EXPECT_EQ(answered("413",
                     [&] {
                       return write_all_then_read(
                           parley_->port(),
                           post_head("/v1/webhooks/justanswer", big.size(), "application/json",
                                     "X-Parley-Token: test-token\r\n"),
                           big);
                     }),
            kAttempts);
  const std::string half(kTwoMiB / 4, 'x');
  EXPECT_EQ(answered("415",
                     [&] {
                       return write_all_then_read(
                           parley_->port(),
                           post_head("/v1/webhooks/justanswer", half.size(), "text/plain",
                                     "X-Parley-Token: test-token\r\n"),
                           half);
                     }),
            kAttempts);
  const auto body = ja_body("q-linger");
  EXPECT_EQ(answered("401",
                     [&] {
                       return write_all_then_read(
                           parley_->port(),
                           post_head("/v1/webhooks/justanswer", body.size(), "application/json",
                                     "X-Parley-Token: wrong\r\n"),
                           body);
                     }),
            kAttempts);
}

class LingeringCloseTls : public IngestFixture {
 protected:
  std::string extra_config() const override {
    write_self_signed(dir_, "parley.example");
    return "tls:\n  cert_file: " + (dir_ / "cert.pem").string() +
           "\n  key_file: " + (dir_ / "key.pem").string() + "\n";
  }
  void TearDown() override {
    IngestFixture::TearDown();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path dir_ = std::filesystem::temp_directory_path() /
                               ("parley-linger-tls-" + std::to_string(std::random_device{}()));
};

TEST_F(LingeringCloseTls, AWriteFirstClientGetsThe413OverTls) {
  const std::string big(kTwoMiB, 'x');
  EXPECT_EQ(
      answered("413",
               [&] {
                 try {
                   return std::to_string(https_request(parley_->port(), "/v1/webhooks/justanswer",
                                                       big, {{"X-Parley-Token", "test-token"}})
                                             .status);
                 } catch (const std::exception& e) {
                   return std::string(e.what());
                 }
               }),
      kAttempts);
}

}  // namespace
}  // namespace parley::testing
