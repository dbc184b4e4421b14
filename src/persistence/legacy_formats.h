// Readers for the packed blobs of RDB versions before 10 (Redis <= 6.2):
// the ziplist (lists, hashes and sorted sets) and the zipmap (hashes, before
// 2.6). Redis 7 still loads them, converting on the way; so do we. Both
// parsers validate untrusted input completely and copy the elements out.
//
// ziplist := zlbytes:u32le zltail:u32le zllen:u16le entry* 0xff
//   entry := prevlen (1 byte < 254, or 254 + u32le) encoding payload
//   encoding: 00llllll / 01llllll llllllll / 10000000 + u32be: a string of
//   that length; 0xc0 int16, 0xd0 int32, 0xe0 int64, 0xf0 int24, 0xfe int8
//   (little-endian); 0xf1..0xfd the integer 0..12 itself.
// zipmap := zmlen:u8 (len key len free value free-bytes)* 0xff
//   len := 1 byte < 254, or 254 + u32le.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lodestone {

// The elements of a ziplist, integers in decimal; false if malformed.
bool ParseZiplist(std::string_view blob, std::vector<std::string>* elements);

// The keys and values of a zipmap, alternating; false if malformed.
bool ParseZipmap(std::string_view blob, std::vector<std::string>* elements);

}  // namespace lodestone
