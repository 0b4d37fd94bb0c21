#include "parley/sources/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdlib>
#include <memory>

#include "parley/common/hex.hpp"

namespace parley::sources {

namespace {

// OpenSSL 3 looks an algorithm up in its provider tables (under a lock) on every one-shot
// call (HMAC(), EVP_Digest with EVP_sha256()); that lookup cost more than the hashing of a
// webhook. So each algorithm is fetched once, and each thread keeps its contexts and
// re-keys or re-initialises them per call.
struct MacContextDeleter {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
struct DigestContextDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

const EVP_MD* sha256_algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  return md;
}

// This thread's HMAC-SHA256 context (digest set once), or nullptr when OpenSSL failed.
EVP_MAC_CTX* hmac_context() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  thread_local const std::unique_ptr<EVP_MAC_CTX, MacContextDeleter> ctx = [] {
    std::unique_ptr<EVP_MAC_CTX, MacContextDeleter> made(mac ? EVP_MAC_CTX_new(mac) : nullptr);
    char digest[] = "SHA2-256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (made && EVP_MAC_CTX_set_params(made.get(), params) != 1) made.reset();
    return made;
  }();
  return ctx.get();
}

EVP_MD_CTX* digest_context() {
  thread_local const std::unique_ptr<EVP_MD_CTX, DigestContextDeleter> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

}  // namespace

std::optional<Digest> try_hmac_sha256(std::string_view key, std::string_view message) {
  EVP_MAC_CTX* ctx = hmac_context();
  Digest out{};
  std::size_t length = 0;
  // An empty key is a valid HMAC key; OpenSSL wants a non-null pointer for it.
  static const unsigned char kNoKey = 0;
  const auto* key_bytes =
      key.empty() ? &kNoKey : reinterpret_cast<const unsigned char*>(key.data());
  if (ctx == nullptr || EVP_MAC_init(ctx, key_bytes, key.size(), nullptr) != 1 ||
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(message.data()), message.size()) !=
          1 ||
      EVP_MAC_final(ctx, out.data(), &length, out.size()) != 1 || length != out.size()) {
    return std::nullopt;
  }
  return out;
}

Digest hmac_sha256(std::string_view key, std::string_view message) {
  const auto digest = try_hmac_sha256(key, message);
  if (!digest) std::abort();
  return *digest;
}

bool signature_matches(std::string_view key, std::string_view message, const Digest& signature) {
  const auto digest = try_hmac_sha256(key, message);
  return digest && digests_equal(*digest, signature);
}

Digest sha256(std::string_view data) {
  EVP_MD_CTX* ctx = digest_context();
  const EVP_MD* md = sha256_algorithm();
  Digest out{};
  unsigned int length = 0;
  if (ctx == nullptr || md == nullptr || EVP_DigestInit_ex2(ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, out.data(), &length) != 1 || length != out.size()) {
    std::abort();
  }
  return out;
}

bool digests_equal(const Digest& a, const Digest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string to_hex(const Digest& digest, bool uppercase) {
  const char* digits = uppercase ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (const unsigned char byte : digest) {
    out.push_back(digits[byte >> 4]);
    out.push_back(digits[byte & 0x0F]);
  }
  return out;
}

std::optional<Digest> parse_hex_digest(std::string_view hex) {
  Digest out{};
  if (hex.size() != out.size() * 2) return std::nullopt;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int high = hex_digit(hex[2 * i]);
    const int low = hex_digit(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    out[i] = static_cast<unsigned char>(high * 16 + low);
  }
  return out;
}

SecretSet::SecretSet(const std::vector<std::string>& secrets) {
  hashes_.reserve(secrets.size());
  for (const auto& secret : secrets)
    hashes_.push_back(sha256(secret));
}

bool SecretSet::contains(std::string_view candidate) const {
  const auto hash = sha256(candidate);
  bool found = false;
  for (const auto& stored : hashes_)
    found |= digests_equal(stored, hash);  // no early exit
  return found;
}

}  // namespace parley::sources
