#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <stdexcept>

#include "support/contracts.hpp"

namespace parley::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;

HttpClient::HttpClient(std::uint16_t port, std::chrono::milliseconds timeout)
    : socket_(io_), port_(port), timeout_(timeout) {
  connect();
}

void HttpClient::connect() {
  socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  // Blocking calls with SO_RCVTIMEO/SO_SNDTIMEO: a hung server fails the test.
  const timeval tv{.tv_sec = static_cast<time_t>(timeout_.count() / 1000),
                   .tv_usec = static_cast<suseconds_t>((timeout_.count() % 1000) * 1000)};
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

HttpAnswer HttpClient::request(bhttp::verb method, const std::string& target,
                               const std::string& body,
                               const std::vector<std::pair<std::string, std::string>>& headers) {
  bhttp::request<bhttp::string_body> message{method, target, 11};
  message.set(bhttp::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers)
    message.set(name, value);
  message.body() = body;
  message.prepare_payload();
  bhttp::write(socket_, message);
  asked_ = Asked{.method = std::string(bhttp::to_string(method)), .target = target};
  auto answer = read_answer();
  if (!answer) throw std::runtime_error("server closed the connection without answering");
  return *answer;
}

HttpAnswer HttpClient::post(const std::string& target, const std::string& body,
                            std::vector<std::pair<std::string, std::string>> headers) {
  headers.emplace_back("Content-Type", "application/json");
  return request(bhttp::verb::post, target, body, headers);
}

HttpAnswer HttpClient::get(const std::string& target) {
  return request(bhttp::verb::get, target, {}, {});
}

void HttpClient::send_raw(const std::string& bytes) {
  // The first bytes of a request name what the next answer answers: "METHOD TARGET HTTP/..."
  // or, when they are no request line, nothing (an answer given before routing).
  if (!asked_) {
    const auto line = std::string_view(bytes).substr(0, bytes.find("\r\n"));
    const auto first = line.find(' ');
    const auto second = first == std::string_view::npos ? first : line.find(' ', first + 1);
    asked_ = second != std::string_view::npos && line.substr(second + 1).starts_with("HTTP/")
                 ? Asked{.method = std::string(line.substr(0, first)),
                         .target = std::string(line.substr(first + 1, second - first - 1))}
                 : Asked{};
  }
  asio::write(socket_, asio::buffer(bytes));
}

std::optional<HttpAnswer> HttpClient::read_answer() {
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  beast::error_code ec;
  bhttp::read(socket_, buffer, response, ec);
  if (ec == bhttp::error::end_of_stream || ec == asio::error::connection_reset) {
    asked_.reset();
    return std::nullopt;
  }
  if (ec) throw std::runtime_error("reading the answer failed: " + ec.message());
  HttpAnswer answer;
  answer.status = response.result_int();
  answer.keep_alive = response.keep_alive();
  answer.body = response.body();
  for (const auto& field : response)
    answer.headers.set(field.name_string(), field.value());
  if (asked_) contracts::expect_answer_conforms(port_, asked_->method, asked_->target, answer);
  asked_.reset();
  return answer;
}

bool HttpClient::closed_by_server() {
  char byte;
  beast::error_code ec;
  const auto n = socket_.read_some(asio::buffer(&byte, 1), ec);
  return n == 0 && (ec == asio::error::eof || ec == asio::error::connection_reset);
}

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd >= 0 && ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace parley::testing
