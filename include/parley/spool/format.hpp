#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "parley/common/result.hpp"
#include "parley/kafka/producer.hpp"

namespace parley::spool {

// The spool's on-disk format (docs/operations.md, "Spool"), every integer little-endian:
//
//   segment = header record*
//   header  = "PRLYSPOL" (8 bytes) | u32 format version (1) | u32 reserved (0)
//   record  = u32 record magic "PRC1" | u32 payload length | u32 CRC-32C of payload | payload
//   payload = u64 appended at (Unix ms) | u8 flags (bit 0: tombstone)
//             | u16 topic length | topic | u32 key length | key
//             | u16 header count | (u16 name length | name | u32 value length | value)*
//             | u32 value length | value

inline constexpr std::string_view kSegmentMagic = "PRLYSPOL";
inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::size_t kSegmentHeaderBytes = 16;
inline constexpr std::string_view kRecordMagic = "PRC1";
inline constexpr std::size_t kFrameHeaderBytes = 12;

/// One record as the spool keeps it.
struct SpooledRecord {
  kafka::Record record;
  std::int64_t appended_ms = 0;  ///< when it was made durable (the oldest-age gauge)
};

/// The 16 bytes every segment starts with.
std::string segment_header();
/// Why `bytes` is not a segment header of this format version, or nullopt.
std::optional<std::string> check_segment_header(std::string_view bytes);

/// Appends the framed record (frame header and payload) to `out`.
void append_frame(std::string& out, const kafka::Record& record, std::int64_t appended_ms);
/// The frame's size for `record`, without building it.
std::size_t frame_bytes(const kafka::Record& record);

/// The payload length and CRC of a frame header, or an error when the magic is wrong.
struct FrameHeader {
  std::uint32_t length = 0;
  std::uint32_t crc = 0;
};
Result<FrameHeader, std::string> read_frame_header(std::string_view twelve_bytes);
/// Checks the CRC and decodes the payload; the error names what is wrong.
Result<SpooledRecord, std::string> decode_payload(std::string_view payload, std::uint32_t crc);

/// What a scan of one segment's bytes found.
struct SegmentScan {
  enum class Damage { none, torn_tail, corrupt };
  std::uint64_t records = 0;        ///< valid records
  std::uint64_t records_after = 0;  ///< valid records starting at or after `from`
  std::uint64_t valid_end = 0;      ///< offset just past the last valid record
  Damage damage = Damage::none;
  std::uint64_t damage_offset = 0;
  std::string detail;                        ///< what was wrong at damage_offset
  std::int64_t first_appended_ms_after = 0;  ///< of the first record at or after `from`
  bool from_is_boundary = false;             ///< `from` is a record boundary (or the header's end)
};

/// Scans a whole segment. Zero bytes alone after the last record are the active segment's
/// preallocated room, not damage (valid_end stops before them). A bad or partial record with no
/// valid record after it is a torn tail (the crash of an unfinished append: truncate at
/// damage_offset); one followed by a valid record is corruption in the middle (quarantine the
/// segment). A bad header is corrupt at offset 0. Pure.
SegmentScan scan_segment(std::string_view bytes, std::uint64_t from = kSegmentHeaderBytes);

}  // namespace parley::spool
