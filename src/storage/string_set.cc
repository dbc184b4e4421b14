// StringSet: see string_set.h for the slot format and the probing invariant.
//
// Backward-shift deletion: after emptying slot i, walk the run that follows
// it; a member at slot j whose home h is not cyclically within (i, j] can move
// back to i (its probe path h..j passes i), which opens a new hole at j. The
// walk ends at the first empty slot. Afterwards no run has a hole between a
// member and its home, so lookups stop at the first empty slot.
#include "storage/string_set.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "storage/key_table.h"

namespace lodestone {

namespace {

// Grow when size would exceed capacity * 3/4; shrink below capacity / 8.
constexpr size_t kMinCapacity = 8;

bool OverMaxLoad(size_t size, size_t capacity) { return size * 4 > capacity * 3; }

size_t CapacityFor(size_t n) {
  size_t capacity = kMinCapacity;
  while (OverMaxLoad(n, capacity)) capacity *= 2;
  return capacity;
}

size_t VarintBytes(size_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace

StringSet::~StringSet() {
  FreeBlocks();
  std::free(slots_);
}

StringSet::StringSet(StringSet&& other) noexcept
    : slots_(std::exchange(other.slots_, nullptr)),
      capacity_(std::exchange(other.capacity_, 0)),
      size_(std::exchange(other.size_, 0)),
      block_bytes_(std::exchange(other.block_bytes_, 0)) {}

StringSet& StringSet::operator=(StringSet&& other) noexcept {
  if (this != &other) {
    FreeBlocks();
    std::free(slots_);
    slots_ = std::exchange(other.slots_, nullptr);
    capacity_ = std::exchange(other.capacity_, 0);
    size_ = std::exchange(other.size_, 0);
    block_bytes_ = std::exchange(other.block_bytes_, 0);
  }
  return *this;
}

StringSet StringSet::Clone() const {
  StringSet copy;
  copy.Reserve(size_);
  ForEach([&copy](std::string_view member) { copy.Insert(member); });
  return copy;
}

// ---- Slots ------------------------------------------------------------------

std::string_view StringSet::SlotMember(const uint64_t& slot) {
  if (IsInline(slot)) {
    const char* bytes = reinterpret_cast<const char*>(&slot);
    return {bytes + 1, static_cast<size_t>(static_cast<uint8_t>(bytes[0]) >> 1)};
  }
  const auto* p = reinterpret_cast<const uint8_t*>(slot & kPointerMask);
  size_t length = 0;
  int shift = 0;
  while (*p & 0x80) {
    length |= static_cast<size_t>(*p++ & 0x7f) << shift;
    shift += 7;
  }
  length |= static_cast<size_t>(*p++) << shift;
  return {reinterpret_cast<const char*>(p), length};
}

uint64_t StringSet::InlineSlot(std::string_view member) {
  uint64_t slot = 0;
  auto* bytes = reinterpret_cast<char*>(&slot);
  bytes[0] = static_cast<char>((member.size() << 1) | 1);
  if (!member.empty()) std::memcpy(bytes + 1, member.data(), member.size());
  return slot;
}

uint64_t StringSet::HashOf(std::string_view member) { return KeyTable::Hash(member); }

size_t StringSet::BlockBytes(size_t length) {
  size_t bytes = VarintBytes(length) + length;
  return (bytes + 7) & ~size_t{7};
}

void StringSet::FreeSlot(uint64_t slot) {
  if (slot != 0 && !IsInline(slot)) std::free(reinterpret_cast<void*>(slot & kPointerMask));
}

void StringSet::FreeBlocks() {
  for (size_t i = 0; i < capacity_; ++i) FreeSlot(slots_[i]);
}

namespace {

uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
  return __builtin_bswap64(v);
}

}  // namespace

// Redis's reverse-binary increment: set the bits above the mask, reverse, add
// one, reverse back.
uint64_t StringSet::NextCursor(uint64_t cursor, uint64_t mask) {
  cursor |= ~mask;
  return ReverseBits(ReverseBits(cursor) + 1);
}

// ---- Lookup -----------------------------------------------------------------

size_t StringSet::Probe(std::string_view member, uint64_t hash, bool* found) const {
  const uint64_t mask = capacity_ - 1;
  size_t i = hash & mask;
  if (member.size() <= 7) {
    const uint64_t want = InlineSlot(member);
    for (; slots_[i] != 0; i = (i + 1) & mask) {
      if (slots_[i] == want) {
        *found = true;
        return i;
      }
    }
  } else {
    const uint64_t tag = hash >> 48;
    for (; slots_[i] != 0; i = (i + 1) & mask) {
      uint64_t s = slots_[i];
      if (!IsInline(s) && (s >> 48) == tag && SlotMember(slots_[i]) == member) {
        *found = true;
        return i;
      }
    }
  }
  *found = false;
  return i;
}

void StringSet::Prefetch(std::string_view member, int stage) const {
  if (slots_ == nullptr) return;
  const uint64_t hash = HashOf(member);
  const uint64_t* slot = &slots_[hash & (capacity_ - 1)];
  if (stage == 0) {
    __builtin_prefetch(slot);
  } else if (!IsInline(*slot) && *slot != 0 && (*slot >> 48) == (hash >> 48)) {
    __builtin_prefetch(reinterpret_cast<const void*>(*slot & kPointerMask));
  }
}

bool StringSet::Contains(std::string_view member) const {
  if (size_ == 0) return false;
  bool found;
  Probe(member, HashOf(member), &found);
  return found;
}

// ---- Updates ----------------------------------------------------------------

bool StringSet::Insert(std::string_view member) {
  const uint64_t hash = HashOf(member);
  bool found = false;
  size_t i = 0;
  if (capacity_ > 0) {
    i = Probe(member, hash, &found);
    if (found) return false;
  }
  if (capacity_ == 0 || OverMaxLoad(size_ + 1, capacity_)) {
    Rehash(CapacityFor(size_ + 1));
    i = Probe(member, hash, &found);
  }
  uint64_t slot;
  if (member.size() <= 7) {
    slot = InlineSlot(member);
  } else {
    size_t header = VarintBytes(member.size());
    auto* block = static_cast<uint8_t*>(std::malloc(header + member.size()));
    if (block == nullptr) throw std::bad_alloc();
    uint8_t* p = block;
    size_t v = member.size();
    while (v >= 0x80) {
      *p++ = static_cast<uint8_t>(v | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<uint8_t>(v);
    std::memcpy(p, member.data(), member.size());
    auto address = reinterpret_cast<uint64_t>(block);
    if ((address & ~kPointerMask) != 0 || (address & 1) != 0) std::abort();
    slot = address | ((hash >> 48) << 48);
    block_bytes_ += BlockBytes(member.size());
  }
  slots_[i] = slot;
  ++size_;
  return true;
}

bool StringSet::Erase(std::string_view member) {
  if (size_ == 0) return false;
  bool found;
  size_t hole = Probe(member, HashOf(member), &found);
  if (!found) return false;
  if (!IsInline(slots_[hole])) block_bytes_ -= BlockBytes(member.size());
  FreeSlot(slots_[hole]);
  const uint64_t mask = capacity_ - 1;
  for (size_t j = (hole + 1) & mask; slots_[j] != 0; j = (j + 1) & mask) {
    size_t home = Home(slots_[j]);
    // The member at j may move to the hole unless its home lies in (hole, j].
    if (((j - home) & mask) >= ((j - hole) & mask)) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = 0;
  --size_;
  if (size_ == 0) {
    Clear();
  } else if (capacity_ > kMinCapacity && size_ * 8 < capacity_) {
    Rehash(CapacityFor(size_));
  }
  return true;
}

void StringSet::Reserve(size_t n) {
  if (n == 0) return;
  size_t capacity = CapacityFor(n);
  if (capacity > capacity_) Rehash(capacity);
}

void StringSet::Clear() {
  FreeBlocks();
  std::free(slots_);
  slots_ = nullptr;
  capacity_ = 0;
  size_ = 0;
  block_bytes_ = 0;
}

void StringSet::Rehash(size_t new_capacity) {
  auto* fresh = static_cast<uint64_t*>(std::calloc(new_capacity, sizeof(uint64_t)));
  if (fresh == nullptr) throw std::bad_alloc();
  const uint64_t mask = new_capacity - 1;
  for (size_t i = 0; i < capacity_; ++i) {
    uint64_t s = slots_[i];
    if (s == 0) continue;
    size_t j = HashOf(SlotMember(slots_[i])) & mask;
    while (fresh[j] != 0) j = (j + 1) & mask;
    fresh[j] = s;
  }
  std::free(slots_);
  slots_ = fresh;
  capacity_ = new_capacity;
}

// ---- Sampling and accounting --------------------------------------------------

std::string_view StringSet::RandomMember(Random& random) const {
  // Rejection sampling over slots is uniform over members; the load factor
  // stays above 1/8 (except tiny tables), so it takes a few tries at most.
  for (;;) {
    size_t i = random.Uniform(capacity_);
    if (slots_[i] != 0) return SlotMember(slots_[i]);
  }
}

size_t StringSet::MemoryUsage() const { return capacity_ * sizeof(uint64_t) + block_bytes_; }

}  // namespace lodestone
