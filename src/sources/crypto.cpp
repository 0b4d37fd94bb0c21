#include "parley/sources/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>

#include "parley/common/hex.hpp"

namespace parley::sources {

std::optional<Digest> try_hmac_sha256(std::string_view key, std::string_view message) {
  Digest out{};
  unsigned int length = 0;
  const auto* result = HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
                            reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                            out.data(), &length);
  if (result == nullptr || length != out.size()) return std::nullopt;
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
  Digest out{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), out.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != out.size()) {
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
