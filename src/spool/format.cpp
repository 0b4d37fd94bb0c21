#include "parley/spool/format.hpp"

#include <cstring>
#include <limits>

#include "parley/spool/crc32c.hpp"

namespace parley::spool {
namespace {

template <class Int>
void put(std::string& out, Int value) {
  for (std::size_t i = 0; i < sizeof(Int); ++i)
    out.push_back(static_cast<char>((static_cast<std::uint64_t>(value) >> (8 * i)) & 0xFFU));
}

template <class Int>
Int get(std::string_view bytes, std::size_t at) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < sizeof(Int); ++i)
    value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return static_cast<Int>(value);
}

// Reads the payload's fields in order; every read is bounds-checked.
class PayloadReader {
 public:
  explicit PayloadReader(std::string_view bytes) : bytes_(bytes) {}
  template <class Int>
  bool integer(Int& out) {
    if (bytes_.size() - at_ < sizeof(Int)) return false;
    out = get<Int>(bytes_, at_);
    at_ += sizeof(Int);
    return true;
  }
  template <class Length>
  bool text(std::string& out) {
    Length length = 0;
    if (!integer(length) || bytes_.size() - at_ < length) return false;
    out.assign(bytes_.substr(at_, length));
    at_ += length;
    return true;
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t at_ = 0;
};

std::size_t payload_bytes(const kafka::Record& record) {
  std::size_t bytes = 8 + 1 + 2 + record.topic.size() + 4 + record.key.size() + 2 + 4 +
                      (record.tombstone ? 0 : record.value.size());
  for (const auto& [name, value] : record.headers)
    bytes += 2 + name.size() + 4 + value.size();
  return bytes;
}

bool valid_frame_at(std::string_view bytes, std::size_t at) {
  if (bytes.size() - at < kFrameHeaderBytes) return false;
  auto header = read_frame_header(bytes.substr(at, kFrameHeaderBytes));
  if (!header) return false;
  const auto length = header.value().length;
  if (bytes.size() - at - kFrameHeaderBytes < length) return false;
  return decode_payload(bytes.substr(at + kFrameHeaderBytes, length), header.value().crc).ok();
}

// True when a valid record starts anywhere after `at`: the damage is not the tail.
bool valid_record_after(std::string_view bytes, std::size_t at) {
  for (auto found = bytes.find(kRecordMagic, at + 1); found != std::string_view::npos;
       found = bytes.find(kRecordMagic, found + 1)) {
    if (valid_frame_at(bytes, found)) return true;
  }
  return false;
}

}  // namespace

std::string segment_header() {
  std::string header(kSegmentMagic);
  put<std::uint32_t>(header, kFormatVersion);
  put<std::uint32_t>(header, 0);
  return header;
}

std::optional<std::string> check_segment_header(std::string_view bytes) {
  if (bytes.size() < kSegmentHeaderBytes) return "segment header is truncated";
  if (bytes.substr(0, kSegmentMagic.size()) != kSegmentMagic)
    return "not a spool segment (bad magic)";
  const auto version = get<std::uint32_t>(bytes, 8);
  if (version != kFormatVersion) {
    return "segment format version " + std::to_string(version) + ", this build reads " +
           std::to_string(kFormatVersion);
  }
  return std::nullopt;
}

std::size_t frame_bytes(const kafka::Record& record) {
  return kFrameHeaderBytes + payload_bytes(record);
}

void append_frame(std::string& out, const kafka::Record& record, std::int64_t appended_ms) {
  // Written in place: the header first with a zero length and CRC, patched once the
  // payload behind it is complete (one buffer, no copy of the payload).
  const std::size_t payload_size = payload_bytes(record);
  out.reserve(out.size() + kFrameHeaderBytes + payload_size);
  out += kRecordMagic;
  const std::size_t patch_at = out.size();
  put<std::uint32_t>(out, 0);
  put<std::uint32_t>(out, 0);
  const std::size_t payload_at = out.size();
  put<std::uint64_t>(out, static_cast<std::uint64_t>(appended_ms));
  put<std::uint8_t>(out, record.tombstone ? 1 : 0);
  put<std::uint16_t>(out, record.topic.size());
  out += record.topic;
  put<std::uint32_t>(out, record.key.size());
  out += record.key;
  put<std::uint16_t>(out, record.headers.size());
  for (const auto& [name, value] : record.headers) {
    put<std::uint16_t>(out, name.size());
    out += name;
    put<std::uint32_t>(out, value.size());
    out += value;
  }
  const std::string_view value = record.tombstone ? std::string_view() : record.value;
  put<std::uint32_t>(out, value.size());
  out += value;
  const std::string_view payload(out.data() + payload_at, out.size() - payload_at);
  std::string header;
  put<std::uint32_t>(header, payload.size());
  put<std::uint32_t>(header, crc32c(payload));
  out.replace(patch_at, header.size(), header);
}

Result<FrameHeader, std::string> read_frame_header(std::string_view bytes) {
  if (bytes.size() < kFrameHeaderBytes) return std::string("record header is truncated");
  if (bytes.substr(0, kRecordMagic.size()) != kRecordMagic) return std::string("bad record magic");
  return FrameHeader{.length = get<std::uint32_t>(bytes, 4), .crc = get<std::uint32_t>(bytes, 8)};
}

Result<SpooledRecord, std::string> decode_payload(std::string_view payload, std::uint32_t crc) {
  if (crc32c(payload) != crc) return std::string("CRC-32C mismatch");
  SpooledRecord out;
  PayloadReader reader(payload);
  std::uint64_t appended = 0;
  std::uint8_t flags = 0;
  std::uint16_t header_count = 0;
  if (!reader.integer(appended) || !reader.integer(flags) ||
      !reader.text<std::uint16_t>(out.record.topic) ||
      !reader.text<std::uint32_t>(out.record.key) || !reader.integer(header_count)) {
    return std::string("record fields are truncated");
  }
  for (std::uint16_t i = 0; i < header_count; ++i) {
    std::string name;
    std::string value;
    if (!reader.text<std::uint16_t>(name) || !reader.text<std::uint32_t>(value)) {
      return std::string("record headers are truncated");
    }
    out.record.headers.emplace_back(std::move(name), std::move(value));
  }
  if (!reader.text<std::uint32_t>(out.record.value) || !reader.done()) {
    return std::string("record value is truncated or followed by extra bytes");
  }
  out.record.tombstone = (flags & 1U) != 0;
  out.appended_ms = static_cast<std::int64_t>(appended);
  return out;
}

SegmentScan scan_segment(std::string_view bytes, std::uint64_t from) {
  SegmentScan scan;
  if (auto problem = check_segment_header(bytes)) {
    scan.damage = SegmentScan::Damage::corrupt;
    scan.detail = *problem;
    return scan;
  }
  std::size_t at = kSegmentHeaderBytes;
  scan.valid_end = at;
  scan.from_is_boundary = from == at;
  while (at < bytes.size()) {
    std::string problem;
    auto header =
        read_frame_header(bytes.substr(at, std::min(kFrameHeaderBytes, bytes.size() - at)));
    std::optional<SpooledRecord> record;
    if (!header) {
      problem = header.error();
    } else if (bytes.size() - at - kFrameHeaderBytes < header.value().length) {
      problem = "record of " + std::to_string(header.value().length) + " bytes runs past the end";
    } else {
      auto decoded = decode_payload(bytes.substr(at + kFrameHeaderBytes, header.value().length),
                                    header.value().crc);
      if (decoded) {
        record = std::move(decoded).value();
      } else {
        problem = decoded.error();
      }
    }
    if (!record) {
      if (bytes.find_first_not_of('\0', at) == std::string_view::npos) {
        return scan;  // room the writer zero-filled ahead of its records
      }
      scan.damage = valid_record_after(bytes, at) ? SegmentScan::Damage::corrupt
                                                  : SegmentScan::Damage::torn_tail;
      scan.damage_offset = at;
      scan.detail = problem;
      return scan;
    }
    if (at >= from) {
      if (scan.records_after == 0) scan.first_appended_ms_after = record->appended_ms;
      ++scan.records_after;
    }
    ++scan.records;
    at += kFrameHeaderBytes + header.value().length;
    scan.valid_end = at;
    if (at == from) scan.from_is_boundary = true;
  }
  return scan;
}

}  // namespace parley::spool
