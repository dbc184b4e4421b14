// Wall-clock and monotonic time in the units Redis uses.
#pragma once

#include <cstdint>
#include <ctime>

namespace lodestone {

inline int64_t WallTimeUs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}
inline int64_t WallTimeMs() { return WallTimeUs() / 1000; }

inline int64_t MonotonicUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

}  // namespace lodestone
