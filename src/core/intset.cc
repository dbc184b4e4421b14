// IntSet: see intset.h for the layout. Elements are read and written with
// memcpy because the block is not aligned for 32- and 64-bit values.
#include "core/intset.h"

#include <bit>
#include <cassert>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace lodestone {
namespace {

static_assert(std::endian::native == std::endian::little,
              "IntSet stores host integers as Redis's little-endian blob");

// An empty set of width 2 that owns nothing. Never written: Resize allocates.
alignas(8) constexpr uint8_t kStaticEmpty[IntSet::kHeaderSize] = {2, 0, 0, 0, 0, 0, 0, 0};

uint32_t Load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
void Store32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, sizeof v); }

size_t WidthFor(int64_t v) {
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) return 8;
  if (v < std::numeric_limits<int16_t>::min() || v > std::numeric_limits<int16_t>::max()) return 4;
  return 2;
}

int64_t LoadElement(const uint8_t* elements, size_t width, size_t index) {
  const uint8_t* p = elements + index * width;
  switch (width) {
    case 2: {
      int16_t v;
      std::memcpy(&v, p, sizeof v);
      return v;
    }
    case 4: {
      int32_t v;
      std::memcpy(&v, p, sizeof v);
      return v;
    }
    default: {
      int64_t v;
      std::memcpy(&v, p, sizeof v);
      return v;
    }
  }
}

void StoreElement(uint8_t* elements, size_t width, size_t index, int64_t value) {
  uint8_t* p = elements + index * width;
  switch (width) {
    case 2: {
      const int16_t v = static_cast<int16_t>(value);
      std::memcpy(p, &v, sizeof v);
      break;
    }
    case 4: {
      const int32_t v = static_cast<int32_t>(value);
      std::memcpy(p, &v, sizeof v);
      break;
    }
    default:
      std::memcpy(p, &value, sizeof value);
  }
}

}  // namespace

IntSet::IntSet() noexcept : data_(const_cast<uint8_t*>(kStaticEmpty)) {}

IntSet::~IntSet() {
  if (!IsStaticEmpty()) std::free(data_);
}

IntSet::IntSet(IntSet&& other) noexcept : data_(other.data_) {
  other.data_ = const_cast<uint8_t*>(kStaticEmpty);
}

IntSet& IntSet::operator=(IntSet&& other) noexcept {
  if (this != &other) {
    if (!IsStaticEmpty()) std::free(data_);
    data_ = other.data_;
    other.data_ = const_cast<uint8_t*>(kStaticEmpty);
  }
  return *this;
}

IntSet IntSet::Clone() const {
  IntSet copy;
  if (IsStaticEmpty()) return copy;
  copy.data_ = static_cast<uint8_t*>(std::malloc(BytesUsed()));
  if (copy.data_ == nullptr) std::abort();
  std::memcpy(copy.data_, data_, BytesUsed());
  return copy;
}

bool IntSet::IsStaticEmpty() const { return data_ == kStaticEmpty; }

size_t IntSet::Size() const { return Load32(data_ + 4); }

size_t IntSet::Width() const { return Load32(data_); }

int64_t IntSet::Get(size_t index) const {
  assert(index < Size());
  return LoadElement(data_ + kHeaderSize, Width(), index);
}

void IntSet::Set(size_t index, int64_t value) {
  StoreElement(data_ + kHeaderSize, Width(), index, value);
}

// Reallocates for `count` elements of `width` bytes and writes the header;
// element bytes are kept as they were (the caller moves them).
void IntSet::Resize(size_t width, size_t count) {
  const size_t bytes = kHeaderSize + width * count;
  if (IsStaticEmpty()) {
    data_ = static_cast<uint8_t*>(std::malloc(bytes));
  } else {
    data_ = static_cast<uint8_t*>(std::realloc(data_, bytes));
  }
  if (data_ == nullptr) std::abort();
  Store32(data_, static_cast<uint32_t>(width));
  Store32(data_ + 4, static_cast<uint32_t>(count));
}

size_t IntSet::Search(int64_t value, bool* found) const {
  *found = false;
  const size_t size = Size();
  if (size == 0) return 0;
  const size_t width = Width();
  const uint8_t* elements = data_ + kHeaderSize;
  // Values past either end are common (ascending inserts): check them first.
  if (value > LoadElement(elements, width, size - 1)) return size;
  if (value < LoadElement(elements, width, 0)) return 0;
  size_t low = 0;
  size_t high = size;  // Search [low, high).
  while (low < high) {
    const size_t mid = low + (high - low) / 2;
    const int64_t current = LoadElement(elements, width, mid);
    if (current < value) {
      low = mid + 1;
    } else if (current > value) {
      high = mid;
    } else {
      *found = true;
      return mid;
    }
  }
  return low;
}

std::optional<size_t> IntSet::Find(int64_t value) const {
  if (WidthFor(value) > Width()) return std::nullopt;
  bool found;
  const size_t index = Search(value, &found);
  if (!found) return std::nullopt;
  return index;
}

bool IntSet::Add(int64_t value) {
  const size_t size = Size();
  const size_t old_width = Width();
  const size_t new_width = WidthFor(value);
  if (new_width > old_width) {
    // `value` lies outside every current element's range: it goes first if
    // negative, last otherwise. Widen back to front so nothing is overwritten
    // before it is read.
    const size_t shift = value < 0 ? 1 : 0;
    Resize(new_width, size + 1);
    uint8_t* elements = data_ + kHeaderSize;
    for (size_t i = size; i-- > 0;) {
      StoreElement(elements, new_width, i + shift, LoadElement(elements, old_width, i));
    }
    Set(value < 0 ? 0 : size, value);
    return true;
  }
  bool found;
  const size_t index = Search(value, &found);
  if (found) return false;
  Resize(old_width, size + 1);
  uint8_t* at = data_ + kHeaderSize + index * old_width;
  std::memmove(at + old_width, at, (size - index) * old_width);
  Set(index, value);
  return true;
}

bool IntSet::Remove(int64_t value) {
  const std::optional<size_t> index = Find(value);
  if (!index) return false;
  RemoveAt(*index);
  return true;
}

void IntSet::RemoveAt(size_t index) {
  const size_t size = Size();
  assert(index < size);
  if (size == 1) {
    std::free(data_);
    data_ = const_cast<uint8_t*>(kStaticEmpty);
    return;
  }
  const size_t width = Width();
  uint8_t* at = data_ + kHeaderSize + index * width;
  std::memmove(at, at + width, (size - index - 1) * width);
  Resize(width, size - 1);
}

int64_t IntSet::Random(lodestone::Random& rng) const {
  assert(!Empty());
  return Get(rng.Uniform(Size()));
}

std::string_view IntSet::RedisFormat() const {
  return std::string_view(reinterpret_cast<const char*>(data_), BytesUsed());
}

std::optional<IntSet> IntSet::FromRedisFormat(std::string_view blob) {
  const uint8_t* in = reinterpret_cast<const uint8_t*>(blob.data());
  if (blob.size() < kHeaderSize) return std::nullopt;
  const uint32_t width = Load32(in);
  if (width != 2 && width != 4 && width != 8) return std::nullopt;
  const uint64_t count = Load32(in + 4);
  if (count == 0 || kHeaderSize + count * width != blob.size()) return std::nullopt;
  for (size_t i = 1; i < count; ++i) {
    if (LoadElement(in + kHeaderSize, width, i - 1) >= LoadElement(in + kHeaderSize, width, i)) {
      return std::nullopt;
    }
  }
  IntSet set;
  set.data_ = static_cast<uint8_t*>(std::malloc(blob.size()));
  if (set.data_ == nullptr) std::abort();
  std::memcpy(set.data_, in, blob.size());
  return set;
}

}  // namespace lodestone
