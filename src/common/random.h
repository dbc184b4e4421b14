// A small, fast, seedable pseudo-random generator (xoshiro256**).
//
// For sampling (RANDOMKEY, SRANDMEMBER, eviction pools, skiplist levels) and
// tests; never for anything that must be unpredictable to an attacker. Each
// thread owns its own Random; an instance is not thread-safe.
#pragma once

#include <cstdint>

namespace lodestone {

class Random {
 public:
  // Any seed is fine, 0 included: it is spread over the 256-bit state with
  // splitmix64, so nearby seeds give unrelated sequences.
  explicit Random(uint64_t seed) {
    for (uint64_t& word : state_) word = SplitMix64(&seed);
  }

  // The next 64 uniformly distributed bits.
  uint64_t Next() {
    const uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = RotateLeft(state_[3], 45);
    return result;
  }

  // Uniform in [0, n), without modulo bias (Lemire's multiply-and-reject).
  // REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n) {
    unsigned __int128 product = static_cast<unsigned __int128>(Next()) * n;
    uint64_t low = static_cast<uint64_t>(product);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;  // 2^64 mod n.
      while (low < threshold) {
        product = static_cast<unsigned __int128>(Next()) * n;
        low = static_cast<uint64_t>(product);
      }
    }
    return static_cast<uint64_t>(product >> 64);
  }

  // Uniform in [0, 1), with 53 random bits.
  double NextDouble() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

 private:
  static uint64_t RotateLeft(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  static uint64_t SplitMix64(uint64_t* x) {
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint64_t state_[4];
};

}  // namespace lodestone
