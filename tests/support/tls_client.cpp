#include "support/tls_client.hpp"

#include <openssl/x509.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cstdlib>
#include <stdexcept>

namespace parley::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

void write_self_signed(const std::filesystem::path& dir, const std::string& common_name) {
  std::filesystem::create_directories(dir);
  // Written to temporary names and renamed, so a reloading server never reads half a file.
  const auto cert = dir / "cert.pem.new";
  const auto key = dir / "key.pem.new";
  const std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=" + common_name + " -keyout " +
      key.string() + " -out " + cert.string() + " 2>/dev/null";
  if (std::system(command.c_str()) != 0) throw std::runtime_error("openssl req failed");
  std::filesystem::rename(key, dir / "key.pem");
  std::filesystem::rename(cert, dir / "cert.pem");
}

HttpsAnswer https_request(std::uint16_t port, const std::string& target, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers) {
  asio::io_context io;
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.set_verify_mode(asio::ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> stream(io, context);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(15));
  beast::get_lowest_layer(stream).connect(
      asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  stream.handshake(asio::ssl::stream_base::client);

  HttpsAnswer answer;
  if (X509* certificate = SSL_get_peer_certificate(stream.native_handle())) {
    char name[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, name,
                              sizeof name);
    answer.server_common_name = name;
    X509_free(certificate);
  }
  bhttp::request<bhttp::string_body> request{bhttp::verb::post, target, 11};
  request.set(bhttp::field::host, "127.0.0.1");
  request.set(bhttp::field::content_type, "application/json");
  for (const auto& [name, value] : headers)
    request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  bhttp::write(stream, request);
  beast::flat_buffer buffer;
  bhttp::response<bhttp::string_body> response;
  bhttp::read(stream, buffer, response);
  answer.status = response.result_int();
  answer.body = response.body();
  return answer;
}

}  // namespace parley::testing
