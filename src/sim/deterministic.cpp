#include "deterministic.hpp"

#include <chrono>
#include <cstdio>

namespace parley::sim {
namespace {

constexpr std::int64_t k2024 = 1704067200;  // 2024-01-01T00:00:00Z
constexpr std::int64_t kMinutesIn2024 = std::int64_t{366} * 24 * 60;

// splitmix64's finalizer: FNV-1a alone leaves the low bits of similar keys correlated,
// and `hash % N` reads exactly those.
std::uint64_t mix(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct Civil {
  int year;
  unsigned month, day, hour, minute, second;
};

Civil civil(std::int64_t unix_seconds) {
  using namespace std::chrono;
  const sys_seconds time{seconds(unix_seconds)};
  const auto day = floor<days>(time);
  const year_month_day date{day};
  const hh_mm_ss clock{time - day};
  return Civil{static_cast<int>(date.year()),
               static_cast<unsigned>(date.month()),
               static_cast<unsigned>(date.day()),
               static_cast<unsigned>(clock.hours().count()),
               static_cast<unsigned>(clock.minutes().count()),
               static_cast<unsigned>(clock.seconds().count())};
}

}  // namespace

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::uint64_t pick(std::string_view id, std::string_view salt, std::size_t index) {
  std::string key;
  key.reserve(id.size() + salt.size() + 24);
  key.append(id).append(1, '\x1f').append(salt).append(1, '\x1f').append(std::to_string(index));
  return mix(fnv1a(key));
}

std::string hex64(std::uint64_t hash) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

std::string uuid_text(std::string_view id, std::string_view salt, std::size_t index) {
  const auto high = pick(id, salt, index);
  auto hex = hex64(high) + hex64(mix(high ^ 0x9e3779b97f4a7c15ULL));
  hex[12] = '4';                                              // version 4 (random)
  hex[16] = "89ab"[static_cast<unsigned char>(hex[16]) % 4];  // RFC 4122 variant
  for (const std::size_t dash : {20u, 16u, 12u, 8u})
    hex.insert(dash, 1, '-');
  return hex;
}

std::string decimal_id(std::uint64_t hash, unsigned digits) {
  std::string id(1, static_cast<char>('1' + hash % 9));
  for (unsigned i = 1; i < digits; ++i)
    id.push_back(static_cast<char>('0' + mix(hash + i) % 10));
  return id;
}

std::int64_t start_time(std::uint64_t hash) {
  return k2024 + static_cast<std::int64_t>(hash % kMinutesIn2024) * 60;
}

std::string justanswer_date(std::int64_t unix_seconds) {
  const auto c = civil(unix_seconds);
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u %02u:%02u:%02u", c.year, c.month, c.day, c.hour,
                c.minute, c.second);
  return text;
}

std::string cao_date(std::int64_t unix_seconds) {
  const auto c = civil(unix_seconds);
  const unsigned hour12 = c.hour % 12 == 0 ? 12 : c.hour % 12;
  char text[32];
  std::snprintf(text, sizeof text, "%u/%u/%d %u:%02u %s", c.month, c.day, c.year, hour12, c.minute,
                c.hour < 12 ? "AM" : "PM");
  return text;
}

std::string person_name(std::uint64_t hash) {
  return std::string(choose(kFirstNames, hash)) + " " +
         std::string(choose(kLastNames, hash / kFirstNames.size()));
}

}  // namespace parley::sim
