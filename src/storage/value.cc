// Value: encodings of strings and ownership of collections. See value.h.
#include "storage/value.h"

#include <ctime>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "common/strings.h"
#include "storage/eviction.h"

namespace lodestone {

// kRaw heap block: one malloc of sizeof(RawBuffer) + capacity bytes.
struct Value::RawBuffer {
  size_t length;
  size_t capacity;
  char* bytes() { return reinterpret_cast<char*>(this + 1); }
};

// kEmbstr heap block for 9..44 bytes: one malloc of 1 + length bytes.
struct Value::EmbstrBuffer {
  uint8_t length;
  char* bytes() { return reinterpret_cast<char*>(this + 1); }
};

namespace {

void* CheckedMalloc(size_t n) {
  void* p = std::malloc(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

// sds's greedy growth: double up to 1 MiB, then add 1 MiB at a time.
constexpr size_t kGrowthStepLimit = 1024 * 1024;
size_t GrownCapacity(size_t needed) {
  return needed < kGrowthStepLimit ? needed * 2 : needed + kGrowthStepLimit;
}

}  // namespace

Collection::~Collection() = default;

const char* EncodingName(Encoding encoding) {
  switch (encoding) {
    case Encoding::kRaw: return "raw";
    case Encoding::kInt: return "int";
    case Encoding::kHashtable: return "hashtable";
    case Encoding::kIntset: return "intset";
    case Encoding::kSkiplist: return "skiplist";
    case Encoding::kEmbstr: return "embstr";
    case Encoding::kQuicklist: return "quicklist";
    case Encoding::kStream: return "stream";
    case Encoding::kListpack: return "listpack";
    case Encoding::kListpackEx: return "listpackex";
  }
  return "unknown";
}

const char* TypeName(ObjType type) {
  switch (type) {
    case ObjType::kString: return "string";
    case ObjType::kList: return "list";
    case ObjType::kSet: return "set";
    case ObjType::kZSet: return "zset";
    case ObjType::kHash: return "hash";
    case ObjType::kStream: return "stream";
  }
  return "unknown";
}

void Value::SetEmpty() noexcept {
  type_ = ObjType::kString;
  encoding_ = Encoding::kInt;
  inline_len_ = kNotInline;
  lru_ = 0;
  u_.integer = 0;
}

void Value::Release() noexcept {
  if (type_ != ObjType::kString) {
    delete u_.collection;
  } else if (encoding_ == Encoding::kRaw) {
    std::free(u_.raw);
  } else if (encoding_ == Encoding::kEmbstr && inline_len_ == kNotInline) {
    std::free(u_.embstr);
  }
}

Value::Value(Value&& other) noexcept
    : type_(other.type_),
      encoding_(other.encoding_),
      inline_len_(other.inline_len_),
      lru_(other.lru_),
      u_(other.u_) {
  if (inline_len_ == kInTail) DetachTailFrom(other);
  other.SetEmpty();
}

Value& Value::operator=(Value&& other) noexcept {
  if (this != &other) {
    Release();
    type_ = other.type_;
    encoding_ = other.encoding_;
    inline_len_ = other.inline_len_;
    lru_ = other.lru_;
    u_ = other.u_;
    if (inline_len_ == kInTail) DetachTailFrom(other);
    other.SetEmpty();
  }
  return *this;
}

// Whether new objects start with LFU data (an LFU maxmemory policy).
static std::atomic<bool> lfu_clock{false};

void Value::SetLfuClock(bool on) { lfu_clock.store(on, std::memory_order_relaxed); }

// The access clock a new object starts with (OBJECT IDLETIME counts from
// creation, as Redis's createObject stamps LRU_CLOCK()); under an LFU policy,
// the current minute and the initial counter (OBJECT FREQ is 5).
static uint32_t LruClockNow() {
  time_t now = time(nullptr);
  if (lfu_clock.load(std::memory_order_relaxed)) return LfuNew(int64_t(now) * 1000);
  return static_cast<uint32_t>(now);
}

Value Value::Int(int64_t v) {
  Value value;
  value.u_.integer = v;
  value.lru_ = LruClockNow();
  return value;
}

Value Value::String(std::string_view bytes) {
  int64_t n;
  if (bytes.size() <= kIntEncodingMaxLength && ParseInt64(bytes, &n)) {
    return Int(n);
  }
  return PlainString(bytes);
}

Value Value::PlainString(std::string_view bytes) {
  if (bytes.size() > kEmbstrMaxLength) return RawString(bytes);
  Value value;
  value.encoding_ = Encoding::kEmbstr;
  value.lru_ = LruClockNow();
  if (bytes.size() <= kInlineMax) {
    value.inline_len_ = static_cast<uint8_t>(bytes.size());
    if (!bytes.empty()) std::memcpy(value.u_.inline_bytes, bytes.data(), bytes.size());
  } else {
    value.u_.embstr = NewEmbstr(bytes);
  }
  return value;
}

Value Value::RawString(std::string_view bytes) {
  Value value;
  value.encoding_ = Encoding::kRaw;
  value.lru_ = LruClockNow();
  value.u_.raw = NewRaw(bytes, bytes.size());
  return value;
}

Value Value::Object(ObjType type, Encoding encoding,
                    std::unique_ptr<Collection> collection) {
  Value value;
  value.type_ = type;
  value.encoding_ = encoding;
  value.lru_ = LruClockNow();
  value.u_.collection = collection.release();
  return value;
}

Value Value::Clone() const {
  if (IsString()) return CloneString();
  Value copy = Object(type_, encoding_, u_.collection->Clone());
  copy.lru_ = lru_;
  return copy;
}

Value Value::CloneString() const {
  if (encoding_ == Encoding::kInt) {
    Value copy = Int(u_.integer);
    copy.lru_ = lru_;
    return copy;
  }
  char scratch[kValueScratchSize];
  std::string_view bytes = StringBytes(scratch);
  Value copy;
  if (encoding_ == Encoding::kRaw) {
    copy = RawString(bytes);
  } else {
    copy = PlainString(bytes);  // embstr, even when the bytes look like an integer
  }
  copy.lru_ = lru_;
  return copy;
}

size_t Value::MemoryUsage() const {
  if (type_ != ObjType::kString) return u_.collection->MemoryUsage();
  switch (encoding_) {
    case Encoding::kRaw:
      return sizeof(RawBuffer) + u_.raw->capacity;
    case Encoding::kEmbstr:
      if (inline_len_ <= kInlineMax) return 0;
      if (inline_len_ == kInTail) return u_.tail.length;
      return 1 + size_t{u_.embstr->length};
    default:
      return 0;
  }
}

std::string_view Value::StringBytes(char* scratch) const {
  switch (encoding_) {
    case Encoding::kInt:
      return {scratch, FormatInt64(u_.integer, scratch)};
    case Encoding::kRaw:
      return {u_.raw->bytes(), u_.raw->length};
    default:  // kEmbstr
      if (inline_len_ <= kInlineMax) return {u_.inline_bytes, inline_len_};
      if (inline_len_ == kInTail) {
        return {reinterpret_cast<const char*>(this) + u_.tail.offset, u_.tail.length};
      }
      return {u_.embstr->bytes(), u_.embstr->length};
  }
}

size_t Value::StringLength() const {
  switch (encoding_) {
    case Encoding::kInt:
      return static_cast<size_t>(LengthOfInt64(u_.integer));
    case Encoding::kRaw:
      return u_.raw->length;
    default:
      if (inline_len_ <= kInlineMax) return inline_len_;
      if (inline_len_ == kInTail) return u_.tail.length;
      return u_.embstr->length;
  }
}

size_t Value::RawCapacity() const {
  return encoding_ == Encoding::kRaw ? u_.raw->capacity : 0;
}

Value::RawBuffer* Value::NewRaw(std::string_view bytes, size_t capacity) {
  auto* buf = static_cast<RawBuffer*>(CheckedMalloc(sizeof(RawBuffer) + capacity));
  buf->length = bytes.size();
  buf->capacity = capacity;
  if (!bytes.empty()) std::memcpy(buf->bytes(), bytes.data(), bytes.size());
  return buf;
}

Value::EmbstrBuffer* Value::NewEmbstr(std::string_view bytes) {
  auto* buf = static_cast<EmbstrBuffer*>(CheckedMalloc(1 + bytes.size()));
  buf->length = static_cast<uint8_t>(bytes.size());
  std::memcpy(buf->bytes(), bytes.data(), bytes.size());
  return buf;
}

// ---- Entry tail ----------------------------------------------------------

bool Value::LooksLikeInt(std::string_view bytes) {
  int64_t n;
  return ParseInt64(bytes, &n);
}

size_t Value::HeapEmbstrLength() const { return u_.embstr->length; }

void Value::MoveBytesToTail(char* dest) {
  EmbstrBuffer* buf = u_.embstr;
  std::memcpy(dest, buf->bytes(), buf->length);
  inline_len_ = kInTail;
  u_.tail.length = buf->length;
  u_.tail.offset = static_cast<uint32_t>(dest - reinterpret_cast<char*>(this));
  std::free(buf);
}

void Value::AssignTail(char* dest, std::string_view bytes) {
  // Copy before releasing: `bytes` may lie in the old value (its tail, which
  // may overlap `dest`, or its heap buffer).
  std::memmove(dest, bytes.data(), bytes.size());
  Release();
  type_ = ObjType::kString;
  encoding_ = Encoding::kEmbstr;
  inline_len_ = kInTail;
  lru_ = LruClockNow();
  u_.tail.length = static_cast<uint32_t>(bytes.size());
  u_.tail.offset = static_cast<uint32_t>(dest - reinterpret_cast<char*>(this));
}

void Value::DetachTailFrom(const Value& other) {
  // Allocation failure here ends the process (this runs inside noexcept
  // moves); it only happens when a tail string is moved out of its Entry.
  const char* bytes = reinterpret_cast<const char*>(&other) + other.u_.tail.offset;
  u_.embstr = NewEmbstr({bytes, other.u_.tail.length});
  inline_len_ = kNotInline;
}

// ---- In-place edits --------------------------------------------------------

void Value::MakeRaw(size_t min_capacity) {
  if (encoding_ == Encoding::kRaw) {
    RawBuffer* buf = u_.raw;
    if (buf->capacity >= min_capacity) return;
    size_t capacity = GrownCapacity(min_capacity);
    void* grown = std::realloc(buf, sizeof(RawBuffer) + capacity);
    if (grown == nullptr) throw std::bad_alloc();
    u_.raw = static_cast<RawBuffer*>(grown);
    u_.raw->capacity = capacity;
    return;
  }
  // From kInt or kEmbstr (or the empty state): copy the current bytes into a
  // fresh raw buffer. A string converted for an edit is about to grow, so
  // leave room only when the caller asked for more than the current length.
  char scratch[kValueScratchSize];
  std::string_view current = StringBytes(scratch);
  size_t capacity = min_capacity > current.size() && current.size() > 0
                        ? GrownCapacity(min_capacity)
                        : std::max(min_capacity, current.size());
  RawBuffer* buf = NewRaw(current, capacity);
  Release();
  encoding_ = Encoding::kRaw;
  inline_len_ = kNotInline;
  u_.raw = buf;
}

size_t Value::Append(std::string_view bytes) {
  size_t length = StringLength();
  MakeRaw(length + bytes.size());
  RawBuffer* buf = u_.raw;
  if (!bytes.empty()) std::memcpy(buf->bytes() + buf->length, bytes.data(), bytes.size());
  buf->length += bytes.size();
  return buf->length;
}

std::span<char> Value::MutableBytes(size_t min_len) {
  size_t length = StringLength();
  MakeRaw(std::max(length, min_len));
  RawBuffer* buf = u_.raw;
  if (min_len > buf->length) {
    std::memset(buf->bytes() + buf->length, 0, min_len - buf->length);
    buf->length = min_len;
  }
  return {buf->bytes(), buf->length};
}

void Value::TrimSpare() {
  if (encoding_ != Encoding::kRaw) return;
  RawBuffer* buf = u_.raw;
  if (buf->capacity - buf->length <= buf->length / 10) return;
  void* shrunk = std::realloc(buf, sizeof(RawBuffer) + buf->length);
  if (shrunk == nullptr) return;  // Keep the larger block.
  u_.raw = static_cast<RawBuffer*>(shrunk);
  u_.raw->capacity = u_.raw->length;
}

void Value::ReplaceCollection(Encoding encoding,
                              std::unique_ptr<Collection> collection) {
  delete u_.collection;
  u_.collection = collection.release();
  encoding_ = encoding;
}

}  // namespace lodestone
