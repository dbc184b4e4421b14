// CRC-64 as Redis computes it for DUMP payloads and RDB files.
//
// The variant is CRC-64/Jones: polynomial 0xad93d23594c935a9, reflected input
// and output, initial value 0, no final xor. The check value of "123456789"
// is 0xe9c6d914c4b8d9ca. Crc64 may be chained: Crc64(Crc64(0, a), b) equals
// the CRC of the concatenation a+b, so a streaming writer can feed pieces.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lodestone {

// Folds `len` bytes at `buf` into the running CRC `crc` (0 to start).
// Pure function, safe from any thread.
uint64_t Crc64(uint64_t crc, const void* buf, size_t len);

}  // namespace lodestone
