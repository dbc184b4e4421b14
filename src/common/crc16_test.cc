// Tests for CRC16 and Redis Cluster hash slots (crc16.h).
#include "common/crc16.h"

#include <gtest/gtest.h>

#include <string>

#include "common/random.h"

namespace lodestone {
namespace {

// The textbook bit-at-a-time CRC-16/XMODEM, to check the table version.
uint16_t BitwiseCrc16(const std::string& s) {
  uint16_t crc = 0;
  for (unsigned char byte : s) {
    crc ^= static_cast<uint16_t>(byte << 8);
    for (int i = 0; i < 8; ++i) {
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021)
                           : static_cast<uint16_t>(crc << 1);
    }
  }
  return crc;
}

TEST(Crc16Test, CheckValue) {
  EXPECT_EQ(Crc16("123456789", 9), 0x31C3);
  EXPECT_EQ(Crc16("", 0), 0);
}

TEST(Crc16Test, MatchesBitwiseDefinition) {
  Random rng(16);
  for (int i = 0; i < 2000; ++i) {
    std::string s(rng.Uniform(64), '\0');
    for (char& c : s) c = static_cast<char>(rng.Next());
    ASSERT_EQ(Crc16(s.data(), s.size()), BitwiseCrc16(s));
  }
}

TEST(KeyHashSlotTest, KnownSlots) {
  // Slots as reported by Redis Cluster's CLUSTER KEYSLOT.
  EXPECT_EQ(KeyHashSlot("foo"), 12182);
  EXPECT_EQ(KeyHashSlot("bar"), 5061);
  EXPECT_EQ(KeyHashSlot("hello"), 866);
  EXPECT_EQ(KeyHashSlot("123456789"), 0x31C3 & 0x3FFF);
  EXPECT_EQ(KeyHashSlot(""), 0);
}

TEST(KeyHashSlotTest, HashTags) {
  // The examples of the Redis Cluster specification.
  EXPECT_EQ(KeyHashSlot("{user1000}.following"), KeyHashSlot("user1000"));
  EXPECT_EQ(KeyHashSlot("{user1000}.followers"), KeyHashSlot("user1000"));
  EXPECT_EQ(KeyHashSlot("foo{}{bar}"), Crc16("foo{}{bar}", 10) & 0x3FFF);
  EXPECT_EQ(KeyHashSlot("foo{{bar}}zap"), KeyHashSlot("{bar"));
  EXPECT_EQ(KeyHashSlot("foo{bar}{zap}"), KeyHashSlot("bar"));
  // No closing brace, or a brace pair with nothing inside: the whole key.
  EXPECT_EQ(KeyHashSlot("foo{bar"), Crc16("foo{bar", 7) & 0x3FFF);
  EXPECT_EQ(KeyHashSlot("foo}bar{"), Crc16("foo}bar{", 8) & 0x3FFF);
  EXPECT_EQ(KeyHashSlot("{}"), Crc16("{}", 2) & 0x3FFF);
  // A '}' before the '{' does not count.
  EXPECT_EQ(KeyHashSlot("}{x}"), KeyHashSlot("x"));
  // The tag may contain any byte, NUL included.
  EXPECT_EQ(KeyHashSlot(std::string_view("a{\0}b", 5)), Crc16("\0", 1) & 0x3FFF);
}

TEST(KeyHashSlotTest, AlwaysInRange) {
  Random rng(7);
  for (int i = 0; i < 10000; ++i) {
    std::string key = std::to_string(rng.Next());
    ASSERT_LT(KeyHashSlot(key), kClusterSlots);
  }
}

}  // namespace
}  // namespace lodestone
