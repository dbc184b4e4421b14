// Memory accounting: how many bytes the process has allocated, as Redis's
// used_memory (live allocations at the allocator's usable sizes, not pages).
//
// The server binary links a counting front end over mimalloc
// (server/counting_malloc.cc) that adds each allocation's usable size to a
// per-thread counter; AllocatedBytes() sums the counters. Binaries without
// it (unit tests) fall back to the sanitizer's or mimalloc's own figures.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lodestone::memory {

// Bytes allocated and not yet freed, process-wide. Exact with the counting
// allocator (a few dozen relaxed loads); otherwise the sanitizer's count,
// mimalloc's committed bytes or the resident set size, in that order.
uint64_t AllocatedBytes();

// True when AllocatedBytes() is exact (counted per allocation).
bool Exact();

// The process's resident set size (/proc/self/statm), 0 if unreadable.
uint64_t ResidentBytes();

// What the allocator has committed from the system (mimalloc's figure; the
// resident set size without mimalloc).
uint64_t CommittedBytes();

// An allocator for memory that Redis keeps out of used_memory (the Lua VMs,
// reported as used_memory_lua): lua_Alloc's contract (size 0 frees).
void* UncountedRealloc(void* ptr, size_t size);

}  // namespace lodestone::memory
