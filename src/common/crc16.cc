// CRC-16/XMODEM, table-driven, and Redis Cluster's key hash slot (see crc16.h).
#include "common/crc16.h"

#include <array>

namespace lodestone {
namespace {

constexpr uint16_t kPolynomial = 0x1021;

// kTable[b] is the CRC register after shifting the byte b through it MSB
// first, starting from zero; one lookup then replaces eight shift steps.
constexpr std::array<uint16_t, 256> MakeTable() {
  std::array<uint16_t, 256> table{};
  for (int byte = 0; byte < 256; ++byte) {
    uint16_t crc = static_cast<uint16_t>(byte << 8);
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ kPolynomial)
                           : static_cast<uint16_t>(crc << 1);
    }
    table[byte] = crc;
  }
  return table;
}

constexpr std::array<uint16_t, 256> kTable = MakeTable();

}  // namespace

uint16_t Crc16(const char* buf, size_t len) {
  uint16_t crc = 0;
  for (size_t i = 0; i < len; ++i) {
    uint8_t index = static_cast<uint8_t>((crc >> 8) ^ static_cast<uint8_t>(buf[i]));
    crc = static_cast<uint16_t>((crc << 8) ^ kTable[index]);
  }
  return crc;
}

uint16_t KeyHashSlot(std::string_view key) {
  constexpr uint16_t kSlotMask = kClusterSlots - 1;
  size_t open = key.find('{');
  if (open != std::string_view::npos) {
    size_t close = key.find('}', open + 1);
    if (close != std::string_view::npos && close > open + 1) {
      return Crc16(key.data() + open + 1, close - open - 1) & kSlotMask;
    }
  }
  return Crc16(key.data(), key.size()) & kSlotMask;
}

}  // namespace lodestone
