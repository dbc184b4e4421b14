// Value: what a key maps to — Redis's robj, reduced to 16 bytes and one owner.
//
// A string is stored in one of three ways, chosen by the same rules Redis's
// tryObjectEncoding applies, so OBJECT ENCODING answers what Redis answers:
//   kInt     an int64 held inline (the string's bytes are its decimal form);
//   kEmbstr  up to 44 bytes, never resized in place. Strings of up to 8 bytes
//            live inside the Value itself (no allocation at all). Longer ones
//            live in the tail of the Entry block that holds the Value (after
//            the key: one allocation for key and value, see entry.h), or, in
//            a Value that is not in an Entry (or whose Entry block has no
//            room), in one malloc holding a 1-byte length and the bytes;
//   kRaw     one malloc holding length, capacity and bytes, grown like an sds
//            (doubling below 1 MiB, then by 1 MiB) so repeated APPEND, SETRANGE
//            and SETBIT are amortized O(added bytes).
// Every other type holds a Collection (list, set, hash, zset, stream) that the
// Value owns; its encoding is set by the code that builds it.
//
// Thread safety: none. A Value belongs to one shard and only its thread uses it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace lodestone {

// Redis's OBJ_* type numbers (they appear in RDB files and module APIs).
enum class ObjType : uint8_t {
  kString = 0,
  kList = 1,
  kSet = 2,
  kZSet = 3,
  kHash = 4,
  kStream = 6,
};

// Redis's OBJ_ENCODING_* numbers.
enum class Encoding : uint8_t {
  kRaw = 0,
  kInt = 1,
  kHashtable = 2,
  kIntset = 6,
  kSkiplist = 7,
  kEmbstr = 8,
  kQuicklist = 9,
  kStream = 10,
  kListpack = 11,
  kListpackEx = 12,  // a listpack hash with field TTLs (Redis 7.4)
};

// The name OBJECT ENCODING prints: "raw", "int", "hashtable", "intset",
// "skiplist", "embstr", "quicklist", "stream", "listpack". Static storage.
const char* EncodingName(Encoding encoding);

// The name TYPE prints: "string", "list", "set", "zset", "hash", "stream".
const char* TypeName(ObjType type);

// Longest string stored as kEmbstr (Redis's OBJ_ENCODING_EMBSTR_SIZE_LIMIT).
inline constexpr size_t kEmbstrMaxLength = 44;
// Longest string that may parse as an integer (tryObjectEncoding's limit).
inline constexpr size_t kIntEncodingMaxLength = 20;
// Size of the scratch buffer StringBytes needs for int-encoded strings.
inline constexpr size_t kValueScratchSize = 21;

// Base of every non-string payload. Subclasses live in storage/ (issue 3).
class Collection {
 public:
  virtual ~Collection();
  // Heap bytes this collection owns, including the object itself.
  virtual size_t MemoryUsage() const = 0;
  // A deep copy (COPY, and later snapshots).
  virtual std::unique_ptr<Collection> Clone() const = 0;
  // Elements with their own expiry (hash fields with a TTL). A collection
  // that has some is tracked by its Db, whose cron calls PurgeExpired.
  virtual bool HasVolatileElements() const { return false; }
  // Removes up to `max` expired elements; returns how many were removed.
  virtual size_t PurgeExpired(int64_t now_ms, size_t max) {
    (void)now_ms;
    (void)max;
    return 0;
  }
  // No elements left (the key must then be deleted).
  virtual bool IsEmpty() const { return false; }
  // Prefetch hints for a lookup of `member` (a set member, a hash field) due
  // soon, in two stages called in order with time between them (see
  // Client::PrefetchKeys). Nothing by default.
  virtual void PrefetchMember(std::string_view member, int stage) const {
    (void)member;
    (void)stage;
  }
};

class Value {
 public:
  // A default-constructed or moved-from Value is the integer string 0 and owns
  // nothing.
  Value() noexcept { SetEmpty(); }
  ~Value() { Release(); }
  Value(Value&& other) noexcept;
  Value& operator=(Value&& other) noexcept;
  Value(const Value&) = delete;
  Value& operator=(const Value&) = delete;

  // --- Construction -------------------------------------------------------

  // A string with Redis's encoding choice (tryObjectEncoding): kInt when
  // bytes.size() <= 20 and it parses by string2ll rules (an optional '-', no
  // leading zeros, spaces or '+', within int64); else kEmbstr when it is at
  // most 44 bytes; else kRaw. This is what SET, and any command storing a
  // client-supplied string, uses.
  static Value String(std::string_view bytes);
  // Always kRaw, never an integer: the result of APPEND, SETRANGE, SETBIT and
  // anything else Redis builds as a raw sds.
  static Value RawString(std::string_view bytes);
  // kEmbstr when at most 44 bytes, else kRaw; never an integer even when the
  // bytes look like one (Redis's createStringObject, used by INCRBYFLOAT).
  static Value PlainString(std::string_view bytes);
  // kInt (INCR, DECRBY, ... results).
  static Value Int(int64_t v);
  // REQUIRES: type != kString; collection != nullptr.
  static Value Object(ObjType type, Encoding encoding,
                      std::unique_ptr<Collection> collection);
  // A deep copy of a string value, same encoding. REQUIRES: type() == kString.
  Value CloneString() const;
  // A deep copy of any value (strings, or collections through Collection::Clone).
  Value Clone() const;

  // --- Metadata -----------------------------------------------------------

  ObjType type() const { return type_; }
  Encoding encoding() const { return encoding_; }
  bool IsString() const { return type_ == ObjType::kString; }
  // For conversions inside a collection (listpack -> hashtable, ...).
  // REQUIRES: type() != kString (string encodings are managed here).
  void set_encoding(Encoding encoding) { encoding_ = encoding; }

  // 24 bits of LRU clock in seconds (OBJECT IDLETIME), or LFU data
  // (minutes << 8 | counter), as the eviction policy decides. 32 bits are
  // kept; the policy may use all of them.
  uint32_t lru() const { return lru_; }
  void set_lru(uint32_t lru) { lru_ = lru; }
  // Any thread: whether new values get LFU data rather than an LRU clock
  // (set when an LFU maxmemory policy is chosen; see storage/eviction.h).
  static void SetLfuClock(bool on);

  // Heap bytes owned by this value, not counting sizeof(Value) itself (the
  // Value is embedded in its Entry). 0 for int-encoded and inline strings;
  // for a string in its Entry's tail, the length of those bytes.
  size_t MemoryUsage() const;

  // --- Strings (REQUIRES: IsString()) -------------------------------------

  bool IsInt() const { return encoding_ == Encoding::kInt; }
  // REQUIRES: IsInt().
  int64_t int_value() const { return u_.integer; }
  // The bytes of the string whatever its encoding. `scratch` must hold
  // kValueScratchSize bytes and is used only for kInt. The view is valid until
  // the Value (or scratch) is mutated, moved or destroyed.
  std::string_view StringBytes(char* scratch) const;
  // Length in bytes (for kInt, of the decimal form). O(1).
  size_t StringLength() const;

  // In-place edits. Both turn the value into kRaw first (as Redis's
  // dbUnshareStringValue does) and grow the buffer with sds's greedy policy.
  //
  // Appends `bytes`; returns the new length. `bytes` must not point into this
  // value's own buffer.
  size_t Append(std::string_view bytes);
  // Makes the string at least `min_len` bytes long, zero-filling new bytes,
  // and returns all of its bytes for writing (SETRANGE, SETBIT). The span is
  // valid until the next mutation of this Value.
  std::span<char> MutableBytes(size_t min_len);
  // Releases spare capacity when it exceeds a tenth of the length (Redis's
  // trimStringObjectIfNeeded). No-op for non-raw strings.
  void TrimSpare();
  // Bytes allocated for a kRaw string's contents (>= StringLength()); 0 else.
  size_t RawCapacity() const;

  // --- Collections (REQUIRES: !IsString()) ---------------------------------

  Collection* collection() { return u_.collection; }
  const Collection* collection() const { return u_.collection; }
  // Replaces the payload with one of another encoding; the old one is freed.
  void ReplaceCollection(Encoding encoding,
                         std::unique_ptr<Collection> collection);

 private:
  // Entry places embstr bytes in its own block (the "tail"), through the
  // private tail functions below.
  friend struct Entry;

  struct RawBuffer;      // kRaw heap block.
  struct EmbstrBuffer;   // kEmbstr heap block (9..44 bytes).

  // inline_len_ values other than an inline length (0..kInlineMax).
  static constexpr uint8_t kNotInline = 0xff;  // kEmbstr in an EmbstrBuffer
  static constexpr uint8_t kInTail = 0xfe;     // kEmbstr in the Entry's tail
  static constexpr size_t kInlineMax = 8;

  // --- Entry tail --------------------------------------------------------
  //
  // A tail string's bytes lie at a fixed offset from the Value itself (in the
  // same Entry block), recorded in u_.tail: the Value needs no pointer and no
  // knowledge of Entry. Such a Value must not be copied bytewise; moving it
  // out (move construction or assignment) copies the bytes into an
  // EmbstrBuffer, since the tail stays with the block.

  // Whether String(bytes) would be an embstr too long to be inline, i.e. one
  // whose bytes an Entry can hold in its tail.
  static bool IsTailString(std::string_view bytes) {
    if (bytes.size() <= kInlineMax || bytes.size() > kEmbstrMaxLength) return false;
    return bytes.size() > kIntEncodingMaxLength || !LooksLikeInt(bytes);
  }
  // Whether `bytes` parse as an int64 by Value::String's rules.
  static bool LooksLikeInt(std::string_view bytes);
  // Whether this is an embstr held in an EmbstrBuffer (a tail candidate).
  bool IsHeapEmbstr() const {
    return encoding_ == Encoding::kEmbstr && inline_len_ == kNotInline;
  }
  // Length of the EmbstrBuffer's bytes. REQUIRES: IsHeapEmbstr().
  size_t HeapEmbstrLength() const;
  // Moves this heap embstr's bytes to `dest` and frees the buffer.
  // REQUIRES: IsHeapEmbstr(); `dest` is in the same block as this Value, at
  // most 4 GiB after it, with room for the bytes.
  void MoveBytesToTail(char* dest);
  // Makes this the embstr `bytes` (IsTailString) held at `dest` (same rules),
  // stamped with the current access clock; the old value is released.
  // `bytes` may point into the old value.
  void AssignTail(char* dest, std::string_view bytes);
  // Moving a tail string: `this` has taken `other`'s fields; give it its own
  // copy of the bytes.
  void DetachTailFrom(const Value& other);

  // A raw block holding `bytes`, with room for `capacity` >= bytes.size().
  static RawBuffer* NewRaw(std::string_view bytes, size_t capacity);
  // An embstr block holding `bytes` (9..44 of them).
  static EmbstrBuffer* NewEmbstr(std::string_view bytes);
  void SetEmpty() noexcept;
  void Release() noexcept;
  // Converts any string encoding to kRaw with capacity >= `min_capacity`.
  void MakeRaw(size_t min_capacity);

  ObjType type_;
  Encoding encoding_;
  uint8_t inline_len_;  // kEmbstr stored in u_.inline_bytes, else kNotInline.
  uint8_t reserved_ = 0;
  uint32_t lru_;
  union Payload {
    int64_t integer;
    char inline_bytes[kInlineMax];
    EmbstrBuffer* embstr;
    RawBuffer* raw;
    Collection* collection;
    struct {
      uint32_t offset;  // From this Value to the bytes.
      uint32_t length;
    } tail;
  } u_;
};

static_assert(sizeof(Value) == 16, "Value must stay 16 bytes");

}  // namespace lodestone
