// Pieces shared by the generic keyspace command files (key_commands.cc,
// expire_commands.cc).
#pragma once

#include <cstdint>

#include "engine/command_table.h"

namespace lodestone {

// Registers EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT, TTL, PTTL, EXPIRETIME,
// PEXPIRETIME and PERSIST. Called by RegisterKeyCommands.
void RegisterExpireCommands(CommandTable& table);

// OBJECT IDLETIME: seconds since `lru` (a value's access time in seconds,
// modulo 2^32, as LookupRead stamps it).
uint32_t IdleSeconds(uint32_t lru, int64_t now_ms);

// OBJECT FREQ: Redis's LFUDecrAndReturn on a value's LFU field (last
// decrement time in minutes << 8 | logarithmic counter): the counter less one
// per `decay_minutes` elapsed (no decay when decay_minutes is 0).
int64_t LfuDecayedCounter(uint32_t lfu, int64_t now_ms, int64_t decay_minutes);

}  // namespace lodestone
