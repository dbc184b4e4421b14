// Numbers of Redis's RDB format (version 12, Redis 7.4) shared by the writer
// and the loader: object types, length and string encodings.
//
// Length encoding (the first two bits of the first byte):
//   00aaaaaa                    a 6-bit length;
//   01aaaaaa bbbbbbbb           a 14-bit length, big-endian;
//   10000000 + 4 bytes          a 32-bit length, big-endian;
//   10000001 + 8 bytes          a 64-bit length, big-endian;
//   11eeeeee                    not a length: a string stored specially, e =
//                               0/1/2 an 8/16/32-bit little-endian integer,
//                               3 LZF (compressed length, original length,
//                               compressed bytes).
// A string is a length and its bytes, or one of the special forms.
#pragma once

#include <cstdint>

namespace lodestone::rdb {

inline constexpr int kVersion = 12;

// Object types (the byte before each value).
enum Type : uint8_t {
  kTypeString = 0,
  kTypeList = 1,
  kTypeSet = 2,
  kTypeZSet = 3,
  kTypeHash = 4,
  kTypeZSet2 = 5,
  kTypeModulePreGa = 6,
  kTypeModule2 = 7,
  kTypeHashZipmap = 9,
  kTypeListZiplist = 10,
  kTypeSetIntset = 11,
  kTypeZSetZiplist = 12,
  kTypeHashZiplist = 13,
  kTypeListQuicklist = 14,
  kTypeStreamListpacks = 15,
  kTypeHashListpack = 16,
  kTypeZSetListpack = 17,
  kTypeListQuicklist2 = 18,
  kTypeStreamListpacks2 = 19,
  kTypeSetListpack = 20,
  kTypeStreamListpacks3 = 21,
  kTypeHashMetadataPreGa = 22,
  kTypeHashListpackExPreGa = 23,
  kTypeHashMetadata = 24,
  kTypeHashListpackEx = 25,
};

inline constexpr uint8_t kLen6Bit = 0;
inline constexpr uint8_t kLen14Bit = 1;
inline constexpr uint8_t kLen32Bit = 0x80;
inline constexpr uint8_t kLen64Bit = 0x81;
inline constexpr uint8_t kEncVal = 3;
inline constexpr uint8_t kEncInt8 = 0;
inline constexpr uint8_t kEncInt16 = 1;
inline constexpr uint8_t kEncInt32 = 2;
inline constexpr uint8_t kEncLzf = 3;

// Quicklist node containers (RDB_TYPE_LIST_QUICKLIST_2).
inline constexpr uint64_t kQuicklistNodePlain = 1;
inline constexpr uint64_t kQuicklistNodePacked = 2;

// Stream listpack entry flags.
inline constexpr int64_t kStreamItemDeleted = 1;
inline constexpr int64_t kStreamItemSameFields = 2;

}  // namespace lodestone::rdb
