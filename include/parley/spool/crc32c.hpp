#pragma once

#include <cstdint>
#include <string_view>

namespace parley::spool {

/// CRC-32C (Castagnoli, the polynomial of iSCSI, ext4 and Kafka's record batches) of
/// `bytes`, continuing from `crc` (0 to start). Pure, thread-safe. Uses the CPU's CRC32
/// instruction where there is one (SSE4.2), tables elsewhere.
std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc = 0);

namespace detail {
/// The table implementation alone, whatever the CPU: for tests comparing the two.
std::uint32_t crc32c_portable(std::string_view bytes, std::uint32_t crc = 0);
}  // namespace detail

}  // namespace parley::spool
