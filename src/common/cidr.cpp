#include "parley/common/cidr.hpp"

#include <charconv>

namespace parley {
namespace {

namespace ip = boost::asio::ip;

ip::address unmap(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  }
  return address;
}

template <class Bytes>
bool prefix_equal(const Bytes& a, const Bytes& b, unsigned prefix) {
  const unsigned full_bytes = prefix / 8;
  for (unsigned i = 0; i < full_bytes; ++i) {
    if (a[i] != b[i]) return false;
  }
  const unsigned rest = prefix % 8;
  if (rest == 0) return true;
  const auto mask = static_cast<unsigned char>(0xFFu << (8 - rest));
  return (a[full_bytes] & mask) == (b[full_bytes] & mask);
}

}  // namespace

std::optional<Cidr> Cidr::parse(std::string_view text) {
  const auto slash = text.find('/');
  const std::string address_text(text.substr(0, slash));
  boost::system::error_code ec;
  const auto address = ip::make_address(address_text, ec);
  if (ec) return std::nullopt;
  const unsigned max_prefix = address.is_v4() ? 32 : 128;
  unsigned prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const auto digits = text.substr(slash + 1);
    const auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (digits.empty() || err != std::errc{} || end != digits.data() + digits.size()) {
      return std::nullopt;
    }
    if (prefix > max_prefix) return std::nullopt;
  }
  // contains() compares IPv4-mapped peers as IPv4, so a mapped network must be IPv4 too;
  // left as IPv6 it could never match anything.
  if (address.is_v6() && address.to_v6().is_v4_mapped() && prefix >= 96) {
    return Cidr(unmap(address), prefix - 96);
  }
  return Cidr(address, prefix);
}

bool Cidr::contains(const ip::address& candidate) const {
  const auto address = unmap(candidate);
  if (network_.is_v4() != address.is_v4()) return false;
  if (network_.is_v4()) {
    return prefix_equal(network_.to_v4().to_bytes(), address.to_v4().to_bytes(), prefix_);
  }
  return prefix_equal(network_.to_v6().to_bytes(), address.to_v6().to_bytes(), prefix_);
}

std::string Cidr::to_string() const {
  return network_.to_string() + "/" + std::to_string(prefix_);
}

}  // namespace parley
