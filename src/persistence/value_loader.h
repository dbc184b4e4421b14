// Loading of one RDB object into a Value: what RESTORE does with a DUMP
// payload and what a snapshot loader does after reading each key.
//
// Every object type Redis 7.0-7.4 writes is accepted (and the older ones Redis
// 7 still reads: ziplists, zipmaps, the first list/set/zset/hash layouts), in
// any string form (integer-encoded, LZF). The result is rebuilt in our own
// encodings at our thresholds, as Redis converts on load: a big listpack
// becomes a table, a small ZSET_2 becomes a listpack, and so on.
//
// Input is untrusted. Whatever sanitize-dump-payload says, structure is
// validated completely (every blob parsed, duplicates in sets, hashes and
// sorted sets, NaN scores, stream IDs out of order, PEL entries without an
// owner...), so a corrupt payload is an error and never a crash or a broken
// invariant later: the checks cost O(n) and the loader copies every element
// anyway. An object with no elements is an error too (Redis's "empty key").
//
// Thread safety: pure; the returned Value belongs to the caller.
#pragma once

#include <cstdint>

#include "persistence/rdb_reader.h"
#include "storage/hash_value.h"
#include "storage/list_value.h"
#include "storage/set_value.h"
#include "storage/stream_value.h"
#include "storage/value.h"
#include "storage/zset_value.h"

namespace lodestone {

// The encoding thresholds of the server loading the object.
struct RdbLoadLimits {
  ListLimits list;
  SetLimits set;
  ZSetLimits zset;
  HashLimits hash;
  StreamNodeLimits stream;
};

// Whether `type` is an object type this loader knows (not a module, not an
// RDB opcode).
bool IsLoadableRdbType(uint8_t type);

// Reads an object of RDB type `type` (already consumed) into *out. False on
// any malformed, truncated or empty input, or an unknown type.
bool ReadRdbObject(RdbReader& reader, uint8_t type, const RdbLoadLimits& limits, Value* out);

}  // namespace lodestone
