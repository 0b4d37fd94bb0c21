#pragma once

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace parley {

/// An IPv4 or IPv6 network, e.g. "10.0.0.0/8" or "2001:db8::/32".
/// Immutable after parsing; safe to share between threads.
class Cidr {
 public:
  /// Parses "address/prefix" or a bare address (a /32 or /128 network).
  /// Returns nullopt on any syntax error or a prefix longer than the family allows.
  static std::optional<Cidr> parse(std::string_view text);

  /// True when `address` lies inside the network. IPv4-mapped IPv6 addresses
  /// (::ffff:a.b.c.d) are compared as IPv4.
  bool contains(const boost::asio::ip::address& address) const;

  std::string to_string() const;

 private:
  Cidr(boost::asio::ip::address network, unsigned prefix)
      : network_(std::move(network)), prefix_(prefix) {}
  boost::asio::ip::address network_;
  unsigned prefix_;
};

}  // namespace parley
