// KeyTable: chained hashing with incremental rehash and a resize-proof scan.
//
// INCREMENTAL REHASH
//
// Bucket arrays are powers of two, and a key's bucket is the low bits of its
// hash. When the table must grow (as many keys as buckets) or shrink (fewer
// than one key per 8 buckets), we do not move every key at once: that would
// stall the shard for as long as it takes to touch millions of entries.
// Instead a second array of the new size is allocated and the table enters a
// rehashing state in which keys live in either array. `rehash_index_` marks the
// progress: buckets of table 0 below it are empty, their keys already moved to
// table 1. Every lookup, insert and erase first moves one more bucket of table
// 0 (RehashStep(1), which also gives up after 10 empty buckets so its cost is
// bounded); the server cron moves more of them while the shard is idle. New
// keys go straight to table 1, lookups try table 0 (unless the key's bucket
// there is below rehash_index_) and then table 1. When table 0 is empty, table
// 1 takes its place. Because each insert moves at least one bucket, a rehash
// always finishes before the new table fills up, so at most two tables exist.
// Growing recomputes each moved key's hash; shrinking needs no hash at all, as
// bucket i of the big table maps to bucket i & (small_size - 1).
//
// THE SCAN CURSOR
//
// Scan must return every key present for the whole scan at least once, while
// the table may grow or shrink between calls, and it keeps no state but an
// integer cursor. The cursor is a bucket index whose bits are incremented from
// the top: reverse the bits, add one, reverse again. With 8 buckets it visits
// 000, 100, 010, 110, 001, 101, 011, 111. The point is that this order walks
// the buckets by their low bits first-significant-last, and a key's bucket in
// a table of 2^n buckets is always the low n bits of its hash:
//  - After growing from 8 to 16 buckets, bucket xyz of the old table became
//    buckets 0xyz and 1xyz. The reverse increment has visited, for every
//    3-bit suffix it already passed, both of its 4-bit expansions next to each
//    other, so the cursor just continues in the bigger table; nothing is
//    missed and nothing passed is revisited.
//  - After shrinking from 16 to 8, cursor position 0xyz (or 1xyz) is read as
//    xyz: keys of old buckets 0xyz and 1xyz are now all in xyz. If the cursor
//    had passed 0xyz but not 1xyz, xyz is visited again — a duplicate, never a
//    miss.
// While rehashing there are two tables; we visit the cursor's bucket in the
// smaller one, then every bucket of the larger one that is an expansion of it
// (the cursor with each value of the extra high bits), and advance the cursor
// in the larger table's terms. That is the single-table case again, since the
// larger table holds exactly the expansions of the smaller one's buckets. The
// cost is that one call may return several buckets' worth of keys.
//
// OVERHEAD PER KEY
//
// 8 bytes of bucket pointer per bucket (1 to 2 buckets per key between resizes,
// briefly up to 8 after deletions before a shrink), plus the 32-byte Entry
// header (chain link 8, Value 16, TTL index slot 4, key length 4; the expiry
// time itself is in the Db's TTL index). The brief's target of 16 bytes per
// key would need a denser table still (open addressing with tags, no chain
// link or bucket pointer per key).
#include "storage/key_table.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <utility>

#include "common/clock.h"

namespace lodestone {

namespace {

// ---- Hash ----------------------------------------------------------------

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

uint64_t SplitMix64(uint64_t x) {
  x += kGolden;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// 64x64 -> 128-bit product, folded by xoring its halves: every input bit
// influences most output bits, at the cost of one multiply.
inline uint64_t Fold(uint64_t a, uint64_t b) {
  unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
}

inline uint64_t Load64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t Load32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Secrets derived from the seed. The multipliers are odd and unknown to
// clients, so no input word can zero a product on purpose.
struct HashKeys {
  uint64_t seed;
  uint64_t start;
  uint64_t mul;
  uint64_t final_mul;
};

HashKeys DeriveKeys(uint64_t seed) {
  return HashKeys{seed, SplitMix64(seed), SplitMix64(seed ^ kGolden) | 1,
                  SplitMix64(seed + 2 * kGolden) | 1};
}

uint64_t InitialSeed() {
  uint64_t seed = static_cast<uint64_t>(WallTimeUs()) ^ reinterpret_cast<uintptr_t>(&seed);
  try {
    std::random_device device;
    seed ^= (uint64_t{device()} << 32) | device();
  } catch (...) {
    // No entropy device: the clock and the stack address will do.
  }
  return seed;
}

// Set before main() and, by contract, only at start-up after that.
HashKeys g_hash_keys = DeriveKeys(InitialSeed());

uint64_t HashWithKeys(std::string_view key, const HashKeys& keys) {
  const auto* p = reinterpret_cast<const unsigned char*>(key.data());
  size_t n = key.size();
  uint64_t h = keys.start;
  while (n >= 8) {
    h = Fold(h ^ Load64(p), keys.mul);
    p += 8;
    n -= 8;
  }
  // 0-7 trailing bytes, read without touching memory past the key. Together
  // with the length (mixed in below) the word identifies the tail exactly.
  uint64_t tail = 0;
  if (n >= 4) {
    tail = Load32(p) | (Load32(p + n - 4) << 32);
  } else if (n > 0) {
    tail = uint64_t{p[0]} | (uint64_t{p[n / 2]} << 8) | (uint64_t{p[n - 1]} << 16);
  }
  h = Fold(h ^ tail, keys.mul);
  h = Fold(h ^ key.size(), keys.final_mul);
  return h ^ (h >> 32);
}

// Reverses the bits of a 64-bit word (swap halves, then quarters, ...).
uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
  return __builtin_bswap64(v);
}

// The scan cursor's "increment from the top" within the bits of `mask`.
uint64_t NextCursor(uint64_t cursor, uint64_t mask) {
  cursor |= ~mask;
  return ReverseBits(ReverseBits(cursor) + 1);
}

inline bool KeyEquals(const Entry* e, std::string_view key) {
  return e->key() == key;
}

int ExponentFor(size_t min_buckets, int min_exponent) {
  int exponent = min_exponent;
  while ((size_t{1} << exponent) < min_buckets) ++exponent;
  return exponent;
}

Entry** AllocateBuckets(int exponent) {
  void* p = std::calloc(size_t{1} << exponent, sizeof(Entry*));
  if (p == nullptr) throw std::bad_alloc();
  return static_cast<Entry**>(p);
}

// Calls fn on each entry of a chain; fn may unlink the entry it is given.
void VisitChain(Entry* e, const std::function<void(Entry*)>& fn) {
  while (e != nullptr) {
    Entry* next = e->next;
    fn(e);
    e = next;
  }
}

}  // namespace

// ---- Seed ----------------------------------------------------------------

void KeyTable::SetHashSeed(uint64_t seed) { g_hash_keys = DeriveKeys(seed); }
uint64_t KeyTable::hash_seed() { return g_hash_keys.seed; }
uint64_t KeyTable::Hash(std::string_view key) { return HashWithKeys(key, g_hash_keys); }
uint64_t KeyTable::Hash(std::string_view key, uint64_t seed) {
  return HashWithKeys(key, DeriveKeys(seed));
}

// ---- Lifetime ------------------------------------------------------------

KeyTable::~KeyTable() { Clear(); }

size_t KeyTable::Clear() {
  size_t n = size();
  for (int t = 0; t < 2; ++t) {
    size_t buckets = Buckets(t);
    for (size_t i = 0; i < buckets; ++i) {
      Entry* e = buckets_[t][i];
      while (e != nullptr) {
        Entry* next = e->next;
        Entry::Destroy(e);
        e = next;
      }
    }
    FreeTable(t);
  }
  rehash_index_ = -1;
  return n;
}

void KeyTable::FreeTable(int t) {
  std::free(buckets_[t]);
  buckets_[t] = nullptr;
  exponent_[t] = 0;
  used_[t] = 0;
}

void KeyTable::Swap(KeyTable& other) noexcept {
  std::swap(buckets_, other.buckets_);
  std::swap(exponent_, other.exponent_);
  std::swap(used_, other.used_);
  std::swap(rehash_index_, other.rehash_index_);
  std::swap(pause_rehash_, other.pause_rehash_);
}

// ---- Lookup and update ---------------------------------------------------

Entry** KeyTable::FindLink(std::string_view key, uint64_t hash, int* table) {
  for (int t = 0; t < 2; ++t) {
    if (buckets_[t] == nullptr) continue;
    uint64_t index = hash & Mask(t);
    if (t == 0 && IsRehashing() && static_cast<int64_t>(index) < rehash_index_) continue;
    for (Entry** link = &buckets_[t][index]; *link != nullptr; link = &(*link)->next) {
      if (KeyEquals(*link, key)) {
        *table = t;
        return link;
      }
    }
    if (!IsRehashing()) break;
  }
  return nullptr;
}

void KeyTable::PrefetchChainHead(uint64_t hash) const {
  const Entry* head = ChainHead(hash);
  if (head == nullptr) return;
  // The header, and the line the key starts in when the header ends one.
  const char* e = reinterpret_cast<const char*>(head);
  __builtin_prefetch(e);
  __builtin_prefetch(e + sizeof(Entry) + 8);
}

Entry* KeyTable::Find(std::string_view key) {
  if (empty()) return nullptr;
  RehashStepIfAllowed();
  int table;
  Entry** link = FindLink(key, Hash(key), &table);
  return link == nullptr ? nullptr : *link;
}

Entry* KeyTable::Insert(std::string_view key, Value value) {
  Entry* entry = Entry::Create(key, std::move(value));
  InsertEntry(entry);
  return entry;
}

void KeyTable::InsertEntry(Entry* entry) {
  RehashStepIfAllowed();
  ExpandIfNeeded();
  int t = IsRehashing() ? 1 : 0;
  uint64_t index = Hash(entry->key()) & Mask(t);
  entry->next = buckets_[t][index];
  buckets_[t][index] = entry;
  ++used_[t];
}

Entry* KeyTable::Unlink(std::string_view key) {
  if (empty()) return nullptr;
  RehashStepIfAllowed();
  int table;
  Entry** link = FindLink(key, Hash(key), &table);
  if (link == nullptr) return nullptr;
  Entry* entry = *link;
  *link = entry->next;
  entry->next = nullptr;
  --used_[table];
  ShrinkIfNeeded();
  return entry;
}

bool KeyTable::Erase(std::string_view key) {
  Entry* entry = Unlink(key);
  Entry::Destroy(entry);
  return entry != nullptr;
}

void KeyTable::EraseEntry(Entry* entry) {
  // Keys are unique, so unlinking by key removes exactly this entry.
  Entry* unlinked = Unlink(entry->key());
  Entry::Destroy(unlinked);
}

// ---- Resizing ------------------------------------------------------------

void KeyTable::ExpandIfNeeded() {
  if (buckets_[0] == nullptr) {
    // First key: the initial table is not a rehash. (Table 1 cannot exist
    // without table 0.)
    buckets_[0] = AllocateBuckets(kInitialExponent);
    exponent_[0] = kInitialExponent;
    return;
  }
  if (IsRehashing() || pause_rehash_ > 0) return;
  if (used_[0] >= Buckets(0)) StartResize(used_[0] + 1);
}

void KeyTable::ShrinkIfNeeded() {
  if (IsRehashing() || pause_rehash_ > 0) return;
  size_t buckets = Buckets(0);
  if (buckets <= (size_t{1} << kInitialExponent)) return;
  if (used_[0] * kMinFillRatio <= buckets) StartResize(used_[0]);
}

void KeyTable::StartResize(size_t min_buckets) {
  int exponent = ExponentFor(min_buckets, kInitialExponent);
  if (exponent == exponent_[0]) return;
  Entry** buckets = AllocateBuckets(exponent);
  if (used_[0] == 0) {
    // Nothing to move: replace the array outright.
    std::free(buckets_[0]);
    buckets_[0] = buckets;
    exponent_[0] = static_cast<uint8_t>(exponent);
    return;
  }
  buckets_[1] = buckets;
  exponent_[1] = static_cast<uint8_t>(exponent);
  used_[1] = 0;
  rehash_index_ = 0;
}

void KeyTable::MoveBucket(size_t index) {
  bool growing = exponent_[1] > exponent_[0];
  Entry* e = buckets_[0][index];
  while (e != nullptr) {
    Entry* next = e->next;
    uint64_t target = growing ? Hash(e->key()) & Mask(1) : index & Mask(1);
    e->next = buckets_[1][target];
    buckets_[1][target] = e;
    --used_[0];
    ++used_[1];
    e = next;
  }
  buckets_[0][index] = nullptr;
}

void KeyTable::CompleteRehashIfDone() {
  if (!IsRehashing() || used_[0] != 0) return;
  std::free(buckets_[0]);
  buckets_[0] = buckets_[1];
  exponent_[0] = exponent_[1];
  used_[0] = used_[1];
  buckets_[1] = nullptr;
  exponent_[1] = 0;
  used_[1] = 0;
  rehash_index_ = -1;
  // Deletions during a shrink may have left the new table sparse too.
  ShrinkIfNeeded();
}

bool KeyTable::RehashStep(int max_buckets) {
  if (!IsRehashing()) {
    // Erases start shrinks; a table that stopped being written to gets its
    // last one here, from the cron.
    ShrinkIfNeeded();
    if (!IsRehashing()) return false;
  }
  if (pause_rehash_ > 0) return true;
  int empty_visits = max_buckets * 10;
  while (max_buckets-- > 0 && used_[0] != 0) {
    // used_[0] != 0 guarantees a non-empty bucket at or after rehash_index_.
    while (buckets_[0][rehash_index_] == nullptr) {
      ++rehash_index_;
      if (--empty_visits == 0) return true;
    }
    MoveBucket(static_cast<size_t>(rehash_index_));
    ++rehash_index_;
  }
  CompleteRehashIfDone();
  return IsRehashing();
}

void KeyTable::RehashStepIfAllowed() {
  if (IsRehashing() && pause_rehash_ == 0) RehashStep(1);
}

// ---- Scan and sampling ---------------------------------------------------

uint64_t KeyTable::Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) {
  if (empty()) return 0;
  // Buckets must not move under the callbacks (nor between the two halves of
  // a rehashing step), or the chain being walked could change tables.
  struct PauseGuard {
    int& counter;
    explicit PauseGuard(int& c) : counter(c) { ++counter; }
    ~PauseGuard() { --counter; }
  } guard(pause_rehash_);

  if (!IsRehashing()) {
    uint64_t mask = Mask(0);
    VisitChain(buckets_[0][cursor & mask], fn);
    return NextCursor(cursor, mask);
  }
  int small = Buckets(0) <= Buckets(1) ? 0 : 1;
  int large = 1 - small;
  uint64_t small_mask = Mask(small);
  uint64_t large_mask = Mask(large);
  VisitChain(buckets_[small][cursor & small_mask], fn);
  // Every bucket of the large table whose low bits equal the cursor's in the
  // small table, i.e. each value of the bits in large_mask ^ small_mask.
  do {
    VisitChain(buckets_[large][cursor & large_mask], fn);
    cursor = NextCursor(cursor, large_mask);
  } while ((cursor & (small_mask ^ large_mask)) != 0);
  return cursor;
}

Entry* KeyTable::RandomEntry(Random& random) {
  if (empty()) return nullptr;
  RehashStepIfAllowed();
  Entry* head = nullptr;
  if (IsRehashing()) {
    // Buckets below rehash_index_ in table 0 are empty: draw from the rest of
    // table 0 followed by all of table 1.
    uint64_t first = static_cast<uint64_t>(rehash_index_);
    uint64_t size0 = Buckets(0);
    uint64_t span = size0 + Buckets(1) - first;
    do {
      uint64_t i = first + random.Uniform(span);
      head = i < size0 ? buckets_[0][i] : buckets_[1][i - size0];
    } while (head == nullptr);
  } else {
    uint64_t buckets = Buckets(0);
    do {
      head = buckets_[0][random.Uniform(buckets)];
    } while (head == nullptr);
  }
  uint64_t length = 0;
  for (Entry* e = head; e != nullptr; e = e->next) ++length;
  uint64_t pick = random.Uniform(length);
  Entry* e = head;
  while (pick-- > 0) e = e->next;
  return e;
}

}  // namespace lodestone
