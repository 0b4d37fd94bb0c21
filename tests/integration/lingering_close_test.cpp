// A refusal sent before the body reaches a sender that writes its whole body before it
// reads (as Python's http.client and many webhook senders do): parley half-closes, reads
// and drops the rest for a bounded time, and only then closes, so the kernel never resets
// the answer away.
#include <poll.h>
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
  // Refused at its head, for its token: nothing of the 2 MiB is read but what lingers.
  EXPECT_EQ(answered("401",
                     [&] {
                       return write_all_then_read(
                           parley_->port(),
                           post_head("/v1/webhooks/justanswer", big.size(), "application/json",
                                     "X-Parley-Token: wrong\r\n"),
                           big);
                     }),
            kAttempts);
}

/// A lingering close with a short bound, so a client that never closes is seen to end.
class ShortLinger : public IngestFixture {
 protected:
  std::string extra_config() const override { return "limits: {lingering_close_ms: 1000}\n"; }
};

/// Sends the head of a 2 MiB JustAnswer request (answered 413 at its head) and 64 KiB of its
/// body, then nothing more; the connection, or -1.
int refused_and_left_open(std::uint16_t port) {
  const int fd = connect_loopback(port);
  if (fd < 0) return -1;
  const std::string bytes = post_head("/v1/webhooks/justanswer", kTwoMiB, "application/json",
                                      "X-Parley-Token: test-token\r\n") +
                            std::string(65536, 'x');
  if (::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(bytes.size())) {
    ::close(fd);
    return -1;
  }
  return fd;
}

/// Whether the peer closed `fd` (a write fails) within `within`, writing a little every 100 ms.
bool closed_by_peer_within(int fd, std::chrono::milliseconds within) {
  const auto until = std::chrono::steady_clock::now() + within;
  char chunk[1024] = {};
  while (std::chrono::steady_clock::now() < until) {
    if (::send(fd, chunk, sizeof chunk, MSG_NOSIGNAL) < 0) return true;
    pollfd pace{.fd = fd, .events = 0, .revents = 0};
    ::poll(&pace, 1, 100);  // paces the writes; the close is what ends the loop
  }
  return false;
}

/// At most one connection lingers; the next closes at once.
class OneLinger : public IngestFixture {
 protected:
  std::string extra_config() const override {
    return "limits: {lingering_close_ms: 10000, max_lingering_connections: 1}\n";
  }
};

TEST_F(OneLinger, PastMaxLingeringConnectionsAConnectionClosesAtOnce) {
  const int first = refused_and_left_open(parley_->port());
  ASSERT_GE(first, 0);
  char answer[64] = {};
  ASSERT_GT(::recv(first, answer, sizeof answer - 1, 0), 0);
  EXPECT_EQ(std::string_view(answer).substr(0, 12), "HTTP/1.1 413");
  // The first lingers (10 s); the second finds the one lingering slot taken.
  const int second = refused_and_left_open(parley_->port());
  ASSERT_GE(second, 0);
  EXPECT_TRUE(closed_by_peer_within(second, 5s)) << "the second did not close at once";
  EXPECT_FALSE(closed_by_peer_within(first, 1s)) << "the first stopped lingering early";
  ::close(first);
  ::close(second);
}

TEST_F(ShortLinger, AClientThatNeverClosesIsClosedAtTheLingeringBound) {
  const int fd = refused_and_left_open(parley_->port());
  ASSERT_GE(fd, 0);
  timeval timeout{.tv_sec = 20, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  std::string answer;
  char chunk[4096];
  ssize_t n = 0;
  while ((n = ::recv(fd, chunk, sizeof chunk, 0)) > 0 &&
         answer.find("\r\n\r\n") == std::string::npos)
    answer.append(chunk, static_cast<std::size_t>(n));
  EXPECT_EQ(answer.substr(0, 12), "HTTP/1.1 413") << answer;
  // The write side is half-closed after the answer; the read side closes at the bound (1 s),
  // not at limits.read_timeout_ms (10 s): the next write finds the connection gone.
  const auto answered_at = std::chrono::steady_clock::now();
  const bool closed = closed_by_peer_within(fd, 8s);
  const auto took = std::chrono::steady_clock::now() - answered_at;
  ::close(fd);
  EXPECT_TRUE(closed) << "still open 8 s after the answer";
  EXPECT_LT(took, 5s) << "closed by the read timeout, not by the lingering bound";
  std::cout << "[ measured ] lingering connection closed "
            << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
            << " ms after its answer (lingering_close_ms 1000)\n";
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

TEST_F(LingeringCloseTls, AWriteFirstClientGetsEveryEarlyRefusalOverTls) {
  const auto https = [&](const std::string& body, const std::string& token,
                         const std::string& type) {
    try {
      return std::to_string(https_request(parley_->port(), "/v1/webhooks/justanswer", body,
                                          {{"X-Parley-Token", token}, {"Content-Type", type}})
                                .status);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
  };
  const std::string big(kTwoMiB, 'x');
  const std::string half(kTwoMiB / 4, 'x');
  EXPECT_EQ(answered("413", [&] { return https(big, "test-token", "application/json"); }),
            kAttempts);
  EXPECT_EQ(answered("415", [&] { return https(half, "test-token", "text/plain"); }), kAttempts);
  EXPECT_EQ(answered("401", [&] { return https(big, "wrong", "application/json"); }), kAttempts);
}

}  // namespace
}  // namespace parley::testing
