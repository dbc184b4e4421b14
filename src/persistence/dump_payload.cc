// DUMP payload encoding and verification (see dump_payload.h).
#include "persistence/dump_payload.h"

#include "common/crc64.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_reader.h"
#include "persistence/rdb_writer.h"

namespace lodestone {
namespace {

constexpr size_t kFooterSize = 10;  // version (2) + CRC-64 (8)

}  // namespace

std::string CreateDumpPayload(const Value& value, const RdbSaveOptions& options, bool compress) {
  std::string payload;
  StringSink sink(&payload);
  RdbWriter writer(sink, compress);
  WriteRdbObject(writer, value, options);
  writer.WriteByte(rdb::kVersion & 0xff);
  writer.WriteByte((rdb::kVersion >> 8) & 0xff);
  uint64_t crc = writer.crc();
  for (int i = 0; i < 8; i++) payload.push_back(static_cast<char>(crc >> (8 * i)));
  return payload;
}

bool VerifyDumpPayload(std::string_view payload, bool skip_checksum) {
  if (payload.size() < kFooterSize) return false;
  const auto* footer =
      reinterpret_cast<const unsigned char*>(payload.data() + payload.size() - kFooterSize);
  int version = footer[0] | footer[1] << 8;
  if (version > rdb::kVersion) return false;
  if (skip_checksum) return true;
  uint64_t crc = Crc64(0, payload.data(), payload.size() - 8);
  uint64_t stored = 0;
  for (int i = 0; i < 8; i++) stored |= uint64_t(footer[2 + i]) << (8 * i);
  return crc == stored;
}

bool LoadDumpPayload(std::string_view payload, const RdbLoadLimits& limits, Value* out) {
  if (payload.size() < kFooterSize) return false;
  RdbReader reader(payload.substr(0, payload.size() - kFooterSize));
  uint8_t type;
  if (!reader.ReadByte(&type) || !IsLoadableRdbType(type)) return false;
  return ReadRdbObject(reader, type, limits, out);
}

}  // namespace lodestone
