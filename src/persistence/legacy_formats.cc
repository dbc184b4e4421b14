// Ziplist and zipmap readers (formats in legacy_formats.h).
#include "persistence/legacy_formats.h"

#include <cstdint>

#include "common/strings.h"

namespace lodestone {
namespace {

// A bounds-checked cursor over a blob.
class Cursor {
 public:
  explicit Cursor(std::string_view blob) : blob_(blob) {}
  bool Byte(uint8_t* b) {
    if (pos_ >= blob_.size()) return false;
    *b = static_cast<uint8_t>(blob_[pos_++]);
    return true;
  }
  bool Peek(uint8_t* b) const {
    if (pos_ >= blob_.size()) return false;
    *b = static_cast<uint8_t>(blob_[pos_]);
    return true;
  }
  bool Bytes(size_t n, std::string_view* out) {
    if (blob_.size() - pos_ < n) return false;
    *out = blob_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool LittleEndian(size_t n, uint64_t* v) {
    std::string_view b;
    if (!Bytes(n, &b)) return false;
    *v = 0;
    for (size_t i = 0; i < n; i++) *v |= uint64_t(static_cast<uint8_t>(b[i])) << (8 * i);
    return true;
  }
  bool AtEnd() const { return pos_ == blob_.size(); }

 private:
  std::string_view blob_;
  size_t pos_ = 0;
};

// Sign-extends the low `bits` bits of v.
int64_t SignExtend(uint64_t v, int bits) {
  uint64_t sign = uint64_t{1} << (bits - 1);
  v &= (sign << 1) - 1;
  return static_cast<int64_t>((v ^ sign) - sign);
}

bool ZiplistEntry(Cursor& c, std::string* out) {
  uint8_t b;
  uint64_t v;
  if (!c.Byte(&b)) return false;
  if (b == 254) {
    if (!c.LittleEndian(4, &v)) return false;
  } else if (b == 255) {
    return false;
  }
  uint8_t enc;
  if (!c.Byte(&enc)) return false;
  uint64_t len;
  switch (enc >> 6) {
    case 0:
      len = enc & 0x3f;
      break;
    case 1: {
      uint8_t low;
      if (!c.Byte(&low)) return false;
      len = uint64_t(enc & 0x3f) << 8 | low;
      break;
    }
    case 2: {
      if (enc != 0x80 || !c.LittleEndian(4, &v)) return false;
      // Big-endian on disk: swap the four bytes read little-endian.
      len = (v >> 24 & 0xff) | (v >> 8 & 0xff00) | (v << 8 & 0xff0000) | (v << 24 & 0xff000000);
      break;
    }
    default: {
      int64_t integer;
      if (enc == 0xc0) {
        if (!c.LittleEndian(2, &v)) return false;
        integer = SignExtend(v, 16);
      } else if (enc == 0xd0) {
        if (!c.LittleEndian(4, &v)) return false;
        integer = SignExtend(v, 32);
      } else if (enc == 0xe0) {
        if (!c.LittleEndian(8, &v)) return false;
        integer = static_cast<int64_t>(v);
      } else if (enc == 0xf0) {
        if (!c.LittleEndian(3, &v)) return false;
        integer = SignExtend(v, 24);
      } else if (enc == 0xfe) {
        if (!c.LittleEndian(1, &v)) return false;
        integer = SignExtend(v, 8);
      } else if (enc >= 0xf1 && enc <= 0xfd) {
        integer = (enc & 0x0f) - 1;
      } else {
        return false;
      }
      *out = Int64ToString(integer);
      return true;
    }
  }
  std::string_view bytes;
  if (!c.Bytes(len, &bytes)) return false;
  out->assign(bytes);
  return true;
}

bool ZipmapLength(Cursor& c, uint64_t* len) {
  uint8_t b;
  if (!c.Byte(&b)) return false;
  if (b < 254) {
    *len = b;
    return true;
  }
  return b == 254 && c.LittleEndian(4, len);
}

}  // namespace

bool ParseZiplist(std::string_view blob, std::vector<std::string>* elements) {
  Cursor c(blob);
  uint64_t zlbytes, zltail, zllen;
  if (!c.LittleEndian(4, &zlbytes) || !c.LittleEndian(4, &zltail) ||
      !c.LittleEndian(2, &zllen)) {
    return false;
  }
  if (zlbytes != blob.size() || zltail >= blob.size()) return false;
  elements->clear();
  for (;;) {
    uint8_t b;
    if (!c.Peek(&b)) return false;
    if (b == 0xff) {
      c.Byte(&b);
      break;
    }
    std::string e;
    if (!ZiplistEntry(c, &e)) return false;
    elements->push_back(std::move(e));
  }
  if (!c.AtEnd()) return false;
  return zllen == UINT16_MAX || zllen == elements->size();
}

bool ParseZipmap(std::string_view blob, std::vector<std::string>* elements) {
  Cursor c(blob);
  uint8_t count_byte;
  if (!c.Byte(&count_byte)) return false;
  elements->clear();
  for (;;) {
    uint8_t b;
    if (!c.Peek(&b)) return false;
    if (b == 0xff) {
      c.Byte(&b);
      break;
    }
    uint64_t len;
    std::string_view key, value, spare;
    if (!ZipmapLength(c, &len) || !c.Bytes(len, &key)) return false;
    uint8_t free;
    if (!ZipmapLength(c, &len) || !c.Byte(&free) || !c.Bytes(len, &value) ||
        !c.Bytes(free, &spare)) {
      return false;
    }
    elements->emplace_back(key);
    elements->emplace_back(value);
  }
  if (!c.AtEnd()) return false;
  return count_byte >= 254 || count_byte == elements->size() / 2;
}

}  // namespace lodestone
