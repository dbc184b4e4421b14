// LZF compressor and decompressor (format in lzf.h).
//
// The compressor is a greedy single-pass matcher: a hash table maps the
// three bytes at each position to the last position that had the same hash;
// when the candidate there really starts with those three bytes and lies
// within the 8 KiB window, the match is extended as far as it goes (up to
// 264 bytes) and emitted as a back reference, else the byte joins the
// pending literal run. Positions inside a match are hashed too, so later
// data can refer into it. Output differs from liblzf's own choices in places;
// any LZF decoder reads it.
#include "persistence/lzf.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace lodestone {
namespace {

constexpr size_t kMaxLiteral = 32;
constexpr size_t kMaxOffset = 8192;
constexpr size_t kMinMatch = 3;
constexpr size_t kMaxMatch = 264;  // (7 + 255) + 2
constexpr int kHashBits = 14;

inline uint32_t Hash3(const unsigned char* p) {
  uint32_t v = uint32_t(p[0]) << 16 | uint32_t(p[1]) << 8 | p[2];
  return (v * 2654435761u) >> (32 - kHashBits);
}

// Writes into a caller-sized buffer, failing once `limit` would be passed.
class Output {
 public:
  Output(std::string* out, size_t limit) : out_(out), limit_(limit) { out_->clear(); }
  bool Literals(const unsigned char* p, size_t n) {
    if (n == 0) return true;
    if (out_->size() + 1 + n > limit_) return false;
    out_->push_back(static_cast<char>(n - 1));
    out_->append(reinterpret_cast<const char*>(p), n);
    return true;
  }
  bool Reference(size_t length, size_t offset) {
    size_t len = length - 2;
    size_t off = offset - 1;
    size_t need = len < 7 ? 2 : 3;
    if (out_->size() + need > limit_) return false;
    if (len < 7) {
      out_->push_back(static_cast<char>(len << 5 | off >> 8));
    } else {
      out_->push_back(static_cast<char>(7 << 5 | off >> 8));
      out_->push_back(static_cast<char>(len - 7));
    }
    out_->push_back(static_cast<char>(off & 0xff));
    return true;
  }

 private:
  std::string* out_;
  size_t limit_;
};

}  // namespace

bool LzfCompress(std::string_view in, size_t max_out, std::string* out) {
  const auto* data = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  if (n == 0) return false;
  Output output(out, max_out);
  std::vector<uint32_t> table(size_t{1} << kHashBits, UINT32_MAX);
  size_t literal_start = 0;
  size_t i = 0;
  while (i + kMinMatch <= n) {
    uint32_t h = Hash3(data + i);
    uint32_t candidate = table[h];
    table[h] = static_cast<uint32_t>(i);
    if (candidate != UINT32_MAX && i - candidate <= kMaxOffset &&
        std::memcmp(data + candidate, data + i, kMinMatch) == 0) {
      size_t limit = std::min(kMaxMatch, n - i);
      size_t length = kMinMatch;
      while (length < limit && data[candidate + length] == data[i + length]) length++;
      // Flush the pending literals in runs of at most 32.
      while (literal_start < i) {
        size_t run = std::min(kMaxLiteral, i - literal_start);
        if (!output.Literals(data + literal_start, run)) return false;
        literal_start += run;
      }
      if (!output.Reference(length, i - candidate)) return false;
      size_t end = i + length;
      for (size_t j = i + 1; j + kMinMatch <= n && j < end; j++) {
        table[Hash3(data + j)] = static_cast<uint32_t>(j);
      }
      i = end;
      literal_start = i;
      continue;
    }
    i++;
  }
  while (literal_start < n) {
    size_t run = std::min(kMaxLiteral, n - literal_start);
    if (!output.Literals(data + literal_start, run)) return false;
    literal_start += run;
  }
  return true;
}

bool LzfDecompress(std::string_view in, size_t out_len, std::string* out) {
  out->assign(out_len, '\0');
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const auto* end = p + in.size();
  size_t pos = 0;
  while (p < end) {
    size_t ctrl = *p++;
    if (ctrl < 32) {
      size_t run = ctrl + 1;
      if (size_t(end - p) < run || out_len - pos < run) return false;
      std::memcpy(out->data() + pos, p, run);
      p += run;
      pos += run;
      continue;
    }
    size_t length = ctrl >> 5;
    if (length == 7) {
      if (p == end) return false;
      length += *p++;
    }
    length += 2;
    if (p == end) return false;
    size_t offset = ((ctrl & 31) << 8 | *p++) + 1;
    if (offset > pos || out_len - pos < length) return false;
    // Byte by byte: the reference may overlap what it writes.
    char* dst = out->data() + pos;
    const char* src = dst - offset;
    for (size_t k = 0; k < length; k++) dst[k] = src[k];
    pos += length;
  }
  return pos == out_len;
}

}  // namespace lodestone
