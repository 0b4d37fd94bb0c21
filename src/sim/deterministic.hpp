#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace parley::sim {

/// 64-bit FNV-1a of `text`.
std::uint64_t fnv1a(std::string_view text);

/// A well-mixed hash of (id, salt, index): every simulated value derives from one, so
/// the same id always yields the same conversation. Pure; thread-safe.
std::uint64_t pick(std::string_view id, std::string_view salt, std::size_t index = 0);

/// One of `items`, chosen by `hash`.
template <class T, std::size_t N>
const T& choose(const std::array<T, N>& items, std::uint64_t hash) {
  return items[hash % N];
}

/// `hash` as 16 lowercase hex digits.
std::string hex64(std::uint64_t hash);

/// A UUID in version-4 form ("8-4-4-4-12" lowercase hex) derived from (id, salt, index)
/// as pick() is.
std::string uuid_text(std::string_view id, std::string_view salt, std::size_t index = 0);

/// `digits` decimal digits from `hash`, the first never 0.
std::string decimal_id(std::uint64_t hash, unsigned digits);

/// Unix seconds of a moment in 2024, chosen by `hash`, on a whole minute.
std::int64_t start_time(std::uint64_t hash);

/// "2024-02-02 12:12:25" (JustAnswer, UTC).
std::string justanswer_date(std::int64_t unix_seconds);

/// "6/15/2024 4:13 PM" (CAO, no zone; parley reads it as UTC).
std::string cao_date(std::int64_t unix_seconds);

/// Names for people in sample conversations.
inline constexpr std::array<std::string_view, 16> kFirstNames = {
    "Alice", "Bob",   "Carmen", "Deepak", "Elena", "Farid", "Grace", "Hiro",
    "Ines",  "Jonas", "Kemi",   "Luca",   "Maya",  "Noah",  "Olga",  "Priya"};
inline constexpr std::array<std::string_view, 12> kLastNames = {
    "Smith",  "Garcia", "Chen",   "Okafor", "Novak",  "Rossi",
    "Tanaka", "Silva",  "Moreau", "Singh",  "Larsen", "Haddad"};

/// "First Last" chosen by `hash`.
std::string person_name(std::uint64_t hash);

}  // namespace parley::sim
