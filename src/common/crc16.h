// CRC16 and the Redis Cluster hash slot of a key.
//
// Lodestone assigns keys to shards by hash slot, so keys sharing a {hash tag}
// always live on one shard, exactly as they would on one Redis Cluster node.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lodestone {

inline constexpr int kClusterSlots = 16384;

// CRC-16/XMODEM (polynomial 0x1021, initial value 0, no reflection, no final
// xor), the variant Redis Cluster uses. Crc16("123456789", 9) == 0x31C3.
uint16_t Crc16(const char* buf, size_t len);

// keyHashSlot: CRC16 of the key modulo kClusterSlots, or of its hash tag: the
// bytes between the first '{' and the first '}' after it, when there is at
// least one such byte. "{user1000}.following" hashes "user1000"; "foo{}{bar}"
// hashes the whole key; "foo{{bar}}zap" hashes "{bar"; "foo{bar}{zap}" hashes
// "bar".
uint16_t KeyHashSlot(std::string_view key);

}  // namespace lodestone
