// Tests for the LZF compressor and decompressor (lzf.h).
#include "persistence/lzf.h"

#include <gtest/gtest.h>

#include <string>

#include "common/random.h"

namespace lodestone {
namespace {

std::string RoundTrip(const std::string& in) {
  std::string compressed, out;
  if (!LzfCompress(in, in.size() + in.size() / 16 + 64, &compressed)) return "<compress failed>";
  if (!LzfDecompress(compressed, in.size(), &out)) return "<decompress failed>";
  return out;
}

TEST(LzfTest, RoundTripsShapes) {
  Random rng(11);
  std::vector<std::string> inputs = {"a", "abc", std::string(1000, 'x'),
                                     std::string(100000, '\0')};
  std::string text;
  for (int i = 0; i < 5000; i++) text += "word" + std::to_string(i % 97) + " ";
  inputs.push_back(text);
  for (int i = 0; i < 300; i++) {
    std::string s(rng.Uniform(20000), '\0');
    int alphabet = 1 + int(rng.Uniform(255));
    for (char& c : s) c = static_cast<char>(rng.Uniform(alphabet));
    inputs.push_back(s);
  }
  for (const std::string& in : inputs) ASSERT_EQ(RoundTrip(in), in) << in.size();
}

TEST(LzfTest, CompressesRepetition) {
  std::string in(10000, 'a'), out;
  ASSERT_TRUE(LzfCompress(in, in.size(), &out));
  EXPECT_LT(out.size(), 200u);
}

TEST(LzfTest, RespectsOutputLimit) {
  Random rng(5);
  std::string in(1000, '\0'), out;
  for (char& c : in) c = static_cast<char>(rng.Next());
  EXPECT_FALSE(LzfCompress(in, in.size() - 4, &out));
}

TEST(LzfTest, DecodesKnownBytes) {
  // Literal "ab", then a reference of length 4 one byte back: "abbbbb".
  std::string in = std::string("\x01" "ab", 3) + std::string("\x40\x00", 2);
  std::string out;
  ASSERT_TRUE(LzfDecompress(in, 6, &out));
  EXPECT_EQ(out, "abbbbb");
  EXPECT_FALSE(LzfDecompress(in, 7, &out));  // wrong length
  EXPECT_FALSE(LzfDecompress(in, 5, &out));
  EXPECT_FALSE(LzfDecompress(std::string("\x40\x00", 2), 3, &out));  // reference before start
  EXPECT_FALSE(LzfDecompress(std::string("\x05" "ab", 3), 6, &out));  // truncated literal
}

TEST(LzfTest, CorruptInputNeverOverruns) {
  Random rng(9);
  std::string text;
  for (int i = 0; i < 2000; i++) text += "abc" + std::to_string(i % 13);
  std::string compressed, out;
  ASSERT_TRUE(LzfCompress(text, text.size(), &compressed));
  for (int i = 0; i < 5000; i++) {
    std::string bad = compressed;
    bad[rng.Uniform(bad.size())] ^= static_cast<char>(1 + rng.Uniform(255));
    if (rng.Uniform(2)) bad.resize(rng.Uniform(bad.size()));
    LzfDecompress(bad, text.size(), &out);  // must not crash (ASan builds check)
  }
}

}  // namespace
}  // namespace lodestone
