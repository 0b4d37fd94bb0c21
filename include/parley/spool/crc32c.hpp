#pragma once

#include <cstdint>
#include <string_view>

namespace parley::spool {

/// CRC-32C (Castagnoli, the polynomial of iSCSI, ext4 and Kafka's record batches) of
/// `bytes`, continuing from `crc` (0 to start). Pure, thread-safe.
std::uint32_t crc32c(std::string_view bytes, std::uint32_t crc = 0);

}  // namespace parley::spool
