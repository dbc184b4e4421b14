#include "common/memory_accounting.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

// Each of these is defined only where its provider is linked in.
extern "C" {
// server/counting_malloc.cc
int64_t lodestone_counted_bytes() __attribute__((weak));
void* lodestone_uncounted_realloc(void* ptr, size_t size) __attribute__((weak));
void lodestone_uncounted_free(void* ptr) __attribute__((weak));
// ASan/TSan runtimes
size_t __sanitizer_get_current_allocated_bytes() __attribute__((weak));
// mimalloc
void mi_process_info(size_t* elapsed_msecs, size_t* user_msecs, size_t* system_msecs,
                     size_t* current_rss, size_t* peak_rss, size_t* current_commit,
                     size_t* peak_commit, size_t* page_faults) __attribute__((weak));
}

namespace lodestone::memory {

uint64_t AllocatedBytes() {
  if (lodestone_counted_bytes != nullptr) {
    int64_t n = lodestone_counted_bytes();
    return n > 0 ? uint64_t(n) : 0;
  }
  if (__sanitizer_get_current_allocated_bytes != nullptr) {
    return __sanitizer_get_current_allocated_bytes();
  }
  return CommittedBytes();
}

uint64_t ResidentBytes() {
  unsigned long long pages_total = 0, pages_resident = 0;
  FILE* f = fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  int n = fscanf(f, "%llu %llu", &pages_total, &pages_resident);
  fclose(f);
  return n == 2 ? pages_resident * uint64_t(sysconf(_SC_PAGESIZE)) : 0;
}

uint64_t CommittedBytes() {
  if (mi_process_info == nullptr) return ResidentBytes();
  size_t elapsed, user, sys, rss, peak_rss, commit = 0, peak_commit, faults;
  mi_process_info(&elapsed, &user, &sys, &rss, &peak_rss, &commit, &peak_commit, &faults);
  return commit;
}

bool Exact() {
  return lodestone_counted_bytes != nullptr || __sanitizer_get_current_allocated_bytes != nullptr;
}

void* UncountedRealloc(void* ptr, size_t size) {
  if (lodestone_uncounted_realloc == nullptr) {
    if (size == 0) {
      std::free(ptr);
      return nullptr;
    }
    return std::realloc(ptr, size);
  }
  if (size == 0) {
    lodestone_uncounted_free(ptr);
    return nullptr;
  }
  return lodestone_uncounted_realloc(ptr, size);
}

}  // namespace lodestone::memory
