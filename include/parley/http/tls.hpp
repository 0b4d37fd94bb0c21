#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "parley/common/result.hpp"

namespace parley::http {

/// The listener's TLS certificate and key (PEM), reloaded when either file changes, so
/// a rotated certificate (a Kubernetes Secret update) is served without a restart. New
/// connections get the newest context; open ones keep theirs. A reload that fails (a
/// half-written file, a key that does not match) keeps the previous context and is
/// logged. Thread-safe.
class TlsCertificates {
 public:
  /// Loads both files; the error names the file and what OpenSSL refused.
  /// `check_interval`: how often (at most) the files' modification times are compared.
  static Result<std::shared_ptr<TlsCertificates>, std::string> load(
      std::filesystem::path cert_file, std::filesystem::path key_file,
      std::chrono::milliseconds check_interval = std::chrono::seconds(2));

  /// The context for a new connection, reloaded first if the files changed.
  std::shared_ptr<boost::asio::ssl::context> context_for_new_connection();

  TlsCertificates(std::filesystem::path cert_file, std::filesystem::path key_file,
                  std::chrono::milliseconds check_interval);

 private:
  struct Stamp {
    std::filesystem::file_time_type cert, key;
    bool operator==(const Stamp&) const = default;
  };
  Result<std::shared_ptr<boost::asio::ssl::context>, std::string> build() const;
  Stamp stamp() const;

  const std::filesystem::path cert_file_;
  const std::filesystem::path key_file_;
  const std::chrono::milliseconds check_interval_;
  std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  Stamp loaded_stamp_;
  std::chrono::steady_clock::time_point next_check_;
};

}  // namespace parley::http
