#include "parley/events/ids.hpp"

#include <array>
#include <cstdint>
#include <initializer_list>
#include <random>

namespace parley::events {

std::string make_uuid_v7(std::chrono::system_clock::time_point now) {
  thread_local std::mt19937_64 random = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  const auto ms = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  std::array<std::uint8_t, 16> bytes{};
  for (int i = 0; i < 6; ++i)
    bytes[static_cast<std::size_t>(i)] = (ms >> (40 - 8 * i)) & 0xFF;
  const std::uint64_t r1 = random();
  const std::uint64_t r2 = random();
  for (int i = 0; i < 2; ++i)
    bytes[6 + static_cast<std::size_t>(i)] = (r1 >> (8 * i)) & 0xFF;
  for (int i = 0; i < 8; ++i)
    bytes[8 + static_cast<std::size_t>(i)] = (r2 >> (8 * i)) & 0xFF;
  bytes[6] = static_cast<std::uint8_t>(0x70 | (bytes[6] & 0x0F));  // version 7
  bytes[8] = static_cast<std::uint8_t>(0x80 | (bytes[8] & 0x3F));  // RFC 9562 variant

  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[bytes[i] >> 4]);
    out.push_back(kHex[bytes[i] & 0x0F]);
  }
  return out;
}

namespace {

// `<source>:<kind>:` then the parts, joined by ':'; `parts` are already escaped where needed.
std::string derived_id(std::string_view source, std::string_view kind,
                       std::initializer_list<std::string_view> parts) {
  std::size_t size = source.size() + kind.size() + 2;
  for (const auto part : parts)
    size += part.size() + 1;
  std::string id;
  id.reserve(size);
  id.append(source).append(":").append(kind);
  for (const auto part : parts)
    id.append(":").append(part);
  return id;
}

}  // namespace

std::string escape_id_part(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '%') {
      out += "%25";
    } else if (c == ':') {
      out += "%3A";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string message_event_id(std::string_view source, std::string_view message_id) {
  return derived_id(source, "message", {message_id});
}

std::string platform_event_id(std::string_view source, std::string_view event_id) {
  return derived_id(source, "event", {event_id});
}

std::string receipt_event_id(std::string_view source, std::string_view message_id,
                             std::string_view status) {
  const std::string escaped = escape_id_part(message_id);
  return derived_id(source, "receipt", {escaped, status});
}

std::string state_event_id(std::string_view source, std::string_view conversation_id,
                           std::string_view digest) {
  const std::string escaped = escape_id_part(conversation_id);
  return derived_id(source, "state", {escaped, digest});
}

}  // namespace parley::events
