// FUNCTION DUMP / FUNCTION RESTORE payloads, in Redis's format:
//
//   payload := library* rdb-version crc
//   library := 0xF5 (RDB_OPCODE_FUNCTION2) rdb-string(library code)
//   rdb-version := 2 bytes, little-endian (we write 12, Redis 7.4's)
//   crc := CRC-64/Jones of everything before it, 8 bytes little-endian
//
// rdb-string is RDB's length-prefixed string. We write it uncompressed; the
// reader also accepts the integer and LZF-compressed forms a real Redis
// writes (rdbcompression yes compresses any code longer than 20 bytes).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "scripting/function_registry.h"

namespace lodestone {

// The payload of FUNCTION DUMP for `set` (libraries in name order).
std::string DumpFunctions(const FunctionSet& set);

// One library record (opcode 245 and the code as an RDB string) appended to
// *out: what an RDB file holds per library, before the databases.
void AppendFunctionRecord(const FunctionLibrary& library, std::string* out);

// Splits a FUNCTION RESTORE payload into library codes. On failure returns
// false with *err, Redis's text without "ERR ": "DUMP payload version or
// checksum are wrong", "can not read data type", "Pre-GA function format
// not supported", "given type is not a function", "Failed loading library
// payload".
bool ParseFunctionDump(std::string_view payload, std::vector<std::string>* codes, std::string* err);

}  // namespace lodestone
