#include "common/sha1.h"

#include <gtest/gtest.h>

namespace lodestone {
namespace {

TEST(Sha1Test, KnownDigests) {
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  // Redis's digest of "return 1" (EVALSHA e0e1f9fabfc9d4800c877a703b823ac0578ff8db).
  EXPECT_EQ(Sha1Hex("return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
}

TEST(Sha1Test, EveryLengthAroundBlockBoundaries) {
  // Lengths 55..65 exercise the one- and two-block padding paths; the
  // digests must all differ and be stable.
  std::string prev;
  for (size_t n = 50; n < 130; n++) {
    std::string h = Sha1Hex(std::string(n, 'a'));
    EXPECT_EQ(h.size(), 40u);
    EXPECT_NE(h, prev);
    prev = h;
  }
  EXPECT_EQ(Sha1Hex(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

}  // namespace
}  // namespace lodestone
