#include "parley/sources/crypto.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace parley::sources {
namespace {

std::string bytes(std::size_t count, unsigned char value) {
  return std::string(count, static_cast<char>(value));
}

// RFC 4231 section 4, HMAC-SHA-256 results.
struct Rfc4231Case {
  const char* name;
  std::string key;
  std::string data;
  const char* hmac_sha256_hex;  // test case 5 is truncated to 128 bits
};

std::vector<Rfc4231Case> rfc4231_cases() {
  std::string key4;
  for (unsigned char b = 0x01; b <= 0x19; ++b)
    key4.push_back(static_cast<char>(b));
  return {
      {"case1", bytes(20, 0x0b), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"case2", "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"case3", bytes(20, 0xaa), bytes(50, 0xdd),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"case4", key4, bytes(50, 0xcd),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {"case5", bytes(20, 0x0c), "Test With Truncation", "a3b6167473100ee06e0c796c2955552b"},
      {"case6", bytes(131, 0xaa), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"case7", bytes(131, 0xaa),
       "This is a test using a larger than block-size key and a larger than block-size data. "
       "The key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
}

TEST(HmacSha256, Rfc4231TestVectors) {
  for (const auto& test : rfc4231_cases()) {
    const std::string expected = test.hmac_sha256_hex;
    EXPECT_EQ(to_hex(hmac_sha256(test.key, test.data)).substr(0, expected.size()), expected)
        << test.name;
  }
}

TEST(HmacSha256, EmptyKeyAndMessage) {
  EXPECT_EQ(to_hex(hmac_sha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256, EmbeddedNulBytesAreHashed) {
  const std::string_view key_with_nul("key\0tail", 8);
  const std::string_view message_with_nul("msg\0tail", 8);
  EXPECT_NE(hmac_sha256(key_with_nul, "msg"), hmac_sha256("key", "msg"));
  EXPECT_NE(hmac_sha256("key", message_with_nul), hmac_sha256("key", "msg"));
}

TEST(HmacSha256, KeyAndMessageAreNotInterchangeable) {
  EXPECT_NE(hmac_sha256("a", "b"), hmac_sha256("b", "a"));
}

TEST(Sha256, KnownDigests) {
  EXPECT_EQ(to_hex(sha256("")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(to_hex(sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DigestsEqual, ComparesEveryByte) {
  const Digest a = sha256("abc");
  Digest first_differs = a;
  first_differs.front() ^= 0x01;
  Digest last_differs = a;
  last_differs.back() ^= 0x80;
  EXPECT_TRUE(digests_equal(a, a));
  EXPECT_TRUE(digests_equal(a, sha256("abc")));
  EXPECT_FALSE(digests_equal(a, first_differs));
  EXPECT_FALSE(digests_equal(a, last_differs));
}

constexpr std::string_view kHmacCase2 =
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

TEST(ParseHexDigest, LowerCase) {
  const auto digest = parse_hex_digest(kHmacCase2);
  ASSERT_TRUE(digest);
  EXPECT_EQ(*digest, hmac_sha256("Jefe", "what do ya want for nothing?"));
}

TEST(ParseHexDigest, UpperAndMixedCase) {
  const auto expected = parse_hex_digest(kHmacCase2);
  ASSERT_TRUE(expected);
  EXPECT_EQ(parse_hex_digest("5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843"),
            expected);
  EXPECT_EQ(parse_hex_digest("5BdCc146bF60754e6A042426089575C75a003F089d2739839dEC58B964eC3843"),
            expected);
}

TEST(ParseHexDigest, AllDigitValues) {
  const auto digest =
      parse_hex_digest("00112233445566778899aabbccddeeffFFEEDDCCBBAA99887766554433221100");
  ASSERT_TRUE(digest);
  EXPECT_EQ((*digest)[0], 0x00);
  EXPECT_EQ((*digest)[1], 0x11);
  EXPECT_EQ((*digest)[9], 0x99);
  EXPECT_EQ((*digest)[10], 0xaa);
  EXPECT_EQ((*digest)[15], 0xff);
  EXPECT_EQ((*digest)[16], 0xff);
  EXPECT_EQ((*digest)[31], 0x00);
}

TEST(ParseHexDigest, WrongLength) {
  const std::string hex(kHmacCase2);
  EXPECT_FALSE(parse_hex_digest(""));
  EXPECT_FALSE(parse_hex_digest(hex.substr(0, 63)));
  EXPECT_FALSE(parse_hex_digest(hex.substr(0, 62)));
  EXPECT_FALSE(parse_hex_digest(hex + "0"));
  EXPECT_FALSE(parse_hex_digest(hex + "00"));
  EXPECT_FALSE(parse_hex_digest(hex + hex));
}

TEST(ParseHexDigest, NonHexCharacters) {
  const std::string hex(kHmacCase2);
  for (const char bad : {'g', 'G', 'x', ' ', '-', ':', '/', '@', '`', '\0'}) {
    for (const std::size_t position : {std::size_t{0}, std::size_t{1}, std::size_t{63}}) {
      std::string text = hex;
      text[position] = bad;
      EXPECT_FALSE(parse_hex_digest(text)) << "char " << int{bad} << " at " << position;
    }
  }
  EXPECT_FALSE(parse_hex_digest("0x" + hex.substr(2)));
  EXPECT_FALSE(parse_hex_digest(" " + hex.substr(1)));
}

TEST(SecretSet, EmptySetContainsNothing) {
  const SecretSet set({});
  EXPECT_TRUE(set.empty());
  EXPECT_FALSE(set.contains(""));
  EXPECT_FALSE(set.contains("anything"));
}

TEST(SecretSet, ContainsEachStoredSecret) {
  const SecretSet set({"old-secret", "new-secret"});
  EXPECT_FALSE(set.empty());
  EXPECT_TRUE(set.contains("old-secret"));
  EXPECT_TRUE(set.contains("new-secret"));
}

TEST(SecretSet, RejectsNearMisses) {
  const SecretSet set({"s3cret-token"});
  for (const std::string_view candidate :
       {"", "s3cret-toke", "s3cret-tokenX", "S3CRET-TOKEN", " s3cret-token", "s3cret-token ",
        "s3cret-token\n", "s3cret", "other"}) {
    EXPECT_FALSE(set.contains(candidate)) << "'" << candidate << "'";
  }
  EXPECT_FALSE(set.contains(std::string_view("s3cret-token\0", 13)));
}

TEST(SecretSet, SecretsAreCopied) {
  std::vector<std::string> secrets = {"first"};
  const SecretSet set(secrets);
  secrets[0] = "changed";
  EXPECT_TRUE(set.contains("first"));
  EXPECT_FALSE(set.contains("changed"));
}

TEST(SecretSet, LongAndBinarySecrets) {
  const std::string long_secret(10'000, 'k');
  const std::string binary("\x00\xff\x01\x80", 4);
  const SecretSet set({long_secret, binary});
  EXPECT_TRUE(set.contains(long_secret));
  EXPECT_TRUE(set.contains(binary));
  EXPECT_FALSE(set.contains(long_secret.substr(1)));
  EXPECT_FALSE(set.contains(binary.substr(0, 3)));
}

}  // namespace
}  // namespace parley::sources
