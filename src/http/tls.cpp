#include "parley/http/tls.hpp"

#include "parley/log/log.hpp"

namespace parley::http {

namespace ssl = boost::asio::ssl;

TlsCertificates::TlsCertificates(std::filesystem::path cert_file, std::filesystem::path key_file,
                                 std::chrono::milliseconds check_interval)
    : cert_file_(std::move(cert_file)),
      key_file_(std::move(key_file)),
      check_interval_(check_interval) {}

Result<std::shared_ptr<TlsCertificates>, std::string> TlsCertificates::load(
    std::filesystem::path cert_file, std::filesystem::path key_file,
    std::chrono::milliseconds check_interval) {
  auto certificates =
      std::make_shared<TlsCertificates>(std::move(cert_file), std::move(key_file), check_interval);
  certificates->loaded_stamp_ = certificates->stamp();
  auto context = certificates->build();
  if (!context) return context.error();
  certificates->context_ = std::move(context).value();
  certificates->next_check_ = std::chrono::steady_clock::now() + check_interval;
  return certificates;
}

TlsCertificates::Stamp TlsCertificates::stamp() const {
  std::error_code ec;
  return Stamp{std::filesystem::last_write_time(cert_file_, ec),
               std::filesystem::last_write_time(key_file_, ec)};
}

Result<std::shared_ptr<ssl::context>, std::string> TlsCertificates::build() const {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  boost::system::error_code ec;
  if (context->use_certificate_chain_file(cert_file_.string(), ec); ec) {
    return "tls.cert_file " + cert_file_.string() + ": " + ec.message();
  }
  if (context->use_private_key_file(key_file_.string(), ssl::context::pem, ec); ec) {
    return "tls.key_file " + key_file_.string() + ": " + ec.message();
  }
  return context;
}

std::shared_ptr<ssl::context> TlsCertificates::context_for_new_connection() {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (now < next_check_) return context_;
  next_check_ = now + check_interval_;
  const Stamp current = stamp();
  if (current == loaded_stamp_) return context_;
  auto rebuilt = build();
  if (!rebuilt) {
    // Not remembered as loaded: a half-written file is retried at the next check.
    log::error("tls reload failed; serving the previous certificate", {{"error", rebuilt.error()}});
    return context_;
  }
  loaded_stamp_ = current;
  context_ = std::move(rebuilt).value();
  log::info("tls certificate reloaded", {{"cert_file", cert_file_.string()}});
  return context_;
}

}  // namespace parley::http
