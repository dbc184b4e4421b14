// CRC-64/Jones, table-driven with slicing by eight (see crc64.h).
//
// Reflected CRCs shift right, so the polynomial is used bit-reversed. The
// byte-at-a-time step is crc = T0[(crc ^ b) & 0xff] ^ (crc >> 8). Slicing by
// eight consumes a 64-bit word per step: table Tk[b] is the effect of byte b
// followed by k zero bytes, so the eight lookups of one word can be xored
// together independently.
#include "common/crc64.h"

#include <array>
#include <cstring>

namespace lodestone {
namespace {

// 0xad93d23594c935a9 with its 64 bits reversed.
constexpr uint64_t kReflectedPolynomial = 0x95ac9329ac4bc9b5ULL;

using Tables = std::array<std::array<uint64_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables tables{};
  for (int byte = 0; byte < 256; ++byte) {
    uint64_t crc = static_cast<uint64_t>(byte);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) ? (crc >> 1) ^ kReflectedPolynomial : crc >> 1;
    }
    tables[0][byte] = crc;
  }
  for (int k = 1; k < 8; ++k) {
    for (int byte = 0; byte < 256; ++byte) {
      uint64_t prev = tables[k - 1][byte];
      tables[k][byte] = tables[0][prev & 0xff] ^ (prev >> 8);
    }
  }
  return tables;
}

constexpr Tables kTables = MakeTables();

bool HostIsLittleEndian() {
  const uint16_t probe = 1;
  unsigned char first = 0;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

}  // namespace

uint64_t Crc64(uint64_t crc, const void* buf, size_t len) {
  const auto* p = static_cast<const unsigned char*>(buf);
  if (HostIsLittleEndian()) {
    while (len >= 8) {
      uint64_t word = 0;
      std::memcpy(&word, p, 8);
      word ^= crc;
      crc = kTables[7][word & 0xff] ^ kTables[6][(word >> 8) & 0xff] ^
            kTables[5][(word >> 16) & 0xff] ^ kTables[4][(word >> 24) & 0xff] ^
            kTables[3][(word >> 32) & 0xff] ^ kTables[2][(word >> 40) & 0xff] ^
            kTables[1][(word >> 48) & 0xff] ^ kTables[0][word >> 56];
      p += 8;
      len -= 8;
    }
  }
  while (len > 0) {
    crc = kTables[0][(crc ^ *p) & 0xff] ^ (crc >> 8);
    ++p;
    --len;
  }
  return crc;
}

}  // namespace lodestone
