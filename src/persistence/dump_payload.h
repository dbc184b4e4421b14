// DUMP payloads: one serialized value with Redis's footer.
//
//   payload := object-type value rdb-version:u16le crc64:u64le
//
// where the CRC-64 (common/crc64.h) covers everything before it, the
// version bytes included. DUMP writes RDB version 12 (Redis 7.4); RESTORE
// accepts any version up to 12.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "persistence/value_loader.h"
#include "persistence/value_writer.h"
#include "storage/value.h"

namespace lodestone {

// The payload DUMP replies with. `compress`: rdbcompression.
std::string CreateDumpPayload(const Value& value, const RdbSaveOptions& options, bool compress);

// Redis's verifyDumpPayload: at least the 10-byte footer, a version this
// server can read, and a matching checksum (unless skip_checksum).
bool VerifyDumpPayload(std::string_view payload, bool skip_checksum = false);

// The value of a verified payload; false when the object is malformed
// (RESTORE's "Bad data format").
bool LoadDumpPayload(std::string_view payload, const RdbLoadLimits& limits, Value* out);

}  // namespace lodestone
