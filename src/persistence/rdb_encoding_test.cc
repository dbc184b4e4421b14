// Tests for the RDB primitives (rdb_writer.h, rdb_reader.h) and the legacy
// blob readers (legacy_formats.h).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

#include "persistence/legacy_formats.h"
#include "persistence/rdb_reader.h"
#include "persistence/rdb_writer.h"

namespace lodestone {
namespace {

std::string Encode(void (*fn)(RdbWriter&), bool compress = true) {
  std::string out;
  StringSink sink(&out);
  RdbWriter w(sink, compress);
  fn(w);
  return out;
}

TEST(RdbWriterTest, LengthEncodings) {
  EXPECT_EQ(Encode([](RdbWriter& w) { w.WriteLength(5); }), "\x05");
  EXPECT_EQ(Encode([](RdbWriter& w) { w.WriteLength(300); }), std::string("\x41\x2c", 2));
  EXPECT_EQ(Encode([](RdbWriter& w) { w.WriteLength(70000); }),
            std::string("\x80\x00\x01\x11\x70", 5));
  EXPECT_EQ(Encode([](RdbWriter& w) { w.WriteLength(uint64_t{1} << 40); }),
            std::string("\x81\x00\x00\x01\x00\x00\x00\x00\x00", 9));
}

TEST(RdbWriterTest, IntegerStrings) {
  EXPECT_EQ(Encode([](RdbWriter& w) { w.WriteString("12"); }), std::string("\xc0\x0c", 2));
  EXPECT_EQ(Encode([](RdbWriter& w) { w.WriteString("-300"); }), std::string("\xc1\xd4\xfe", 3));
  EXPECT_EQ(Encode([](RdbWriter& w) { w.WriteString("100000"); }),
            std::string("\xc2\xa0\x86\x01\x00", 5));
  // Not canonical, or too wide: plain strings.
  EXPECT_EQ(Encode([](RdbWriter& w) { w.WriteString("012"); }), "\x03" "012");
  EXPECT_EQ(Encode([](RdbWriter& w) { w.WriteString("4294967296"); }), "\x0a" "4294967296");
}

TEST(RdbWriterTest, CompressesOnlyWhenAllowedAndWorthwhile) {
  std::string compressed = Encode([](RdbWriter& w) { w.WriteString(std::string(100, 'a')); });
  EXPECT_EQ(static_cast<uint8_t>(compressed[0]), 0xc3);
  std::string plain =
      Encode([](RdbWriter& w) { w.WriteString(std::string(100, 'a')); }, false);
  EXPECT_EQ(plain.size(), 102u);  // 2-byte length, 100 bytes
}

TEST(RdbReaderTest, RoundTripsPrimitives) {
  std::string out;
  StringSink sink(&out);
  RdbWriter w(sink, true);
  const uint64_t lengths[] = {0, 63, 64, 16383, 16384, UINT32_MAX, uint64_t{1} << 33};
  for (uint64_t len : lengths) w.WriteLength(len);
  const std::string strings[] = {"", "a", "12", "-2147483648", "2147483648", std::string(5000, 'z'),
                                 "hello hello hello hello hello hello"};
  for (const std::string& s : strings) w.WriteString(s);
  w.WriteInteger(INT64_MIN);
  w.WriteMillis(1700000000123);
  w.WriteBinaryDouble(-std::numeric_limits<double>::infinity());

  RdbReader r(out);
  for (uint64_t len : lengths) {
    uint64_t got;
    ASSERT_TRUE(r.ReadLength(&got));
    EXPECT_EQ(got, len);
  }
  for (const std::string& s : strings) {
    std::string got;
    ASSERT_TRUE(r.ReadString(&got));
    EXPECT_EQ(got, s);
  }
  std::string i;
  ASSERT_TRUE(r.ReadString(&i));
  EXPECT_EQ(i, "-9223372036854775808");
  int64_t ms;
  ASSERT_TRUE(r.ReadMillis(&ms));
  EXPECT_EQ(ms, 1700000000123);
  double d;
  ASSERT_TRUE(r.ReadBinaryDouble(&d));
  EXPECT_TRUE(std::isinf(d) && d < 0);
  EXPECT_EQ(r.remaining(), 0u);
  uint8_t b;
  EXPECT_FALSE(r.ReadByte(&b));
}

TEST(RdbReaderTest, RejectsTruncationAtEveryByte) {
  std::string out;
  StringSink sink(&out);
  RdbWriter w(sink, true);
  w.WriteString(std::string(3000, 'q') + "tail");
  for (size_t cut = 0; cut < out.size(); cut++) {
    RdbReader r(std::string_view(out).substr(0, cut));
    std::string s;
    EXPECT_FALSE(r.ReadString(&s)) << cut;
  }
}

TEST(RdbReaderTest, StringDoubles) {
  std::string in = std::string("\xfd\xfe\xff", 3) + "\x04" "1.25";
  RdbReader r(in);
  double d;
  ASSERT_TRUE(r.ReadStringDouble(&d));
  EXPECT_TRUE(std::isnan(d));
  ASSERT_TRUE(r.ReadStringDouble(&d));
  EXPECT_EQ(d, std::numeric_limits<double>::infinity());
  ASSERT_TRUE(r.ReadStringDouble(&d));
  EXPECT_EQ(d, -std::numeric_limits<double>::infinity());
  ASSERT_TRUE(r.ReadStringDouble(&d));
  EXPECT_EQ(d, 1.25);
}

TEST(LegacyFormatsTest, Ziplist) {
  // A ziplist of "ab", 7 (immediate), -2 (int8), 1000 (int16).
  std::string entries = std::string("\x00\x02" "ab", 4) + std::string("\x04\xf8", 2) +
                        std::string("\x02\xfe\xfe", 3) + std::string("\x03\xc0\xe8\x03", 4);
  std::string zl(10, '\0');
  zl += entries;
  zl += '\xff';
  uint32_t bytes = zl.size();
  for (int i = 0; i < 4; i++) zl[i] = static_cast<char>(bytes >> (8 * i));
  zl[4] = 10;  // zltail: any in-range offset
  zl[8] = 4;
  std::vector<std::string> out;
  ASSERT_TRUE(ParseZiplist(zl, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"ab", "7", "-2", "1000"}));
  for (size_t cut = 0; cut < zl.size(); cut++) {
    EXPECT_FALSE(ParseZiplist(std::string_view(zl).substr(0, cut), &out));
  }
}

TEST(LegacyFormatsTest, Zipmap) {
  std::string zm = std::string("\x02\x03" "foo" "\x03\x00" "bar" "\x01" "k" "\x01\x02" "v" "xx\xff", 18);
  std::vector<std::string> out;
  ASSERT_TRUE(ParseZipmap(zm, &out));
  EXPECT_EQ(out, (std::vector<std::string>{"foo", "bar", "k", "v"}));
  for (size_t cut = 0; cut < zm.size(); cut++) {
    EXPECT_FALSE(ParseZipmap(std::string_view(zm).substr(0, cut), &out));
  }
}

}  // namespace
}  // namespace lodestone
