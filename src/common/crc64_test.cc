// Tests for CRC-64/Jones (crc64.h).
#include "common/crc64.h"

#include <gtest/gtest.h>

#include <string>

#include "common/random.h"

namespace lodestone {
namespace {

// The bit-at-a-time reflected definition, to check the sliced tables.
uint64_t BitwiseCrc64(uint64_t crc, const std::string& s) {
  for (unsigned char byte : s) {
    crc ^= byte;
    for (int i = 0; i < 8; ++i) {
      crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
    }
  }
  return crc;
}

TEST(Crc64Test, CheckValue) {
  EXPECT_EQ(Crc64(0, "123456789", 9), 0xe9c6d914c4b8d9caULL);
  EXPECT_EQ(Crc64(0, "", 0), 0u);
}

TEST(Crc64Test, MatchesBitwiseDefinition) {
  Random rng(64);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng.Uniform(100), '\0');
    for (char& c : s) c = static_cast<char>(rng.Next());
    ASSERT_EQ(Crc64(0, s.data(), s.size()), BitwiseCrc64(0, s));
  }
}

TEST(Crc64Test, ChainsAcrossPieces) {
  Random rng(3);
  std::string s(1000, '\0');
  for (char& c : s) c = static_cast<char>(rng.Next());
  uint64_t whole = Crc64(0, s.data(), s.size());
  for (size_t cut = 0; cut <= s.size(); cut += 37) {
    uint64_t crc = Crc64(0, s.data(), cut);
    crc = Crc64(crc, s.data() + cut, s.size() - cut);
    ASSERT_EQ(crc, whole) << cut;
  }
}

}  // namespace
}  // namespace lodestone
