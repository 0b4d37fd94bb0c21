#include "parley/common/cidr.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace parley {
namespace {

boost::asio::ip::address addr(const char* text) {
  return boost::asio::ip::make_address(text);
}

Cidr parse_ok(std::string_view text) {
  const auto cidr = Cidr::parse(text);
  EXPECT_TRUE(cidr.has_value()) << text;
  return cidr.value_or(*Cidr::parse("255.255.255.255/32"));
}

TEST(Cidr, ParsesIpv4NetworkWithPrefix) {
  const auto cidr = parse_ok("10.0.0.0/8");
  EXPECT_EQ(cidr.to_string(), "10.0.0.0/8");
}

TEST(Cidr, ParsesIpv6NetworkWithPrefix) {
  const auto cidr = parse_ok("2001:db8::/32");
  EXPECT_EQ(cidr.to_string(), "2001:db8::/32");
}

TEST(Cidr, BareAddressIsAHostNetwork) {
  EXPECT_EQ(parse_ok("192.0.2.7").to_string(), "192.0.2.7/32");
  EXPECT_EQ(parse_ok("2001:db8::1").to_string(), "2001:db8::1/128");
}

TEST(Cidr, AcceptsTheLongestAndShortestPrefixOfEachFamily) {
  EXPECT_TRUE(Cidr::parse("0.0.0.0/0"));
  EXPECT_TRUE(Cidr::parse("192.0.2.7/32"));
  EXPECT_TRUE(Cidr::parse("::/0"));
  EXPECT_TRUE(Cidr::parse("2001:db8::1/128"));
}

TEST(Cidr, RejectsMalformedText) {
  for (const std::string_view text : {"",
                                      "/",
                                      "/8",
                                      "10.0.0.0/",
                                      "10.0.0.0/33",
                                      "2001:db8::/129",
                                      "10.0.0.0/8x",
                                      "10.0.0.0/x",
                                      "10.0.0.0/-1",
                                      "10.0.0.0/+8",
                                      "10.0.0.0/ 8",
                                      "10.0.0.0/8/8",
                                      "10.0.0.256/8",
                                      "10.0.0/8",
                                      "example.com/8",
                                      " 10.0.0.0/8",
                                      "10.0.0.0/4294967296",
                                      "10.0.0.0/99999999999999999999",
                                      "2001:db8:::/32",
                                      "not an address"}) {
    EXPECT_FALSE(Cidr::parse(text).has_value()) << "'" << text << "'";
  }
}

TEST(Cidr, Ipv4ContainsExactlyTheAddressesInsideThePrefix) {
  const auto cidr = parse_ok("10.0.0.0/8");
  EXPECT_TRUE(cidr.contains(addr("10.0.0.0")));
  EXPECT_TRUE(cidr.contains(addr("10.1.2.3")));
  EXPECT_TRUE(cidr.contains(addr("10.255.255.255")));
  EXPECT_FALSE(cidr.contains(addr("9.255.255.255")));
  EXPECT_FALSE(cidr.contains(addr("11.0.0.0")));
}

TEST(Cidr, PrefixNotOnAByteBoundary) {
  const auto cidr = parse_ok("192.168.16.0/20");
  EXPECT_TRUE(cidr.contains(addr("192.168.16.0")));
  EXPECT_TRUE(cidr.contains(addr("192.168.31.255")));
  EXPECT_FALSE(cidr.contains(addr("192.168.15.255")));
  EXPECT_FALSE(cidr.contains(addr("192.168.32.0")));

  const auto odd = parse_ok("203.0.113.64/27");
  EXPECT_TRUE(odd.contains(addr("203.0.113.95")));
  EXPECT_FALSE(odd.contains(addr("203.0.113.96")));
  EXPECT_FALSE(odd.contains(addr("203.0.113.63")));
}

TEST(Cidr, HostBitsInTheNetworkAddressAreIgnored) {
  const auto cidr = parse_ok("10.9.8.7/8");
  EXPECT_TRUE(cidr.contains(addr("10.200.0.1")));
  EXPECT_FALSE(cidr.contains(addr("11.9.8.7")));
}

TEST(Cidr, HostNetworkContainsOnlyThatAddress) {
  const auto v4 = parse_ok("192.0.2.7");
  EXPECT_TRUE(v4.contains(addr("192.0.2.7")));
  EXPECT_FALSE(v4.contains(addr("192.0.2.6")));
  EXPECT_FALSE(v4.contains(addr("192.0.2.8")));

  const auto v6 = parse_ok("2001:db8::1/128");
  EXPECT_TRUE(v6.contains(addr("2001:db8::1")));
  EXPECT_FALSE(v6.contains(addr("2001:db8::2")));
}

TEST(Cidr, ZeroPrefixContainsTheWholeFamilyOnly) {
  const auto any_v4 = parse_ok("0.0.0.0/0");
  EXPECT_TRUE(any_v4.contains(addr("1.2.3.4")));
  EXPECT_TRUE(any_v4.contains(addr("255.255.255.255")));
  EXPECT_FALSE(any_v4.contains(addr("2001:db8::1")));

  const auto any_v6 = parse_ok("::/0");
  EXPECT_TRUE(any_v6.contains(addr("2001:db8::1")));
  EXPECT_TRUE(any_v6.contains(addr("::1")));
  EXPECT_FALSE(any_v6.contains(addr("1.2.3.4")));
}

TEST(Cidr, Ipv6ContainsExactlyTheAddressesInsideThePrefix) {
  const auto cidr = parse_ok("2001:db8::/32");
  EXPECT_TRUE(cidr.contains(addr("2001:db8::")));
  EXPECT_TRUE(cidr.contains(addr("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
  EXPECT_FALSE(cidr.contains(addr("2001:db9::")));
  EXPECT_FALSE(cidr.contains(addr("2001:db7:ffff::1")));

  const auto odd = parse_ok("fd00:abcd::/17");
  EXPECT_TRUE(odd.contains(addr("fd00:8000::1")));
  EXPECT_TRUE(odd.contains(addr("fd00:ffff::1")));
  EXPECT_FALSE(odd.contains(addr("fd00:7fff::1")));
  EXPECT_FALSE(odd.contains(addr("fd01:8000::1")));
}

TEST(Cidr, FamiliesNeverMatchEachOther) {
  // ::a01:203 has the same last four bytes as 10.1.2.3 but is not IPv4-mapped.
  EXPECT_FALSE(parse_ok("10.0.0.0/8").contains(addr("::a01:203")));
  EXPECT_FALSE(parse_ok("::/96").contains(addr("10.1.2.3")));
}

TEST(Cidr, Ipv4MappedPeerIsComparedAsIpv4) {
  const auto cidr = parse_ok("10.0.0.0/8");
  EXPECT_TRUE(cidr.contains(addr("::ffff:10.1.2.3")));
  EXPECT_FALSE(cidr.contains(addr("::ffff:11.1.2.3")));
}

TEST(Cidr, Ipv4MappedNetworkMatchesIpv4AndMappedPeers) {
  // A dual-stack operator may write the network the way the socket reports peers.
  const auto cidr = parse_ok("::ffff:10.0.0.0/104");
  EXPECT_TRUE(cidr.contains(addr("10.1.2.3")));
  EXPECT_TRUE(cidr.contains(addr("::ffff:10.1.2.3")));
  EXPECT_FALSE(cidr.contains(addr("11.1.2.3")));
  EXPECT_FALSE(cidr.contains(addr("::ffff:11.1.2.3")));

  EXPECT_EQ(cidr.to_string(), "10.0.0.0/8");

  const auto host = parse_ok("::ffff:192.0.2.7");
  EXPECT_TRUE(host.contains(addr("192.0.2.7")));
  EXPECT_FALSE(host.contains(addr("192.0.2.8")));
}

}  // namespace
}  // namespace parley
