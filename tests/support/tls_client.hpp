#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace parley::testing {

/// Writes a fresh self-signed certificate for `common_name` and its key (PEM) into `dir`
/// as cert.pem and key.pem, with the openssl command line tool. Throws on failure.
void write_self_signed(const std::filesystem::path& dir, const std::string& common_name);

struct HttpsAnswer {
  unsigned status = 0;
  std::string body;
  std::string server_common_name;  ///< CN of the certificate the server presented
};

/// One HTTPS request on a fresh connection to 127.0.0.1:port; the server's certificate
/// is not verified (tests use self-signed ones) but its CN is reported. Throws on
/// connection, handshake or read failure (with a 15 s timeout).
HttpsAnswer https_request(std::uint16_t port, const std::string& target, const std::string& body,
                          const std::vector<std::pair<std::string, std::string>>& headers);

}  // namespace parley::testing
