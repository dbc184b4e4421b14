// Serialization of one Value in Redis 7.4's RDB object format (version 12):
// what DUMP emits and what a snapshot writes after each key.
//
// Types chosen per encoding, as Redis's rdbSaveObjectType does:
//   string                      STRING (int-encoded, raw, or LZF-compressed)
//   list (listpack/quicklist)   LIST_QUICKLIST_2, a listpack per node
//   set intset/listpack/table   SET_INTSET / SET_LISTPACK / SET
//   zset listpack/skiplist      ZSET_LISTPACK / ZSET_2 (binary doubles)
//   hash listpack               HASH_LISTPACK
//   hash listpackex             HASH_LISTPACK_EX (min expiry, then triples)
//   hash table                  HASH, or HASH_METADATA when a field has a TTL
//   stream                      STREAM_LISTPACKS_3 with groups and PELs
// Output is streamed through the RdbWriter: nothing bigger than one node's
// listpack is built in memory.
//
// Thread safety: the value must not change during the call (the owning
// shard's thread, or a parked shard).
#pragma once

#include <cstdint>

#include "persistence/rdb_writer.h"
#include "storage/list_value.h"
#include "storage/stream_value.h"
#include "storage/value.h"

namespace lodestone {

// Settings that shape the output (not the meaning) of a serialized value.
struct RdbSaveOptions {
  // list-max-listpack-size, to tell which nodes Redis would keep "plain".
  ListLimits list;
  // stream-node-max-entries / -bytes: where stream nodes are cut.
  StreamNodeLimits stream;
};

// The RDB object type byte for `value` (rdb_format.h).
uint8_t RdbObjectType(const Value& value);

// Writes the type byte and then the value.
void WriteRdbObject(RdbWriter& writer, const Value& value, const RdbSaveOptions& options);

}  // namespace lodestone
