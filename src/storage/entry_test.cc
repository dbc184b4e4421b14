// Entry: key and embstr bytes in one block, value replacement, moving a tail
// string out of its entry.
#include "storage/entry.h"

#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <utility>

namespace lodestone {
namespace {

std::string Bytes(const Value& v) {
  char scratch[kValueScratchSize];
  return std::string(v.StringBytes(scratch));
}

struct EntryDeleter {
  void operator()(Entry* e) const { Entry::Destroy(e); }
};
using EntryPtr = std::unique_ptr<Entry, EntryDeleter>;

TEST(EntryTest, HeaderIs32Bytes) { EXPECT_EQ(sizeof(Entry), 32u); }

TEST(EntryTest, EmbstrLivesInTheBlock) {
  const std::string key = "key:000000000001";
  const std::string value = "value:0000000001";
  for (bool from_value : {false, true}) {
    EntryPtr e(from_value ? Entry::Create(key, Value::String(value))
                          : Entry::CreateString(key, value));
    EXPECT_EQ(e->key(), key);
    EXPECT_EQ(e->value.encoding(), Encoding::kEmbstr);
    EXPECT_EQ(Bytes(e->value), value);
    EXPECT_EQ(e->value.StringLength(), value.size());
    EXPECT_FALSE(e->has_expire());
    // The value's bytes are the block's: nothing else on the heap.
    EXPECT_EQ(e->MemoryUsage(), sizeof(Entry) + key.size() + value.size());
    char scratch[kValueScratchSize];
    const char* bytes = e->value.StringBytes(scratch).data();
    EXPECT_EQ(bytes, reinterpret_cast<const char*>(e.get()) + sizeof(Entry) + key.size());
  }
}

TEST(EntryTest, EncodingsMatchValueString) {
  const std::initializer_list<std::string> strings = {
      "", "1", "12345678", "abcdefgh", "abcdefghi", "123456789012", "-9223372036854775808",
      "00123456789", std::string(44, 'x'), std::string(45, 'y'), std::string(200, '7')};
  for (const std::string& s : strings) {
    EntryPtr e(Entry::CreateString("k", s));
    Value reference = Value::String(s);
    EXPECT_EQ(e->value.encoding(), reference.encoding()) << s;
    EXPECT_EQ(Bytes(e->value), s);
    EXPECT_EQ(e->value.StringLength(), s.size());
  }
}

TEST(EntryTest, AssignReusesTheTailWhenItFits) {
  EntryPtr e(Entry::CreateString("key", std::string(40, 'a')));
  const size_t block = e->MemoryUsage();
  e->AssignString(std::string(20, 'b'));
  EXPECT_EQ(Bytes(e->value), std::string(20, 'b'));
  EXPECT_EQ(e->MemoryUsage(), block - 20);  // in the tail: no heap buffer
  e->AssignValue(Value::String(std::string(30, 'c')));
  EXPECT_EQ(Bytes(e->value), std::string(30, 'c'));
  EXPECT_EQ(e->MemoryUsage(), block - 10);
  // Other encodings, then an embstr again.
  e->AssignString("12345");
  EXPECT_TRUE(e->value.IsInt());
  e->AssignString(std::string(100, 'r'));
  EXPECT_EQ(e->value.encoding(), Encoding::kRaw);
  EXPECT_EQ(Bytes(e->value), std::string(100, 'r'));
  e->AssignString(std::string(39, 'd'));
  EXPECT_EQ(e->value.encoding(), Encoding::kEmbstr);
  EXPECT_EQ(Bytes(e->value), std::string(39, 'd'));
  EXPECT_EQ(e->key(), "key");
}

TEST(EntryTest, AssignTooLongForTheTailGoesToTheHeap) {
  EntryPtr e(Entry::CreateString("key", "short"));
  e->AssignString(std::string(44, 'z'));
  EXPECT_EQ(e->value.encoding(), Encoding::kEmbstr);
  EXPECT_EQ(Bytes(e->value), std::string(44, 'z'));
  EXPECT_EQ(e->key(), "key");
  e->AssignValue(Value::String(std::string(43, 'w')));
  EXPECT_EQ(Bytes(e->value), std::string(43, 'w'));
}

TEST(EntryTest, AssignFromItsOwnBytes) {
  char scratch[kValueScratchSize];
  // From the tail into the same tail (overlapping copies).
  EntryPtr e(Entry::CreateString("key", "0123456789abcdefghij"));
  e->AssignString(e->value.StringBytes(scratch).substr(3));
  EXPECT_EQ(Bytes(e->value), "3456789abcdefghij");
  // From a heap embstr into the tail.
  EntryPtr f(Entry::CreateString("key", "short"));
  f->AssignValue(Value::String(std::string(40, 'h')));
  EntryPtr g(Entry::CreateString("key", std::string(40, 'g')));
  g->AssignValue(Value::String("x"));  // g's tail now unused, 40 bytes of room
  g->AssignValue(std::move(f->value));
  g->AssignString(g->value.StringBytes(scratch).substr(1));
  EXPECT_EQ(Bytes(g->value), std::string(39, 'h'));
  // From a raw buffer.
  EntryPtr h(Entry::CreateString("key", std::string(30, 'r')));
  h->value.Append("!");
  h->AssignString(h->value.StringBytes(scratch).substr(0, 12));
  EXPECT_EQ(Bytes(h->value), std::string(12, 'r'));
}

TEST(EntryTest, MovingATailStringOutCopiesIt) {
  const std::string value = "a value of 26 bytes here!!";
  EntryPtr e(Entry::CreateString("key", value));
  Value moved = std::move(e->value);
  EXPECT_TRUE(e->value.IsInt());  // moved-from
  e.reset();
  EXPECT_EQ(moved.encoding(), Encoding::kEmbstr);
  EXPECT_EQ(Bytes(moved), value);
  EXPECT_EQ(moved.MemoryUsage(), 1 + value.size());

  EntryPtr f(Entry::CreateString("other", value));
  Value assigned = Value::String("x");
  assigned = std::move(f->value);
  f.reset();
  EXPECT_EQ(Bytes(assigned), value);
  // And into another entry's tail.
  EntryPtr g(Entry::Create("third", std::move(assigned)));
  EXPECT_EQ(Bytes(g->value), value);
  EXPECT_EQ(g->MemoryUsage(), sizeof(Entry) + 5 + value.size());
}

TEST(EntryTest, EditsAndClonesOfATailString) {
  EntryPtr e(Entry::CreateString("key", "0123456789abcdef"));
  Value copy = e->value.CloneString();
  EXPECT_EQ(copy.encoding(), Encoding::kEmbstr);
  EXPECT_EQ(Bytes(copy), "0123456789abcdef");
  EXPECT_EQ(e->value.Append("!"), 17u);
  EXPECT_EQ(e->value.encoding(), Encoding::kRaw);
  EXPECT_EQ(Bytes(e->value), "0123456789abcdef!");
  EntryPtr f(Entry::CreateString("key", "0123456789abcdef"));
  std::span<char> bytes = f->value.MutableBytes(20);
  bytes[0] = 'X';
  EXPECT_EQ(Bytes(f->value), std::string("X123456789abcdef\0\0\0\0", 20));
}

}  // namespace
}  // namespace lodestone
