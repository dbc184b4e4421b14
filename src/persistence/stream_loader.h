// Loading of the stream RDB types (STREAM_LISTPACKS, _2 and _3) into a
// StreamValue: the entries' listpack nodes, the stream's metadata, and the
// consumer groups with their PELs. Part of value_loader; same contract.
#pragma once

#include <cstdint>

#include "persistence/rdb_reader.h"
#include "storage/stream_value.h"
#include "storage/value.h"

namespace lodestone {

// Reads a stream of RDB type `type` into *out; false when malformed.
bool LoadStream(RdbReader& reader, uint8_t type, const StreamNodeLimits& limits, Value* out);

}  // namespace lodestone
