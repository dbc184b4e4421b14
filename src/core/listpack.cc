// Listpack byte format.
//
// One malloc'd block; multi-byte integers are little-endian unless noted.
//
//   block    := reserve? listpack
//   listpack := header entry*
//   reserve  := free[R - 4] R:u32                  only when total's top bit is set
//               R bytes before the header, R >= 4, free for Prepend to write
//               into (see "Front reserve" below).
//   header   := total:u32 count:u16               when count < 65535   (6 bytes)
//             | total:u32 0xFFFF count:u32         when count >= 65535 (10 bytes)
//               total (its low 31 bits) counts every byte from the header to
//               the end, header included, reserve excluded; its top bit says
//               whether a reserve precedes the header.
//   entry    := encoding backlen
//   encoding := 0xxxxxxx                          int 0..127 in the low 7 bits
//             | 10LLLLLL data[L]                  string, L = 0..63
//             | 110hhhhh lo:u8                    int -4096..4095: 13-bit two's
//                                                   complement, hhhhh the high bits
//             | 1110hhhh lo:u8 data[L]            string, L = 64..4095: L is
//                                                   hhhh (high) then lo
//             | 0xF0 L:u32 data[L]                string, L >= 4096
//             | 0xF1 v:i16                        int, 16-bit two's complement
//             | 0xF2 v:i24                        int, 24-bit
//             | 0xF3 v:i32                        int, 32-bit
//             | 0xF4 v:i64                        int, 64-bit
//               (0xF5-0xFF are unused; Redis ends its blob with 0xFF.)
//               An int always takes the shortest form that holds it, and a
//               string that string2ll accepts is always stored as an int.
//   backlen  := n = 1..5 bytes holding E, the encoding's size in bytes, so the
//               entry can be found from its end. n is 1 for E <= 127, 2 for
//               E < 16383, 3 for E < 2097151, 4 for E < 268435455, else 5.
//               The leftmost byte holds the highest 7-bit group of E with its
//               top bit clear; each byte to its right holds the next lower
//               group with its top bit set. Read right to left, a byte with
//               the top bit set means "more to the left".
//
// Front reserve. A list pushed at its head (LPUSH) inserts before the first
// entry, which in a plain block means moving every entry; in a quicklist
// head node of 8 KiB that memmove was most of LPUSH's own cost. Prepend
// therefore keeps free bytes in front of a listpack whose entries take
// kReserveMinEntryBytes or more: it moves the 6 or 10 header bytes left into
// the reserve and writes the entry behind them. When the reserve runs out,
// one copy into a new block makes a reserve of half the entries' size, so a
// push costs O(1) amortized. DeleteFirst (LPOP) turns the freed bytes into
// reserve the same way, and gives memory back once the reserve outgrows the
// entries. Only those two calls create or grow a reserve; every other
// modification keeps it as it is, and Clone and ShrinkToFit drop it.
// The reserve never changes an entry's bytes or Redis's view of the size
// (BytesUsed excludes it; ReserveBytes reports it for memory accounting).
//
// The encodings and back-lengths are exactly Redis's listpack.c, so an entry
// sequence moves between Redis's blob and ours unchanged. Our header differs:
// no 0xFF terminator (total bounds the entries), and a count that widens to
// 32 bits instead of saturating, so Size() stays O(1) at any length.
//
// Bytes per entry, backlen included:
//   int 0..127: 2; -4096..4095: 3; 16/24/32/64-bit range: 4/5/6/10.
//   string of L bytes: L + 2 for L <= 63; L + 3 for 64..125; L + 4 for
//   126..4095; L + 7 for 4096..16377; L + 8, 9 or 10 beyond.
#include "core/listpack.h"

#include <cassert>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

namespace lodestone {
namespace {

static_assert(sizeof(Listpack::Value) == 16);

constexpr size_t kSmallHeaderSize = 6;
constexpr size_t kLargeHeaderSize = 10;
constexpr uint16_t kWideCount = 0xFFFF;  // The u16 count field's escape value.
// The top bit of the header's total: a front reserve precedes the header.
constexpr uint32_t kReserveFlag = 0x80000000u;
// The reserve's own length, stored in its last 4 bytes.
constexpr size_t kReserveLengthBytes = 4;
// Entries smaller than this are cheap to move: no reserve.
constexpr size_t kReserveMinEntryBytes = 512;
constexpr size_t kRedisHeaderSize = 6;
constexpr uint8_t kRedisEof = 0xFF;
constexpr uint16_t kRedisUnknownCount = 0xFFFF;

constexpr uint8_t kStr6 = 0x80;
constexpr uint8_t kInt13 = 0xC0;
constexpr uint8_t kStr12 = 0xE0;
constexpr uint8_t kStr32 = 0xF0;
constexpr uint8_t kInt16 = 0xF1;
constexpr uint8_t kInt24 = 0xF2;
constexpr uint8_t kInt32 = 0xF3;
constexpr uint8_t kInt64 = 0xF4;

// An empty listpack that owns nothing. Never written: every modification
// allocates first (see Splice).
alignas(8) constexpr uint8_t kStaticEmpty[kSmallHeaderSize] = {kSmallHeaderSize, 0, 0, 0, 0, 0};

uint32_t Load32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}
uint16_t Load16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | p[1] << 8); }
void Store32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v >> 16);
  p[3] = static_cast<uint8_t>(v >> 24);
}
void Store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

// Little-endian unsigned read of `n` bytes.
uint64_t LoadN(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | p[i];
  return v;
}

// The low `bits` bits of `u` as a two's complement number.
int64_t SignExtend(uint64_t u, int bits) {
  const int unused = 64 - bits;
  return static_cast<int64_t>(u << unused) >> unused;
}

size_t HeaderSizeFor(size_t count) {
  return count < kWideCount ? kSmallHeaderSize : kLargeHeaderSize;
}

size_t BacklenSize(uint64_t encoding_bytes) {
  if (encoding_bytes <= 127) return 1;
  if (encoding_bytes < 16383) return 2;
  if (encoding_bytes < 2097151) return 3;
  if (encoding_bytes < 268435455) return 4;
  return 5;
}

void WriteBacklen(uint8_t* dst, uint64_t encoding_bytes) {
  const size_t n = BacklenSize(encoding_bytes);
  for (size_t i = 0; i < n; ++i) {
    const size_t shift = 7 * (n - 1 - i);
    uint8_t group = static_cast<uint8_t>((encoding_bytes >> shift) & 127);
    dst[i] = i == 0 ? group : static_cast<uint8_t>(group | 128);
  }
}

// Reads the backlen whose last byte is at `last`, right to left.
uint64_t ReadBacklen(const uint8_t* last) {
  uint64_t v = 0;
  int shift = 0;
  for (;;) {
    v |= static_cast<uint64_t>(*last & 127) << shift;
    if (!(*last & 128)) return v;
    shift += 7;
    --last;
  }
}

// Bytes in the encoding field's prefix (before any string data) given its
// first byte; 0 for a byte that starts no encoding.
size_t PrefixSize(uint8_t first) {
  if (first < 0x80) return 1;
  if (first < kInt13) return 1;  // 6-bit string.
  if (first < kStr12) return 2;  // 13-bit int.
  if (first < kStr32) return 2;  // 12-bit string.
  switch (first) {
    case kStr32:
      return 5;
    case kInt16:
      return 3;
    case kInt24:
      return 4;
    case kInt32:
      return 5;
    case kInt64:
      return 9;
    default:
      return 0;
  }
}

// Size of the encoding at `p` (prefix and string data, not the backlen).
// REQUIRES: p starts a valid encoding.
uint64_t EncodingSize(const uint8_t* p) {
  const uint8_t first = p[0];
  if (first < 0x80) return 1;
  if (first < kInt13) return 1 + (first & 0x3F);
  if (first < kStr12) return 2;
  if (first < kStr32) return 2 + ((uint64_t{first} & 0x0F) << 8 | p[1]);
  if (first == kStr32) return 5 + uint64_t{Load32(p + 1)};
  return PrefixSize(first);
}

size_t EntrySizeAt(const uint8_t* p) {
  const uint64_t e = EncodingSize(p);
  return static_cast<size_t>(e + BacklenSize(e));
}

const uint8_t* PrevEntry(const uint8_t* p) {
  const uint64_t e = ReadBacklen(p - 1);
  return p - (e + BacklenSize(e));
}

Listpack::Value DecodeAt(const uint8_t* p) {
  const uint8_t first = p[0];
  if (first < 0x80) return Listpack::Value(int64_t{first});
  if (first < kInt13) {
    return Listpack::Value(std::string_view(reinterpret_cast<const char*>(p + 1), first & 0x3F));
  }
  if (first < kStr12) return Listpack::Value(SignExtend((uint64_t{first} & 0x1F) << 8 | p[1], 13));
  if (first < kStr32) {
    const size_t len = (size_t{first} & 0x0F) << 8 | p[1];
    return Listpack::Value(std::string_view(reinterpret_cast<const char*>(p + 2), len));
  }
  switch (first) {
    case kStr32:
      return Listpack::Value(std::string_view(reinterpret_cast<const char*>(p + 5), Load32(p + 1)));
    case kInt16:
      return Listpack::Value(SignExtend(LoadN(p + 1, 2), 16));
    case kInt24:
      return Listpack::Value(SignExtend(LoadN(p + 1, 3), 24));
    case kInt32:
      return Listpack::Value(SignExtend(LoadN(p + 1, 4), 32));
    default:
      return Listpack::Value(static_cast<int64_t>(LoadN(p + 1, 8)));
  }
}

// One entry ready to be written: the prefix (all of it for an int), the
// string data, and the backlen.
struct Encoded {
  uint8_t prefix[9];
  uint8_t prefix_size;
  std::string_view data;

  uint64_t encoding_size() const { return prefix_size + data.size(); }
  size_t total() const {
    const uint64_t e = encoding_size();
    return static_cast<size_t>(e + BacklenSize(e));
  }
  uint8_t* WriteTo(uint8_t* dst) const {
    std::memcpy(dst, prefix, prefix_size);
    dst += prefix_size;
    if (!data.empty()) std::memcpy(dst, data.data(), data.size());
    dst += data.size();
    WriteBacklen(dst, encoding_size());
    return dst + BacklenSize(encoding_size());
  }
};

void EncodeInt(int64_t v, Encoded* out) {
  uint8_t* b = out->prefix;
  const uint64_t u = static_cast<uint64_t>(v);
  int bytes;  // Little-endian value bytes after the tag.
  if (v >= 0 && v <= 127) {
    b[0] = static_cast<uint8_t>(v);
    out->prefix_size = 1;
    return;
  } else if (v >= -4096 && v <= 4095) {
    const uint64_t low13 = u & 0x1FFF;
    b[0] = static_cast<uint8_t>(kInt13 | low13 >> 8);
    b[1] = static_cast<uint8_t>(low13);
    out->prefix_size = 2;
    return;
  } else if (v >= INT16_MIN && v <= INT16_MAX) {
    b[0] = kInt16;
    bytes = 2;
  } else if (v >= -(int64_t{1} << 23) && v < (int64_t{1} << 23)) {
    b[0] = kInt24;
    bytes = 3;
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    b[0] = kInt32;
    bytes = 4;
  } else {
    b[0] = kInt64;
    bytes = 8;
  }
  for (int i = 0; i < bytes; ++i) b[1 + i] = static_cast<uint8_t>(u >> (8 * i));
  out->prefix_size = static_cast<uint8_t>(1 + bytes);
}

Encoded Encode(Listpack::Value value) {
  Encoded out;
  out.data = {};
  int64_t v;
  if (value.is_int()) {
    EncodeInt(value.integer(), &out);
    return out;
  }
  const std::string_view s = value.bytes();
  if (ParseInt64(s, &v)) {
    EncodeInt(v, &out);
    return out;
  }
  const size_t len = s.size();
  assert(len <= UINT32_MAX);
  if (len < 64) {
    out.prefix[0] = static_cast<uint8_t>(kStr6 | len);
    out.prefix_size = 1;
  } else if (len < 4096) {
    out.prefix[0] = static_cast<uint8_t>(kStr12 | len >> 8);
    out.prefix[1] = static_cast<uint8_t>(len);
    out.prefix_size = 2;
  } else {
    out.prefix[0] = kStr32;
    Store32(out.prefix + 1, static_cast<uint32_t>(len));
    out.prefix_size = 5;
  }
  out.data = s;
  return out;
}

// Walks the entries in [p, end) checking that each encoding is known, fits,
// and ends with the back-length our encoder would write. Sets *count.
bool ValidateEntries(const uint8_t* p, const uint8_t* end, size_t* count) {
  size_t n = 0;
  while (p < end) {
    const size_t prefix = PrefixSize(p[0]);
    if (prefix == 0 || static_cast<size_t>(end - p) < prefix) return false;
    const uint64_t e = EncodingSize(p);
    const uint64_t backlen = BacklenSize(e);
    if (static_cast<uint64_t>(end - p) < e + backlen) return false;
    uint8_t expected[5];
    WriteBacklen(expected, e);
    if (std::memcmp(expected, p + e, backlen) != 0) return false;
    p += e + backlen;
    ++n;
  }
  *count = n;
  return true;
}

}  // namespace

// --- Value

std::string_view Listpack::Value::AsString(char (&buf)[kInt64BufferSize]) const {
  if (!is_int()) return bytes();
  return std::string_view(buf, FormatInt64(integer_, buf));
}

std::string Listpack::Value::ToString() const {
  return is_int() ? Int64ToString(integer_) : std::string(bytes());
}

bool Listpack::Value::Equals(std::string_view s) const {
  if (!is_int()) return bytes() == s;
  int64_t v;
  return ParseInt64(s, &v) && v == integer_;
}

bool operator==(const Listpack::Value& a, const Listpack::Value& b) {
  if (a.is_int() && b.is_int()) return a.integer() == b.integer();
  if (!a.is_int()) return b.Equals(a.bytes());
  return a.Equals(b.bytes());
}

// --- Iterator

Listpack::Value Listpack::Iterator::operator*() const { return DecodeAt(at_); }

Listpack::Iterator& Listpack::Iterator::operator++() {
  at_ += EntrySizeAt(at_);
  return *this;
}

Listpack::Iterator& Listpack::Iterator::operator--() {
  at_ = PrevEntry(at_);
  return *this;
}

// --- Listpack: lifetime

Listpack::Listpack() noexcept : data_(const_cast<uint8_t*>(kStaticEmpty)) {}

Listpack::~Listpack() { FreeBlock(); }

void Listpack::FreeBlock() {
  if (!IsStaticEmpty()) std::free(data_ - ReserveBytes());
}

Listpack::Listpack(Listpack&& other) noexcept : data_(other.data_) {
  other.data_ = const_cast<uint8_t*>(kStaticEmpty);
}

Listpack& Listpack::operator=(Listpack&& other) noexcept {
  if (this != &other) {
    FreeBlock();
    data_ = other.data_;
    other.data_ = const_cast<uint8_t*>(kStaticEmpty);
  }
  return *this;
}

Listpack Listpack::Clone() const {
  Listpack copy;
  if (IsStaticEmpty()) return copy;
  const size_t bytes = BytesUsed();
  copy.data_ = static_cast<uint8_t*>(std::malloc(bytes));
  if (copy.data_ == nullptr) std::abort();
  std::memcpy(copy.data_, data_, bytes);
  Store32(copy.data_, static_cast<uint32_t>(bytes));  // Without the reserve flag.
  return copy;
}

bool Listpack::IsStaticEmpty() const { return data_ == kStaticEmpty; }

// --- Header

size_t Listpack::Size() const {
  const uint16_t narrow = Load16(data_ + 4);
  return narrow != kWideCount ? narrow : Load32(data_ + 6);
}

size_t Listpack::BytesUsed() const { return Load32(data_) & ~kReserveFlag; }

size_t Listpack::ReserveBytes() const {
  return (Load32(data_) & kReserveFlag) ? Load32(data_ - kReserveLengthBytes) : 0;
}

void Listpack::StoreHeader(size_t total, size_t count, size_t reserve) {
  Store32(data_, static_cast<uint32_t>(total) | (reserve > 0 ? kReserveFlag : 0));
  if (reserve > 0) Store32(data_ - kReserveLengthBytes, static_cast<uint32_t>(reserve));
  if (HeaderSizeFor(count) == kSmallHeaderSize) {
    Store16(data_ + 4, static_cast<uint16_t>(count));
  } else {
    Store16(data_ + 4, kWideCount);
    Store32(data_ + 6, static_cast<uint32_t>(count));
  }
}

const uint8_t* Listpack::Entries() const {
  return data_ + (Load16(data_ + 4) != kWideCount ? kSmallHeaderSize : kLargeHeaderSize);
}

size_t Listpack::EntryBytesTotal() const { return data_ + BytesUsed() - Entries(); }

size_t Listpack::EntryBytes(Value value) { return Encode(value).total(); }

// --- Positions and reads

Listpack::Position Listpack::First() const { return Empty() ? Position() : Position(0); }

Listpack::Position Listpack::Last() const {
  if (Empty()) return Position();
  const uint8_t* end = data_ + BytesUsed();
  return Position(static_cast<uint32_t>(PrevEntry(end) - Entries()));
}

Listpack::Position Listpack::Next(Position p) const {
  const size_t next = p.offset_ + EntrySizeAt(Entries() + p.offset_);
  return next < EntryBytesTotal() ? Position(static_cast<uint32_t>(next)) : Position();
}

Listpack::Position Listpack::Prev(Position p) const {
  if (p.offset_ == 0) return Position();
  const uint8_t* entries = Entries();
  return Position(static_cast<uint32_t>(PrevEntry(entries + p.offset_) - entries));
}

Listpack::Position Listpack::Seek(int64_t index) const {
  const int64_t size = static_cast<int64_t>(Size());
  if (index < 0) index += size;
  if (index < 0 || index >= size) return Position();
  const uint8_t* entries = Entries();
  const uint8_t* p;
  if (index <= size / 2) {
    p = entries;
    for (int64_t i = 0; i < index; ++i) p += EntrySizeAt(p);
  } else {
    p = data_ + BytesUsed();
    for (int64_t i = size; i > index; --i) p = PrevEntry(p);
  }
  return Position(static_cast<uint32_t>(p - entries));
}

Listpack::Value Listpack::Get(Position p) const {
  assert(p);
  return DecodeAt(Entries() + p.offset_);
}

Listpack::Position Listpack::Find(std::string_view bytes, size_t skip) const {
  return Find(First(), bytes, skip);
}

Listpack::Position Listpack::Find(Position start, std::string_view bytes, size_t skip) const {
  if (!start) return Position();
  int64_t as_int;
  const bool parses = ParseInt64(bytes, &as_int);
  const uint8_t* entries = Entries();
  const uint8_t* end = data_ + BytesUsed();
  size_t to_skip = 0;
  for (const uint8_t* p = entries + start.offset_; p < end; p += EntrySizeAt(p)) {
    if (to_skip > 0) {
      --to_skip;
      continue;
    }
    to_skip = skip;
    const uint8_t first = p[0];
    // Strings are compared by bytes; ints only with a search term that
    // parses as one (Redis's lpFindCmp).
    const bool is_string = (first & 0xC0) == kStr6 || (first & 0xF0) == kStr12 || first == kStr32;
    if (is_string) {
      if (DecodeAt(p).bytes() == bytes) return Position(static_cast<uint32_t>(p - entries));
    } else if (parses && DecodeAt(p).integer() == as_int) {
      return Position(static_cast<uint32_t>(p - entries));
    }
  }
  return Position();
}

Listpack::Iterator Listpack::begin() const { return Iterator(Entries(), Entries()); }
Listpack::Iterator Listpack::end() const { return Iterator(Entries(), data_ + BytesUsed()); }

// --- Modifications

// The one primitive behind every modification. The block is laid out as
//   [header][prefix: offset][removed: remove_bytes][suffix]
// and becomes
//   [header'][prefix][inserted][suffix]
// where header' may be 4 bytes wider or narrower than header when the count
// crosses 65535. We grow the block before moving bytes right and shrink it
// after moving them left; the suffix moves before the prefix when the header
// widens (both shift right) and after it when the header narrows.
uint32_t Listpack::Splice(uint32_t offset, size_t remove_bytes, size_t remove_count,
                          std::span<const Value> values) {
  const size_t old_total = BytesUsed();
  const size_t old_header = Entries() - data_;
  const size_t old_count = Size();
  const size_t suffix = old_total - old_header - offset - remove_bytes;
  // Encode once; most calls insert one or two entries.
  Encoded inline_encoded[4];
  std::vector<Encoded> heap_encoded;
  Encoded* encoded = inline_encoded;
  if (values.size() > std::size(inline_encoded)) {
    heap_encoded.resize(values.size());
    encoded = heap_encoded.data();
  }
  size_t insert_bytes = 0;
  size_t aliased_bytes = 0;
  const uintptr_t block_begin = reinterpret_cast<uintptr_t>(data_);
  const uintptr_t block_end = block_begin + old_total;
  auto aliases = [&](std::string_view bytes) {
    const uintptr_t at = reinterpret_cast<uintptr_t>(bytes.data());
    return !bytes.empty() && at >= block_begin && at < block_end;
  };
  for (size_t i = 0; i < values.size(); ++i) {
    encoded[i] = Encode(values[i]);
    insert_bytes += encoded[i].total();
    if (aliases(encoded[i].data)) aliased_bytes += encoded[i].data.size();
  }
  // A value read from this listpack (LSET l 0 <an element of l>, RPOPLPUSH l
  // l) would move under us: copy such payloads out first. The reserve keeps
  // the copies from moving while we append.
  std::string aliased_copy;
  if (aliased_bytes > 0) {
    aliased_copy.reserve(aliased_bytes);
    for (size_t i = 0; i < values.size(); ++i) {
      if (!aliases(encoded[i].data)) continue;
      const size_t at = aliased_copy.size();
      aliased_copy.append(encoded[i].data);
      encoded[i].data = std::string_view(aliased_copy.data() + at, encoded[i].data.size());
    }
  }
  const size_t new_count = old_count - remove_count + values.size();
  if (new_count == 0) {
    Clear();
    return 0;
  }
  const size_t new_header = HeaderSizeFor(new_count);
  const size_t new_total = new_header + offset + insert_bytes + suffix;
  assert(new_total < kReserveFlag);
  // A front reserve stays as it is: the block grows and shrinks at its end.
  const size_t reserve = ReserveBytes();

  if (IsStaticEmpty()) {
    data_ = static_cast<uint8_t*>(std::malloc(new_total));
    if (data_ == nullptr) std::abort();
  } else if (new_total > old_total) {
    uint8_t* grown = static_cast<uint8_t*>(std::realloc(data_ - reserve, reserve + new_total));
    if (grown == nullptr) std::abort();
    data_ = grown + reserve;
  }
  // (A fresh block has no prefix or suffix, so these moves copy nothing.)
  uint8_t* old_suffix = data_ + old_header + offset + remove_bytes;
  uint8_t* new_suffix = data_ + new_header + offset + insert_bytes;
  if (new_header >= old_header) {
    if (suffix > 0) std::memmove(new_suffix, old_suffix, suffix);
    if (new_header != old_header) std::memmove(data_ + new_header, data_ + old_header, offset);
  } else {
    std::memmove(data_ + new_header, data_ + old_header, offset);
    if (suffix > 0) std::memmove(new_suffix, old_suffix, suffix);
  }
  if (new_total < old_total) {
    uint8_t* shrunk = static_cast<uint8_t*>(std::realloc(data_ - reserve, reserve + new_total));
    if (shrunk == nullptr) std::abort();
    data_ = shrunk + reserve;
  }

  uint8_t* dst = data_ + new_header + offset;
  for (size_t i = 0; i < values.size(); ++i) dst = encoded[i].WriteTo(dst);
  StoreHeader(new_total, new_count, reserve);
  return offset;
}

void Listpack::Append(Value value) {
  Splice(static_cast<uint32_t>(EntryBytesTotal()), 0, 0, std::span<const Value>(&value, 1));
}

void Listpack::Append(std::span<const Value> values) {
  if (values.empty()) return;
  Splice(static_cast<uint32_t>(EntryBytesTotal()), 0, 0, values);
}

// See "Front reserve" at the top of this file.
void Listpack::Prepend(Value value) {
  const size_t count = Size();
  const size_t reserve = ReserveBytes();
  const size_t header = HeaderSizeFor(count);
  if (reserve == 0 && (IsStaticEmpty() || EntryBytesTotal() < kReserveMinEntryBytes)) {
    Splice(0, 0, 0, std::span<const Value>(&value, 1));
    return;
  }
  // `value` may view into the entries: neither path below writes over them
  // before it has been copied.
  const Encoded encoded = Encode(value);
  const size_t added = encoded.total();
  const size_t total = BytesUsed() + added;
  if (HeaderSizeFor(count + 1) == header && reserve >= added + kReserveLengthBytes) {
    // The header moves left by the entry's size; the entry fills the gap.
    uint8_t* const fresh = data_ - added;
    std::memmove(fresh, data_, header);
    data_ = fresh;
    encoded.WriteTo(data_ + header);
    StoreHeader(total, count + 1, reserve - added);
    return;
  }
  // A new block with a reserve of half the entries' size.
  const size_t entry_bytes = EntryBytesTotal();
  const size_t new_header = HeaderSizeFor(count + 1);
  const size_t new_total = total - header + new_header;
  const size_t new_reserve = kReserveLengthBytes + entry_bytes / 2;
  uint8_t* const block = static_cast<uint8_t*>(std::malloc(new_reserve + new_total));
  if (block == nullptr) std::abort();
  uint8_t* const fresh = block + new_reserve;
  std::memcpy(fresh + new_header + added, Entries(), entry_bytes);
  encoded.WriteTo(fresh + new_header);
  FreeBlock();
  data_ = fresh;
  StoreHeader(new_total, count + 1, new_reserve);
}

// See "Front reserve" at the top of this file.
void Listpack::DeleteFirst(size_t count) {
  if (count == 0 || Empty()) return;
  const uint8_t* const entries = Entries();
  const uint8_t* const end = data_ + BytesUsed();
  const uint8_t* q = entries;
  size_t removed = 0;
  for (; removed < count && q < end; ++removed) q += EntrySizeAt(q);
  const size_t removed_bytes = static_cast<size_t>(q - entries);
  const size_t remaining_bytes = static_cast<size_t>(end - q);
  const size_t new_count = Size() - removed;
  const size_t header = static_cast<size_t>(entries - data_);
  const size_t reserve = ReserveBytes();
  const size_t new_reserve = reserve + removed_bytes;
  const bool keep_bytes = new_count > 0 && HeaderSizeFor(new_count) == header &&
                          new_reserve >= kReserveLengthBytes &&
                          (reserve > 0 || remaining_bytes >= kReserveMinEntryBytes);
  if (!keep_bytes) {
    Splice(0, removed_bytes, removed, {});
    return;
  }
  const size_t new_total = BytesUsed() - removed_bytes;
  uint8_t* const fresh = data_ + removed_bytes;
  std::memmove(fresh, data_, header);
  data_ = fresh;
  StoreHeader(new_total, new_count, new_reserve);
  // Memory goes back once the reserve outgrows what it serves.
  if (new_reserve > kReserveLengthBytes + std::max(remaining_bytes, kReserveMinEntryBytes)) {
    ShrinkToFit();
  }
}

void Listpack::ShrinkToFit() {
  if (ReserveBytes() == 0) return;
  Listpack exact = Clone();
  *this = std::move(exact);
}

Listpack::Position Listpack::Insert(Position p, Where where, Value value) {
  assert(p);
  uint32_t offset = p.offset_;
  if (where == Where::kAfter) offset += static_cast<uint32_t>(EntrySizeAt(Entries() + offset));
  return Position(Splice(offset, 0, 0, std::span<const Value>(&value, 1)));
}

void Listpack::InsertAt(size_t index, Value value) {
  assert(index <= Size());
  if (index == Size()) {
    Append(value);
  } else {
    Insert(Seek(static_cast<int64_t>(index)), Where::kBefore, value);
  }
}

Listpack::Position Listpack::Replace(Position p, Value value) {
  assert(p);
  const size_t old_size = EntrySizeAt(Entries() + p.offset_);
  return Position(Splice(p.offset_, old_size, 1, std::span<const Value>(&value, 1)));
}

Listpack::Position Listpack::Delete(Position p, size_t count) {
  assert(p);
  const uint8_t* entries = Entries();
  const uint8_t* end = data_ + BytesUsed();
  const uint8_t* q = entries + p.offset_;
  size_t removed = 0;
  for (; removed < count && q < end; ++removed) q += EntrySizeAt(q);
  const uint32_t offset = p.offset_;
  Splice(offset, static_cast<size_t>(q - (entries + offset)), removed, {});
  return offset < EntryBytesTotal() ? Position(offset) : Position();
}

void Listpack::DeleteRange(int64_t index, size_t count) {
  if (count == 0) return;
  const Position p = Seek(index);
  if (p) Delete(p, count);
}

void Listpack::Clear() {
  FreeBlock();
  data_ = const_cast<uint8_t*>(kStaticEmpty);
}

// --- Redis's blob

std::string Listpack::ToRedisFormat() const {
  const size_t entry_bytes = EntryBytesTotal();
  const size_t count = Size();
  std::string blob(kRedisHeaderSize + entry_bytes + 1, '\0');
  uint8_t* out = reinterpret_cast<uint8_t*>(blob.data());
  Store32(out, static_cast<uint32_t>(blob.size()));
  Store16(out + 4, count < kRedisUnknownCount ? static_cast<uint16_t>(count) : kRedisUnknownCount);
  if (entry_bytes > 0) std::memcpy(out + kRedisHeaderSize, Entries(), entry_bytes);
  out[blob.size() - 1] = kRedisEof;
  return blob;
}

std::optional<Listpack> Listpack::FromRedisFormat(std::string_view blob) {
  const uint8_t* in = reinterpret_cast<const uint8_t*>(blob.data());
  if (blob.size() < kRedisHeaderSize + 1 || blob.size() > kMaxBytes) return std::nullopt;
  if (Load32(in) != blob.size() || in[blob.size() - 1] != kRedisEof) return std::nullopt;
  const uint8_t* entries = in + kRedisHeaderSize;
  const uint8_t* end = in + blob.size() - 1;
  size_t count;
  if (!ValidateEntries(entries, end, &count)) return std::nullopt;
  const uint16_t header_count = Load16(in + 4);
  if (header_count != kRedisUnknownCount && header_count != count) return std::nullopt;

  Listpack lp;
  if (count == 0) return lp;
  const size_t entry_bytes = static_cast<size_t>(end - entries);
  const size_t header = HeaderSizeFor(count);
  lp.data_ = static_cast<uint8_t*>(std::malloc(header + entry_bytes));
  if (lp.data_ == nullptr) std::abort();
  Store32(lp.data_, static_cast<uint32_t>(header + entry_bytes));
  if (header == kSmallHeaderSize) {
    Store16(lp.data_ + 4, static_cast<uint16_t>(count));
  } else {
    Store16(lp.data_ + 4, kWideCount);
    Store32(lp.data_ + 6, static_cast<uint32_t>(count));
  }
  std::memcpy(lp.data_ + header, entries, entry_bytes);
  return lp;
}

bool Listpack::CheckConsistency() const {
  const size_t total = BytesUsed();
  const size_t count = Size();
  if (total < kSmallHeaderSize) return false;
  if ((Load32(data_) & kReserveFlag) && ReserveBytes() < kReserveLengthBytes) return false;
  if (HeaderSizeFor(count) != static_cast<size_t>(Entries() - data_)) return false;
  if (IsStaticEmpty() != (count == 0)) return false;
  size_t forward;
  if (!ValidateEntries(Entries(), data_ + total, &forward) || forward != count) return false;
  size_t backward = 0;
  const uint8_t* p = data_ + total;
  for (; p > Entries(); p = PrevEntry(p)) ++backward;
  return p == Entries() && backward == count;
}

}  // namespace lodestone
