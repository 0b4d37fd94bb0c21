#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::sources {

using Digest = std::array<unsigned char, 32>;

/// HMAC-SHA256 of `message` under `key`. OpenSSL failing (allocation, a provider refusing
/// the key) yields nullopt.
std::optional<Digest> try_hmac_sha256(std::string_view key, std::string_view message);

/// As try_hmac_sha256, for callers that only compute (tests, benchmarks): aborts when
/// OpenSSL fails. Verification uses signature_matches, which fails closed instead.
Digest hmac_sha256(std::string_view key, std::string_view message);

/// True when `signature` is the HMAC-SHA256 of `message` under `key`, compared in
/// constant time; false when OpenSSL fails (fail closed, never a zero digest).
bool signature_matches(std::string_view key, std::string_view message, const Digest& signature);

/// SHA-256 of `data`; aborts when OpenSSL fails (no secret depends on a failure mode).
Digest sha256(std::string_view data);

/// Constant-time equality of two digests.
bool digests_equal(const Digest& a, const Digest& b);

/// The digest as 64 hex digits, lowercase unless `uppercase` (TalkJS writes uppercase).
std::string to_hex(const Digest& digest, bool uppercase = false);

/// Decodes 64 hex digits (either case) into a digest; nullopt on anything else.
std::optional<Digest> parse_hex_digest(std::string_view hex);

/// A set of secrets compared in constant time: each candidate is hashed and compared
/// against every stored hash, so neither content nor length leaks through timing.
/// Immutable after construction; thread-safe.
class SecretSet {
 public:
  explicit SecretSet(const std::vector<std::string>& secrets);
  bool empty() const { return hashes_.empty(); }
  bool contains(std::string_view candidate) const;

 private:
  std::vector<Digest> hashes_;
};

}  // namespace parley::sources
