// libFuzzer target for the RDB object loader behind RESTORE
// (persistence/dump_payload.h).
//
// Input layout: byte 0 picks small or default encoding thresholds (so the
// conversions between encodings are exercised too); the rest is a DUMP
// payload body (object type and value), to which a valid footer is added, so
// every input reaches the loader rather than the checksum test. Checked:
//   - loading never crashes, hangs or leaks, whatever the bytes;
//   - a loaded value serializes, and that payload loads again with the same
//     type and encoding and, for the encodings with a deterministic order
//     (all but hash tables, and listpackex hashes, whose fields of equal TTL
//     may swap places), serializes to the very same bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "persistence/dump_payload.h"

namespace {

using lodestone::CreateDumpPayload;
using lodestone::LoadDumpPayload;
using lodestone::RdbLoadLimits;
using lodestone::RdbSaveOptions;
using lodestone::Value;

RdbLoadLimits Limits(uint8_t selector) {
  RdbLoadLimits limits;
  if (selector & 1) {
    limits.list.max_listpack_size = 4;
    limits.set = {8, 4, 8};
    limits.zset = {4, 8};
    limits.hash = {4, 8};
    limits.stream = {3, 200};
  }
  return limits;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  RdbLoadLimits limits = Limits(data[0]);
  std::string payload(reinterpret_cast<const char*>(data + 1), size - 1);
  payload.append("\x0c\x00", 2);
  payload.append(8, '\0');  // LoadDumpPayload does not check the CRC
  Value value;
  if (!LoadDumpPayload(payload, limits, &value)) return 0;
  RdbSaveOptions options;
  options.list = limits.list;
  options.stream = limits.stream;
  std::string first = CreateDumpPayload(value, options, true);
  Value again;
  if (!LoadDumpPayload(first, limits, &again)) abort();
  if (again.type() != value.type() || again.encoding() != value.encoding()) abort();
  bool ordered = value.encoding() != lodestone::Encoding::kHashtable &&
                 value.encoding() != lodestone::Encoding::kListpackEx;
  if (ordered && CreateDumpPayload(again, options, true) != first) abort();
  return 0;
}
