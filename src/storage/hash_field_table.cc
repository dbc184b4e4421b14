#include "storage/hash_field_table.h"

#include <bit>
#include <cstdlib>
#include <cstring>
#include <new>

#include "storage/key_table.h"

namespace lodestone {

// The node is raw bytes; this struct only names its fixed prefix.
struct HashFieldTable::Node {
  Node* next;
  uint8_t flags;
};

namespace {

constexpr uint8_t kHasTtl = 1;
constexpr size_t kPrefixBytes = sizeof(void*) + 1;  // next + flags
constexpr size_t kMinBuckets = 4;

size_t VarintBytes(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

uint8_t* PutVarint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}

const uint8_t* GetVarint(const uint8_t* p, uint64_t* v) {
  uint64_t result = 0;
  int shift = 0;
  while (*p & 0x80) {
    result |= uint64_t{*p & 0x7fu} << shift;
    shift += 7;
    p++;
  }
  *v = result | (uint64_t{*p} << shift);
  return p + 1;
}

const uint8_t* Bytes(const HashFieldTable::Node* node) {
  return reinterpret_cast<const uint8_t*>(node);
}

// Where the lengths start (after the optional TTL).
const uint8_t* LengthsOf(const HashFieldTable::Node* node) {
  return Bytes(node) + kPrefixBytes + ((node->flags & kHasTtl) ? sizeof(int64_t) : 0);
}

struct Decoded {
  std::string_view field;
  std::string_view value;
};

Decoded Decode(const HashFieldTable::Node* node) {
  uint64_t flen, vlen;
  const uint8_t* p = GetVarint(LengthsOf(node), &flen);
  p = GetVarint(p, &vlen);
  const char* c = reinterpret_cast<const char*>(p);
  return {std::string_view(c, flen), std::string_view(c + flen, vlen)};
}

size_t NextPowerOfTwo(size_t n) { return n <= 1 ? 1 : std::bit_ceil(n); }

}  // namespace

uint64_t HashFieldTable::ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(v);
}

std::string_view HashFieldTable::FieldOf(const Node* node) { return Decode(node).field; }
std::string_view HashFieldTable::ValueOf(const Node* node) { return Decode(node).value; }

int64_t HashFieldTable::ExpireOf(const Node* node) {
  if (!(node->flags & kHasTtl)) return kNoTtl;
  int64_t at;
  std::memcpy(&at, Bytes(node) + kPrefixBytes, sizeof at);
  return at;
}

HashFieldTable::Node*& HashFieldTable::NextOf(Node* node) { return node->next; }
HashFieldTable::Node* HashFieldTable::NextOf(const Node* node) { return node->next; }

size_t HashFieldTable::NodeBytes(const Node* node) {
  Decoded d = Decode(node);
  return static_cast<size_t>(d.value.data() + d.value.size() -
                             reinterpret_cast<const char*>(node));
}

HashFieldTable::Node* HashFieldTable::NewNode(std::string_view field, std::string_view value,
                                              int64_t expire_at_ms) {
  const bool ttl = expire_at_ms != kNoTtl;
  const size_t bytes = kPrefixBytes + (ttl ? sizeof(int64_t) : 0) + VarintBytes(field.size()) +
                       VarintBytes(value.size()) + field.size() + value.size();
  auto* raw = static_cast<uint8_t*>(std::malloc(bytes));
  if (raw == nullptr) throw std::bad_alloc();
  auto* node = reinterpret_cast<Node*>(raw);
  node->next = nullptr;
  node->flags = ttl ? kHasTtl : 0;
  uint8_t* p = raw + kPrefixBytes;
  if (ttl) {
    std::memcpy(p, &expire_at_ms, sizeof expire_at_ms);
    p += sizeof expire_at_ms;
  }
  p = PutVarint(p, field.size());
  p = PutVarint(p, value.size());
  if (!field.empty()) std::memcpy(p, field.data(), field.size());
  if (!value.empty()) std::memcpy(p + field.size(), value.data(), value.size());
  return node;
}

void HashFieldTable::FreeNode(Node* node) { std::free(node); }

HashFieldTable::~HashFieldTable() {
  if (buckets_ == nullptr) return;
  for (uint64_t i = 0; i <= bucket_mask_; i++) {
    for (Node* n = buckets_[i]; n != nullptr;) {
      Node* next = n->next;
      FreeNode(n);
      n = next;
    }
  }
  std::free(buckets_);
}

std::unique_ptr<HashFieldTable> HashFieldTable::Clone() const {
  auto copy = std::make_unique<HashFieldTable>();
  copy->Reserve(size_);
  ForEach([&](const Node* n) {
    Decoded d = Decode(n);
    copy->Set(d.field, d.value, ExpireOf(n));
  });
  return copy;
}

int64_t HashFieldTable::MinExpire() const {
  if (!ttl_index_ || ttl_index_->empty()) return kNoTtl;
  return ttl_index_->begin()->first;
}

uint64_t HashFieldTable::BucketOf(std::string_view field) const {
  return KeyTable::Hash(field) & bucket_mask_;
}

HashFieldTable::Node** HashFieldTable::FindLink(std::string_view field) const {
  if (buckets_ == nullptr) return nullptr;
  Node** link = &buckets_[BucketOf(field)];
  while (*link != nullptr) {
    if (FieldOf(*link) == field) return link;
    link = &(*link)->next;
  }
  return nullptr;
}

void HashFieldTable::Prefetch(std::string_view field, int stage) const {
  if (buckets_ == nullptr) return;
  Node* const* bucket = &buckets_[BucketOf(field)];
  if (stage == 0) {
    __builtin_prefetch(bucket);
  } else if (*bucket != nullptr) {
    __builtin_prefetch(*bucket);
  }
}

const HashFieldTable::Node* HashFieldTable::Find(std::string_view field) const {
  Node** link = FindLink(field);
  return link == nullptr ? nullptr : *link;
}

void HashFieldTable::Resize(size_t buckets) {
  buckets = std::max(NextPowerOfTwo(buckets), kMinBuckets);
  auto** fresh = static_cast<Node**>(std::calloc(buckets, sizeof(Node*)));
  if (fresh == nullptr) throw std::bad_alloc();
  const uint64_t mask = buckets - 1;
  if (buckets_ != nullptr) {
    for (uint64_t i = 0; i <= bucket_mask_; i++) {
      for (Node* n = buckets_[i]; n != nullptr;) {
        Node* next = n->next;
        Node*& head = fresh[KeyTable::Hash(FieldOf(n)) & mask];
        n->next = head;
        head = n;
        n = next;
      }
    }
    std::free(buckets_);
  }
  buckets_ = fresh;
  bucket_mask_ = mask;
}

void HashFieldTable::Reserve(size_t n) {
  if (n > bucket_count()) Resize(n);
}

void HashFieldTable::GrowIfNeeded() {
  if (size_ >= bucket_count()) Resize(size_ + 1);
}

void HashFieldTable::ShrinkIfNeeded() {
  const size_t buckets = bucket_count();
  if (buckets > kMinBuckets && size_ * 8 < buckets) Resize(size_);
}

void HashFieldTable::IndexAdd(const Node* node) {
  if (!ttl_index_) ttl_index_ = std::make_unique<TtlIndex>();
  ttl_index_->emplace(ExpireOf(node), node);
}

void HashFieldTable::IndexRemove(const Node* node) {
  ttl_index_->erase({ExpireOf(node), node});
  if (ttl_index_->empty()) ttl_index_.reset();
}

bool HashFieldTable::Set(std::string_view field, std::string_view value, int64_t expire_at_ms,
                         bool keep_ttl) {
  Node** link = FindLink(field);
  if (link == nullptr) {
    GrowIfNeeded();
    Node* node = NewNode(field, value, expire_at_ms);
    Node*& head = buckets_[BucketOf(field)];
    node->next = head;
    head = node;
    size_++;
    if (expire_at_ms != kNoTtl) IndexAdd(node);
    return true;
  }
  Node* old = *link;
  const int64_t old_ttl = ExpireOf(old);
  const int64_t ttl = keep_ttl ? old_ttl : expire_at_ms;
  // The old node holds `field` (and maybe `value`): build the new one first.
  Node* node = NewNode(FieldOf(old), value, ttl);
  node->next = old->next;
  *link = node;
  if (old_ttl != kNoTtl) IndexRemove(old);
  if (ttl != kNoTtl) IndexAdd(node);
  FreeNode(old);
  return false;
}

bool HashFieldTable::SetExpire(std::string_view field, int64_t expire_at_ms) {
  Node** link = FindLink(field);
  if (link == nullptr) return false;
  Node* node = *link;
  const int64_t old_ttl = ExpireOf(node);
  if (old_ttl == expire_at_ms) return true;
  if ((old_ttl != kNoTtl) && (expire_at_ms != kNoTtl)) {
    // Same layout: rewrite the time in place.
    IndexRemove(node);
    std::memcpy(reinterpret_cast<uint8_t*>(node) + kPrefixBytes, &expire_at_ms,
                sizeof expire_at_ms);
    IndexAdd(node);
    return true;
  }
  Decoded d = Decode(node);
  Node* fresh = NewNode(d.field, d.value, expire_at_ms);
  fresh->next = node->next;
  *link = fresh;
  if (old_ttl != kNoTtl) IndexRemove(node);
  if (expire_at_ms != kNoTtl) IndexAdd(fresh);
  FreeNode(node);
  return true;
}

void HashFieldTable::EraseAt(Node** link) {
  Node* node = *link;
  *link = node->next;
  if (node->flags & kHasTtl) IndexRemove(node);
  FreeNode(node);
  size_--;
}

bool HashFieldTable::Erase(std::string_view field) {
  Node** link = FindLink(field);
  if (link == nullptr) return false;
  EraseAt(link);
  ShrinkIfNeeded();
  return true;
}

size_t HashFieldTable::CountExpired(int64_t now_ms) const {
  if (!ttl_index_) return 0;
  size_t n = 0;
  for (const auto& [at_ms, node] : *ttl_index_) {
    if (at_ms >= now_ms) break;
    n++;
  }
  return n;
}

const HashFieldTable::Node* HashFieldTable::RandomNode(Random& random) const {
  // Rejection sampling: a random bucket and a random slot in [0, kSlots);
  // keep the node in that slot of the chain if there is one. Every node is
  // equally likely as long as no chain is longer than kSlots (at load factor
  // <= 1 a longer one is vanishingly rare), unlike "random bucket, then
  // random node of its chain", which favours nodes in short chains.
  constexpr uint64_t kSlots = 8;
  for (;;) {
    const Node* n = buckets_[random.Uniform(bucket_mask_ + 1)];
    for (uint64_t slot = random.Uniform(kSlots); n != nullptr && slot > 0; slot--) n = n->next;
    if (n != nullptr) return n;
  }
}

size_t HashFieldTable::MemoryUsage() const {
  size_t bytes = sizeof(*this) + bucket_count() * sizeof(Node*);
  ForEach([&](const Node* n) { bytes += NodeBytes(n); });
  // An std::set node: three pointers and a colour, plus the pair.
  if (ttl_index_) bytes += sizeof(TtlIndex) + ttl_index_->size() * (4 * sizeof(void*) + 16);
  return bytes;
}

}  // namespace lodestone
