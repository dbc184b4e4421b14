// HashPack byte format.
//
//   block   := count:varint payload_size:varint payload
//   payload := pair{count}
//   pair    := field_shared:varint field_rest_len:varint field_rest
//              value_shared:varint value_rest_len:varint value_rest
//              field_shared  leading bytes the field has in common with the
//                            previous pair's field (0 for the first pair)
//              value_shared  the same for the value and the previous value
//   varint  := LEB128, 7 bits per byte, low group first, high bit = more
//
// An empty pack allocates nothing. Example: ("field:1", "value:0000001231")
// after ("field:0", "value:0000001230") takes 6 bytes.
#include "storage/hash_pack.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace lodestone {
namespace {

void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

uint64_t GetVarint(const uint8_t** p) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    uint8_t byte = *(*p)++;
    v |= uint64_t(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return v;
  }
}

size_t CommonPrefix(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

// Appends `s` front-coded against `previous`.
void PutCoded(std::string* out, std::string_view previous, std::string_view s) {
  size_t shared = CommonPrefix(previous, s);
  PutVarint(out, shared);
  PutVarint(out, s.size() - shared);
  out->append(s.substr(shared));
}

// Reads a front-coded string into *s, which holds the previous one.
void GetCoded(const uint8_t** p, std::string* s) {
  size_t shared = GetVarint(p);
  size_t rest = GetVarint(p);
  s->resize(shared);
  s->append(reinterpret_cast<const char*>(*p), rest);
  *p += rest;
}

}  // namespace

HashPack::~HashPack() { std::free(data_); }

HashPack& HashPack::operator=(HashPack&& other) noexcept {
  if (this != &other) {
    std::free(data_);
    data_ = other.data_;
    other.data_ = nullptr;
  }
  return *this;
}

HashPack HashPack::Clone() const {
  HashPack copy;
  if (data_ != nullptr) {
    size_t n = BytesUsed();
    copy.data_ = static_cast<uint8_t*>(std::malloc(n));
    if (copy.data_ == nullptr) throw std::bad_alloc();
    std::memcpy(copy.data_, data_, n);
  }
  return copy;
}

size_t HashPack::Size() const {
  if (data_ == nullptr) return 0;
  const uint8_t* p = data_;
  return GetVarint(&p);
}

size_t HashPack::BytesUsed() const {
  if (data_ == nullptr) return 0;
  const uint8_t* p = data_;
  GetVarint(&p);
  size_t payload = GetVarint(&p);
  return static_cast<size_t>(p - data_) + payload;
}

HashPack::Cursor::Cursor(const HashPack& pack) : p_(nullptr), end_(nullptr) {
  if (pack.data_ == nullptr) return;
  const uint8_t* p = pack.data_;
  GetVarint(&p);
  size_t payload = GetVarint(&p);
  p_ = p;
  end_ = p + payload;
}

bool HashPack::Cursor::Next() {
  if (p_ == end_) return false;
  GetCoded(&p_, &field_);
  GetCoded(&p_, &value_);
  return true;
}

bool HashPack::Find(std::string_view field, std::string* value) const {
  Cursor c(*this);
  while (c.Next()) {
    if (c.field() == field) {
      value->assign(c.value());
      return true;
    }
  }
  return false;
}

HashPack::Pairs HashPack::Decode() const {
  Pairs pairs;
  pairs.reserve(Size());
  Cursor c(*this);
  while (c.Next()) pairs.emplace_back(std::string(c.field()), std::string(c.value()));
  return pairs;
}

void HashPack::Assign(const Pairs& pairs) {
  Clear();
  if (pairs.empty()) return;
  std::string payload;
  std::string_view prev_field, prev_value;
  for (const auto& [field, value] : pairs) {
    PutCoded(&payload, prev_field, field);
    PutCoded(&payload, prev_value, value);
    prev_field = field;
    prev_value = value;
  }
  std::string header;
  PutVarint(&header, pairs.size());
  PutVarint(&header, payload.size());
  size_t total = header.size() + payload.size();
  data_ = static_cast<uint8_t*>(std::malloc(total));
  if (data_ == nullptr) throw std::bad_alloc();
  std::memcpy(data_, header.data(), header.size());
  std::memcpy(data_ + header.size(), payload.data(), payload.size());
}

bool HashPack::Set(std::string_view field, std::string_view value) {
  // A new field (the common case) is appended in place: one walk to check
  // it is absent and to learn the last pair, then one realloc.
  Cursor c(*this);
  bool found = false;
  size_t count = 0;
  while (c.Next()) {
    count++;
    if (c.field() == field) {
      found = true;
      break;
    }
  }
  if (!found) {
    std::string pair;
    PutCoded(&pair, c.field(), field);
    PutCoded(&pair, c.value(), value);
    AppendEncoded(count + 1, pair);
    return true;
  }
  Pairs pairs = Decode();
  for (auto& [f, v] : pairs) {
    if (f == field) {
      if (v == value) return false;
      v.assign(value);
      Assign(pairs);
      return false;
    }
  }
  pairs.emplace_back(std::string(field), std::string(value));
  Assign(pairs);
  return true;
}

bool HashPack::Erase(std::string_view field) {
  Pairs pairs = Decode();
  auto it = std::find_if(pairs.begin(), pairs.end(), [&](const auto& p) { return p.first == field; });
  if (it == pairs.end()) return false;
  pairs.erase(it);
  Assign(pairs);
  return true;
}

void HashPack::AppendEncoded(size_t new_count, std::string_view pair) {
  size_t old_payload = 0;
  size_t old_header = 0;
  if (data_ != nullptr) {
    const uint8_t* p = data_;
    GetVarint(&p);
    old_payload = GetVarint(&p);
    old_header = static_cast<size_t>(p - data_);
  }
  std::string header;
  PutVarint(&header, new_count);
  PutVarint(&header, old_payload + pair.size());
  size_t total = header.size() + old_payload + pair.size();
  auto* grown = static_cast<uint8_t*>(std::realloc(data_, total));
  if (grown == nullptr) throw std::bad_alloc();
  data_ = grown;
  if (header.size() != old_header && old_payload > 0) {
    std::memmove(data_ + header.size(), data_ + old_header, old_payload);
  }
  std::memcpy(data_, header.data(), header.size());
  std::memcpy(data_ + header.size() + old_payload, pair.data(), pair.size());
}

void HashPack::Clear() {
  std::free(data_);
  data_ = nullptr;
}

}  // namespace lodestone
