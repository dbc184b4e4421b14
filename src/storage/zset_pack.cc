// ZSetPack byte format.
//
//   block   := payload_size:varint payload
//   payload := count:varint pair{count}
//   pair    := shared:u8 head:u8 [suffix_extra:varint] suffix score_bytes
//              shared     leading bytes this member has in common with the
//                         previous pair's member (0 for the first pair);
//                         always the full common prefix, capped at 255
//              head       high nibble: the score's tag; low nibble: the
//                         suffix length, or 15 meaning 15 + suffix_extra
//              suffix     the member's bytes after the shared prefix
//   tag     := 0          score +0.0, no bytes
//            | 1..8       an integral score in that many bytes, little-endian
//                         two's complement (integral values of magnitude up
//                         to 2^53, except -0.0, which are exact as int64)
//            | 9          any other score: its 8 IEEE-754 bytes, little-endian
//            | 10..15     an integral score that is the previous pair's
//                         (integral) score plus an unsigned distance held in
//                         tag - 10 bytes, little-endian; used when shorter
//                         than the absolute form (equal scores take no bytes)
//   varint  := LEB128, 7 bits per byte, low group first, high bit = more
//
// Pairs are in strictly ascending (score, member) order, member bytes
// compared as memcmp with the shorter first. There is no terminator; the
// payload size bounds the pairs. Example: members "member:000000010" and
// "member:000000011" with scores 100000 and 100001 take 22 and 4 bytes.
#include "storage/zset_pack.h"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>

namespace lodestone {
namespace {

constexpr uint8_t kTagDouble = 9;
constexpr uint8_t kTagDelta = 10;  // 10..15: a distance of 0..5 bytes
constexpr uint8_t kMaxDeltaBytes = 5;
constexpr size_t kMaxShared = 255;
constexpr size_t kInlineSuffix = 15;
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

uint8_t* WriteVarint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}

void AppendVarint(std::string* out, uint64_t v) {
  uint8_t buf[10];
  uint8_t* end = WriteVarint(buf, v);
  out->append(reinterpret_cast<const char*>(buf), static_cast<size_t>(end - buf));
}

const uint8_t* ReadVarint(const uint8_t* p, uint64_t* v) {
  uint64_t result = 0;
  int shift = 0;
  while (*p & 0x80) {
    result |= uint64_t{*p++ & 0x7fu} << shift;
    shift += 7;
  }
  result |= uint64_t{*p++} << shift;
  *v = result;
  return p;
}

size_t CommonPrefix(std::string_view a, std::string_view b) {
  size_t n = std::min({a.size(), b.size(), kMaxShared});
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// Whether `v` is an integer that int64 holds exactly (|v| <= 2^53, not -0.0).
bool ExactInteger(double v, int64_t* out) {
  if (!(v >= -kMaxExactInteger && v <= kMaxExactInteger) || (v == 0 && std::signbit(v))) {
    return false;
  }
  auto i = static_cast<int64_t>(v);
  if (static_cast<double>(i) != v) return false;
  *out = i;
  return true;
}

size_t PayloadBytes(uint8_t tag) {
  if (tag <= 8) return tag;
  return tag == kTagDouble ? 8 : tag - kTagDelta;
}

// The tag and bytes of a score; `previous` is the previous pair's score, if
// there is one. An integral score takes the shorter of its absolute form and
// its distance from an integral previous score.
uint8_t EncodeScore(double score, const double* previous, uint8_t* bytes) {
  int64_t v;
  if (!ExactInteger(score, &v)) {
    uint64_t bits = std::bit_cast<uint64_t>(score);
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<uint8_t>(bits >> (8 * i));
    return kTagDouble;
  }
  uint8_t n = 0;
  if (v != 0) {
    n = 1;
    while (n < 8) {
      int64_t limit = int64_t{1} << (8 * n - 1);
      if (v >= -limit && v < limit) break;
      ++n;
    }
  }
  int64_t p;
  if (previous != nullptr && n > 0 && ExactInteger(*previous, &p) && v >= p) {
    auto delta = static_cast<uint64_t>(v - p);
    uint8_t d = 0;
    while (d < 8 && (delta >> (8 * d)) != 0) ++d;
    if (d < n && d <= kMaxDeltaBytes) {
      for (uint8_t i = 0; i < d; ++i) bytes[i] = static_cast<uint8_t>(delta >> (8 * i));
      return static_cast<uint8_t>(kTagDelta + d);
    }
  }
  auto u = static_cast<uint64_t>(v);
  for (uint8_t i = 0; i < n; ++i) bytes[i] = static_cast<uint8_t>(u >> (8 * i));
  return n;
}

const uint8_t* DecodeScore(const uint8_t* p, uint8_t tag, double previous, double* score) {
  size_t n = PayloadBytes(tag);
  uint64_t u = 0;
  for (size_t i = 0; i < n; ++i) u |= uint64_t{p[i]} << (8 * i);
  if (tag == kTagDouble) {
    *score = std::bit_cast<double>(u);
  } else if (tag >= kTagDelta) {
    *score = static_cast<double>(static_cast<int64_t>(previous) + static_cast<int64_t>(u));
  } else if (n == 0) {
    *score = 0;
  } else {
    int shift = static_cast<int>(64 - 8 * n);
    *score = static_cast<double>(static_cast<int64_t>(u << shift) >> shift);
  }
  return p + n;
}

// The pair before the one being encoded ("none" for the first pair).
struct Previous {
  std::string_view member;
  double score = 0;
  bool exists = false;
};

// Appends the encoding of (member, score) following `previous`.
void AppendPair(std::string* out, const Previous& previous, std::string_view member,
                double score) {
  size_t shared = CommonPrefix(previous.member, member);
  size_t suffix = member.size() - shared;
  uint8_t score_bytes[8];
  uint8_t tag = EncodeScore(score, previous.exists ? &previous.score : nullptr, score_bytes);
  out->push_back(static_cast<char>(shared));
  out->push_back(static_cast<char>((tag << 4) | std::min(suffix, kInlineSuffix)));
  if (suffix >= kInlineSuffix) AppendVarint(out, suffix - kInlineSuffix);
  out->append(member.data() + shared, suffix);
  out->append(reinterpret_cast<const char*>(score_bytes), PayloadBytes(tag));
}

bool PairBefore(double a_score, std::string_view a_member, double b_score,
                std::string_view b_member) {
  return a_score < b_score || (a_score == b_score && CompareMembers(a_member, b_member) < 0);
}

}  // namespace

// ---- Cursor -------------------------------------------------------------------

ZSetPack::Cursor::Cursor(const ZSetPack& pack)
    : begin_(pack.PairsBegin()), p_(begin_), end_(pack.PairsEnd()) {}

bool ZSetPack::Cursor::Next() {
  if (p_ >= end_) return false;
  offset_ = static_cast<size_t>(p_ - begin_);
  size_t shared = *p_++;
  uint8_t head = *p_++;
  size_t suffix = head & 0x0f;
  if (suffix == kInlineSuffix) {
    uint64_t extra;
    p_ = ReadVarint(p_, &extra);
    suffix += extra;
  }
  std::swap(previous_, current_);
  current_.assign(previous_.data(), shared);
  current_.append(reinterpret_cast<const char*>(p_), suffix);
  p_ += suffix;
  previous_score_ = score_;
  p_ = DecodeScore(p_, head >> 4, previous_score_, &score_);
  ++rank_;
  return true;
}

// ---- Builder ------------------------------------------------------------------

void ZSetPack::Builder::Add(std::string_view member, double score) {
  AppendPair(&pairs_, Previous{previous_, previous_score_, count_ > 0}, member, score);
  previous_.assign(member);
  previous_score_ = score;
  ++count_;
}

ZSetPack ZSetPack::Builder::Finish() {
  if (count_ == 0) return ZSetPack();
  ZSetPack pack(NewBlock(pairs_, count_));
  pairs_.clear();
  previous_.clear();
  count_ = 0;
  return pack;
}

// ---- Lifetime -----------------------------------------------------------------

ZSetPack::~ZSetPack() { std::free(data_); }

ZSetPack& ZSetPack::operator=(ZSetPack&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = other.data_;
    other.data_ = nullptr;
  }
  return *this;
}

ZSetPack ZSetPack::Clone() const {
  if (data_ == nullptr) return ZSetPack();
  size_t n = BytesUsed();
  auto* copy = static_cast<uint8_t*>(std::malloc(n));
  if (copy == nullptr) throw std::bad_alloc();
  std::memcpy(copy, data_, n);
  return ZSetPack(copy);
}

uint8_t* ZSetPack::NewBlock(std::string_view pairs, size_t count) {
  size_t payload = VarintLength(count) + pairs.size();
  size_t total = VarintLength(payload) + payload;
  auto* block = static_cast<uint8_t*>(std::malloc(total));
  if (block == nullptr) throw std::bad_alloc();
  uint8_t* p = WriteVarint(block, payload);
  p = WriteVarint(p, count);
  if (!pairs.empty()) std::memcpy(p, pairs.data(), pairs.size());
  return block;
}

// ---- Header -------------------------------------------------------------------

size_t ZSetPack::Size() const {
  if (data_ == nullptr) return 0;
  uint64_t payload, count;
  ReadVarint(ReadVarint(data_, &payload), &count);
  return static_cast<size_t>(count);
}

size_t ZSetPack::BytesUsed() const {
  if (data_ == nullptr) return 0;
  uint64_t payload;
  const uint8_t* p = ReadVarint(data_, &payload);
  return static_cast<size_t>(p - data_) + static_cast<size_t>(payload);
}

bool ZSetPack::SafeToAdd(size_t member_size) const {
  // A pair is at most 2 + 10 + member + 8 bytes, and the header may grow.
  return BytesUsed() + member_size + 40 <= kMaxBytes;
}

const uint8_t* ZSetPack::PairsBegin() const {
  if (data_ == nullptr) return nullptr;
  uint64_t payload, count;
  return ReadVarint(ReadVarint(data_, &payload), &count);
}

const uint8_t* ZSetPack::PairsEnd() const {
  if (data_ == nullptr) return nullptr;
  uint64_t payload;
  const uint8_t* p = ReadVarint(data_, &payload);
  return p + payload;
}

void ZSetPack::Splice(size_t from, size_t to, std::string_view replacement, int64_t count_delta) {
  const uint8_t* begin = PairsBegin();
  size_t old_len = data_ == nullptr ? 0 : static_cast<size_t>(PairsEnd() - begin);
  size_t count = static_cast<size_t>(static_cast<int64_t>(Size()) + count_delta);
  if (count == 0) {
    std::free(data_);
    data_ = nullptr;
    return;
  }
  size_t pairs_len = from + replacement.size() + (old_len - to);
  size_t payload = VarintLength(count) + pairs_len;
  size_t total = VarintLength(payload) + payload;
  auto* block = static_cast<uint8_t*>(std::malloc(total));
  if (block == nullptr) throw std::bad_alloc();
  uint8_t* p = WriteVarint(block, payload);
  p = WriteVarint(p, count);
  if (from > 0) std::memcpy(p, begin, from);
  p += from;
  if (!replacement.empty()) std::memcpy(p, replacement.data(), replacement.size());
  p += replacement.size();
  if (old_len > to) std::memcpy(p, begin + to, old_len - to);
  std::free(data_);
  data_ = block;
}

// ---- Reads --------------------------------------------------------------------

bool ZSetPack::Find(std::string_view member, double* score, size_t* rank) const {
  Cursor c(*this);
  while (c.Next()) {
    if (c.member() == member) {
      if (score != nullptr) *score = c.score();
      if (rank != nullptr) *rank = c.rank();
      return true;
    }
  }
  return false;
}

bool ZSetPack::RanksIn(const ScoreRange& range, size_t* first, size_t* last) const {
  if (range.IsEmpty()) return false;
  Cursor c(*this);
  bool found = false;
  while (c.Next()) {
    if (!found) {
      if (!range.GteMin(c.score())) continue;
      if (!range.LteMax(c.score())) return false;
      found = true;
      *first = *last = c.rank();
    } else if (range.LteMax(c.score())) {
      *last = c.rank();
    } else {
      break;
    }
  }
  return found;
}

bool ZSetPack::RanksIn(const LexRange& range, size_t* first, size_t* last) const {
  if (range.IsEmpty()) return false;
  Cursor c(*this);
  bool found = false;
  while (c.Next()) {
    if (!found) {
      if (!range.GteMin(c.member())) continue;
      if (!range.LteMax(c.member())) return false;
      found = true;
      *first = *last = c.rank();
    } else if (range.LteMax(c.member())) {
      *last = c.rank();
    } else {
      break;
    }
  }
  return found;
}

// ---- Changes ------------------------------------------------------------------

void ZSetPack::Insert(std::string_view member, double score) {
  Cursor c(*this);
  std::string replacement;
  while (c.Next()) {
    if (PairBefore(score, member, c.score(), c.member())) {
      AppendPair(&replacement, Previous{c.previous_member(), c.previous_score(), c.rank() > 0},
                 member, score);
      AppendPair(&replacement, Previous{member, score, true}, c.member(), c.score());
      Splice(c.offset(), c.next_offset(), replacement, 1);
      return;
    }
  }
  // After the last pair: c.member() still holds it (or "" when empty).
  AppendPair(&replacement, Empty() ? Previous{} : Previous{c.member(), c.score(), true}, member,
             score);
  size_t end = c.next_offset();
  Splice(end, end, replacement, 1);
}

bool ZSetPack::Remove(std::string_view member) {
  Cursor c(*this);
  while (c.Next()) {
    if (c.member() != member) continue;
    size_t from = c.offset();
    size_t to = c.next_offset();
    std::string previous(c.previous_member());
    Previous before{previous, c.previous_score(), c.rank() > 0};
    std::string replacement;
    if (c.Next()) {
      AppendPair(&replacement, before, c.member(), c.score());
      to = c.next_offset();
    }
    Splice(from, to, replacement, -1);
    return true;
  }
  return false;
}

void ZSetPack::RemoveRanks(size_t first, size_t last) {
  assert(first <= last && last < Size());
  Cursor c(*this);
  while (c.Next() && c.rank() < first) {
  }
  size_t from = c.offset();
  std::string previous(c.previous_member());
  Previous before{previous, c.previous_score(), first > 0};
  while (c.rank() < last) c.Next();
  size_t to = c.next_offset();
  std::string replacement;
  if (c.Next()) {
    AppendPair(&replacement, before, c.member(), c.score());
    to = c.next_offset();
  }
  Splice(from, to, replacement, -static_cast<int64_t>(last - first + 1));
}

bool ZSetPack::CheckConsistency() const {
  if (data_ == nullptr) return true;
  Builder rebuilt;
  size_t n = 0;
  bool ordered = true;
  std::string previous;
  double previous_score = 0;
  ForEach([&](std::string_view member, double score) {
    if (std::isnan(score)) ordered = false;
    if (n > 0 && !PairBefore(previous_score, previous, score, member)) ordered = false;
    previous.assign(member);
    previous_score = score;
    rebuilt.Add(member, score);
    ++n;
  });
  if (!ordered || n != Size() || n == 0) return false;
  ZSetPack copy = rebuilt.Finish();
  return copy.BytesUsed() == BytesUsed() && std::memcmp(copy.data_, data_, BytesUsed()) == 0;
}

}  // namespace lodestone
