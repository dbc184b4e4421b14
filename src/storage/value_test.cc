#include "storage/value.h"

#include <gtest/gtest.h>

#include <string>

namespace lodestone {
namespace {

std::string Bytes(const Value& v) {
  char scratch[kValueScratchSize];
  return std::string(v.StringBytes(scratch));
}

class FakeCollection : public Collection {
 public:
  explicit FakeCollection(int* destroyed) : destroyed_(destroyed) {}
  ~FakeCollection() override { ++*destroyed_; }
  size_t MemoryUsage() const override { return 1234; }
  std::unique_ptr<Collection> Clone() const override {
    return std::make_unique<FakeCollection>(destroyed_);
  }

 private:
  int* destroyed_;
};

TEST(ValueTest, IsSixteenBytes) { EXPECT_EQ(sizeof(Value), 16u); }

TEST(ValueTest, IntegersFollowString2llRules) {
  for (const char* s : {"0", "123", "-1", "-9223372036854775808", "9223372036854775807"}) {
    Value v = Value::String(s);
    EXPECT_EQ(v.encoding(), Encoding::kInt) << s;
    EXPECT_EQ(Bytes(v), s);
    EXPECT_EQ(v.StringLength(), std::string(s).size());
  }
  EXPECT_EQ(Value::String("123").int_value(), 123);
  for (const char* s : {"0123", "+1", " 1", "1 ", "-0", "-", "", "9223372036854775808",
                        "-9223372036854775809", "1.5", "12a"}) {
    Value v = Value::String(s);
    EXPECT_EQ(v.encoding(), Encoding::kEmbstr) << s;
    EXPECT_EQ(Bytes(v), s);
  }
}

TEST(ValueTest, EmbstrUpTo44BytesThenRaw) {
  for (size_t n : {1u, 7u, 8u, 9u, 20u, 21u, 43u, 44u}) {
    std::string s(n, 'x');
    Value v = Value::String(s);
    EXPECT_EQ(v.encoding(), Encoding::kEmbstr) << n;
    EXPECT_EQ(Bytes(v), s);
    EXPECT_EQ(v.StringLength(), n);
  }
  std::string s45(45, 'y');
  Value v = Value::String(s45);
  EXPECT_EQ(v.encoding(), Encoding::kRaw);
  EXPECT_EQ(Bytes(v), s45);
  // A 45-digit number is not an integer either.
  EXPECT_EQ(Value::String(std::string(45, '1')).encoding(), Encoding::kRaw);
  EXPECT_EQ(Value::String(std::string(21, '1')).encoding(), Encoding::kEmbstr);
}

TEST(ValueTest, BinarySafe) {
  std::string s("a\0b\0c\xff", 6);
  EXPECT_EQ(Bytes(Value::String(s)), s);
  std::string long_s = s + std::string(100, '\0');
  EXPECT_EQ(Bytes(Value::String(long_s)), long_s);
}

TEST(ValueTest, RawStringIsAlwaysRaw) {
  EXPECT_EQ(Value::RawString("12").encoding(), Encoding::kRaw);
  EXPECT_EQ(Value::RawString("").encoding(), Encoding::kRaw);
  EXPECT_EQ(Bytes(Value::RawString("12")), "12");
  EXPECT_EQ(Value::RawString("").StringLength(), 0u);
}

TEST(ValueTest, IntFactory) {
  Value v = Value::Int(-42);
  EXPECT_TRUE(v.IsString());
  EXPECT_TRUE(v.IsInt());
  EXPECT_EQ(Bytes(v), "-42");
  EXPECT_EQ(v.StringLength(), 3u);
  EXPECT_EQ(v.MemoryUsage(), 0u);
}

TEST(ValueTest, EncodingNames) {
  EXPECT_STREQ(EncodingName(Encoding::kRaw), "raw");
  EXPECT_STREQ(EncodingName(Encoding::kInt), "int");
  EXPECT_STREQ(EncodingName(Encoding::kHashtable), "hashtable");
  EXPECT_STREQ(EncodingName(Encoding::kIntset), "intset");
  EXPECT_STREQ(EncodingName(Encoding::kSkiplist), "skiplist");
  EXPECT_STREQ(EncodingName(Encoding::kEmbstr), "embstr");
  EXPECT_STREQ(EncodingName(Encoding::kQuicklist), "quicklist");
  EXPECT_STREQ(EncodingName(Encoding::kStream), "stream");
  EXPECT_STREQ(EncodingName(Encoding::kListpack), "listpack");
  EXPECT_EQ(static_cast<int>(Encoding::kListpack), 11);
  EXPECT_EQ(static_cast<int>(ObjType::kStream), 6);
  EXPECT_STREQ(TypeName(ObjType::kZSet), "zset");
}

TEST(ValueTest, AppendConvertsToRawAndGrowsGeometrically) {
  Value v = Value::String("12");
  ASSERT_TRUE(v.IsInt());
  v.Append("3");
  EXPECT_EQ(v.encoding(), Encoding::kRaw);
  EXPECT_EQ(Bytes(v), "123");

  Value e = Value::String("hello");
  e.Append(" world");
  EXPECT_EQ(e.encoding(), Encoding::kRaw);
  EXPECT_EQ(Bytes(e), "hello world");

  // Appending one byte at a time reallocates O(log n) times, not n times.
  Value s = Value::RawString("");
  std::string expected;
  int reallocations = 0;
  size_t capacity = s.RawCapacity();
  for (int i = 0; i < 100000; ++i) {
    char c = static_cast<char>('a' + i % 26);
    s.Append(std::string_view(&c, 1));
    expected.push_back(c);
    if (s.RawCapacity() != capacity) {
      ++reallocations;
      capacity = s.RawCapacity();
    }
  }
  EXPECT_EQ(Bytes(s), expected);
  EXPECT_LT(reallocations, 40);
  EXPECT_GE(s.RawCapacity(), expected.size());
  s.TrimSpare();
  EXPECT_EQ(s.RawCapacity(), expected.size());
  EXPECT_EQ(Bytes(s), expected);
}

TEST(ValueTest, MutableBytesZeroFillsAndKeepsContent) {
  Value v = Value::String("abc");
  std::span<char> bytes = v.MutableBytes(6);
  ASSERT_EQ(bytes.size(), 6u);
  EXPECT_EQ(std::string(bytes.data(), 6), std::string("abc\0\0\0", 6));
  bytes[4] = 'z';
  EXPECT_EQ(Bytes(v), std::string("abc\0z\0", 6));
  // Shorter min_len does not truncate.
  EXPECT_EQ(v.MutableBytes(2).size(), 6u);

  Value n = Value::Int(7);
  std::span<char> nb = n.MutableBytes(0);
  ASSERT_EQ(nb.size(), 1u);
  nb[0] = '8';
  EXPECT_EQ(n.encoding(), Encoding::kRaw);
  EXPECT_EQ(Bytes(n), "8");

  // SETBIT-style growth far past the end.
  Value big = Value::RawString("x");
  EXPECT_EQ(big.MutableBytes(1 << 20).size(), size_t{1} << 20);
  EXPECT_EQ(Bytes(big)[0], 'x');
  EXPECT_EQ(Bytes(big)[(1 << 20) - 1], '\0');
}

TEST(ValueTest, MoveLeavesEmpty) {
  Value a = Value::String(std::string(100, 'q'));
  Value b = std::move(a);
  EXPECT_EQ(Bytes(b), std::string(100, 'q'));
  EXPECT_TRUE(a.IsInt());  // NOLINT(bugprone-use-after-move): documented state.
  EXPECT_EQ(a.int_value(), 0);
  a = std::move(b);
  EXPECT_EQ(Bytes(a), std::string(100, 'q'));
  a = Value::String("short");
  EXPECT_EQ(Bytes(a), "short");
}

TEST(ValueTest, CloneString) {
  for (std::string s : {std::string("42"), std::string("abc"), std::string(30, 'e'),
                        std::string(60, 'r')}) {
    Value v = Value::String(s);
    v.set_lru(99);
    Value c = v.CloneString();
    EXPECT_EQ(c.encoding(), v.encoding());
    EXPECT_EQ(Bytes(c), s);
    EXPECT_EQ(c.lru(), 99u);
  }
  Value raw = Value::RawString("5");
  EXPECT_EQ(raw.CloneString().encoding(), Encoding::kRaw);
}

TEST(ValueTest, CollectionOwnership) {
  int destroyed = 0;
  {
    Value v = Value::Object(ObjType::kHash, Encoding::kListpack,
                            std::make_unique<FakeCollection>(&destroyed));
    EXPECT_EQ(v.type(), ObjType::kHash);
    EXPECT_EQ(v.encoding(), Encoding::kListpack);
    EXPECT_EQ(v.MemoryUsage(), 1234u);
    EXPECT_NE(v.collection(), nullptr);
    v.ReplaceCollection(Encoding::kHashtable, std::make_unique<FakeCollection>(&destroyed));
    EXPECT_EQ(destroyed, 1);
    EXPECT_EQ(v.encoding(), Encoding::kHashtable);
    Value moved = std::move(v);
    EXPECT_EQ(destroyed, 1);
  }
  EXPECT_EQ(destroyed, 2);
}

TEST(ValueTest, MemoryUsage) {
  EXPECT_EQ(Value::String("abcdefgh").MemoryUsage(), 0u);  // Inline.
  EXPECT_EQ(Value::String("abcdefghi").MemoryUsage(), 10u);
  EXPECT_GE(Value::String(std::string(100, 'a')).MemoryUsage(), 100u);
}

}  // namespace
}  // namespace lodestone
