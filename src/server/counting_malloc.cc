// The server's allocator front end: every malloc/free and C++ new/delete of
// the process goes to mimalloc, and the usable size of each allocation is
// added to (or taken from) a per-thread counter. The sum of the counters is
// used_memory (common/memory_accounting.h), exact to the byte as Redis's
// zmalloc figure, at the cost of one usable-size lookup and one unlocked add
// per call.
//
// Definitions in the executable take precedence over those of the shared
// libraries (libc, libstdc++, libmimalloc's own overrides), so everything,
// including libc's internal calls and Lua, comes through here.
//
// Counters. Each thread claims a slot of `slots` on its first allocation and
// is the only writer of it (a relaxed load and store: no locked instruction).
// A slot is handed back when its thread exits, keeping its count (memory the
// thread allocated may live on), and the next new thread continues it: the
// sum stays exact. Slot 0 is shared (atomic adds) by threads that find no
// free slot, and by a thread after its slot was released at exit.
#include <mimalloc.h>
#include <pthread.h>

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <new>

namespace {

constexpr int kSlots = 512;

struct alignas(64) Slot {
  std::atomic<int64_t> bytes{0};
};

Slot slots[kSlots];
std::atomic<int> slots_used{1};  // slot 0 is the shared one

// Released slots, reused by new threads (guarded by free_lock).
std::atomic_flag free_lock = ATOMIC_FLAG_INIT;
int free_slots[kSlots];
int free_count = 0;

pthread_key_t exit_key;
std::atomic<int> exit_key_state{0};  // 0 none, 1 creating, 2 ready

// 0: not claimed yet; -1: released at thread exit (use the shared slot);
// otherwise the slot index. Zero-initialized, so no TLS guard.
thread_local int tl_slot = 0;

void Lock() {
  while (free_lock.test_and_set(std::memory_order_acquire)) {
  }
}
void Unlock() { free_lock.clear(std::memory_order_release); }

void ReleaseSlot(void* value) {
  int slot = int(reinterpret_cast<intptr_t>(value));
  tl_slot = -1;
  Lock();
  free_slots[free_count++] = slot;
  Unlock();
}

int ClaimSlot() {
  int slot = 0;
  Lock();
  if (free_count > 0) slot = free_slots[--free_count];
  Unlock();
  if (slot == 0) {
    int next = slots_used.load(std::memory_order_relaxed);
    while (next < kSlots &&
           !slots_used.compare_exchange_weak(next, next + 1, std::memory_order_relaxed)) {
    }
    if (next < kSlots) slot = next;
  }
  if (slot == 0) {
    tl_slot = -1;
    return 0;
  }
  tl_slot = slot;  // before anything below may allocate (and recurse here)
  int state = exit_key_state.load(std::memory_order_acquire);
  if (state != 2) {
    int expected = 0;
    if (exit_key_state.compare_exchange_strong(expected, 1)) {
      pthread_key_create(&exit_key, ReleaseSlot);
      exit_key_state.store(2, std::memory_order_release);
    } else {
      while (exit_key_state.load(std::memory_order_acquire) != 2) {
      }
    }
  }
  pthread_setspecific(exit_key, reinterpret_cast<void*>(intptr_t(slot)));
  return slot;
}

inline void Count(int64_t delta) {
  int slot = tl_slot;
  if (slot == 0) slot = ClaimSlot();
  if (slot > 0) {
    std::atomic<int64_t>& b = slots[slot].bytes;
    b.store(b.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
  } else {
    slots[0].bytes.fetch_add(delta, std::memory_order_relaxed);
  }
}

inline void* Counted(void* p) {
  if (p != nullptr) Count(int64_t(mi_usable_size(p)));
  return p;
}

inline void Release(void* p) {
  if (p == nullptr) return;
  Count(-int64_t(mi_usable_size(p)));
  mi_free(p);
}

void* Resize(void* p, size_t n) {
  size_t before = mi_usable_size(p);
  // Still fits, and would not be shrunk: mimalloc's realloc keeps the block
  // in place in exactly this case, so skip it (a listpack growing by a few
  // bytes per push lands here most of the time).
  if (p != nullptr && n <= before && n >= before / 2 && n > 0) return p;
  void* q = mi_realloc(p, n);
  if (q != nullptr || n == 0) {
    Count(int64_t(q != nullptr ? mi_usable_size(q) : 0) - int64_t(before));
  }
  return q;
}

}  // namespace

extern "C" {

int64_t lodestone_counted_bytes() {
  int n = slots_used.load(std::memory_order_relaxed);
  int64_t sum = 0;
  for (int i = 0; i < n; i++) sum += slots[i].bytes.load(std::memory_order_relaxed);
  return sum;
}

void* lodestone_uncounted_realloc(void* p, size_t n) { return mi_realloc(p, n); }
void lodestone_uncounted_free(void* p) { mi_free(p); }

void* malloc(size_t n) { return Counted(mi_malloc(n)); }
void* calloc(size_t count, size_t n) { return Counted(mi_calloc(count, n)); }
void* realloc(void* p, size_t n) { return Resize(p, n); }
void* reallocarray(void* p, size_t count, size_t n) {
  size_t total;
  if (__builtin_mul_overflow(count, n, &total)) {
    errno = ENOMEM;
    return nullptr;
  }
  return Resize(p, total);
}
void free(void* p) { Release(p); }
void cfree(void* p) { Release(p); }
void* aligned_alloc(size_t alignment, size_t n) { return Counted(mi_aligned_alloc(alignment, n)); }
void* memalign(size_t alignment, size_t n) { return Counted(mi_memalign(alignment, n)); }
void* valloc(size_t n) { return Counted(mi_valloc(n)); }
void* pvalloc(size_t n) { return Counted(mi_pvalloc(n)); }
int posix_memalign(void** out, size_t alignment, size_t n) {
  int rc = mi_posix_memalign(out, alignment, n);
  if (rc == 0) Counted(*out);
  return rc;
}
size_t malloc_usable_size(void* p) { return mi_usable_size(p); }

}  // extern "C"

// C++ allocation: libmimalloc exports its own operator new/delete, which
// would bypass the counters, so these are defined here too.
void* operator new(size_t n) { return Counted(mi_new(n)); }
void* operator new[](size_t n) { return Counted(mi_new(n)); }
void* operator new(size_t n, const std::nothrow_t&) noexcept { return Counted(mi_new_nothrow(n)); }
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  return Counted(mi_new_nothrow(n));
}
void* operator new(size_t n, std::align_val_t a) {
  return Counted(mi_new_aligned(n, static_cast<size_t>(a)));
}
void* operator new[](size_t n, std::align_val_t a) {
  return Counted(mi_new_aligned(n, static_cast<size_t>(a)));
}
void* operator new(size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return Counted(mi_new_aligned_nothrow(n, static_cast<size_t>(a)));
}
void* operator new[](size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
  return Counted(mi_new_aligned_nothrow(n, static_cast<size_t>(a)));
}
void operator delete(void* p) noexcept { Release(p); }
void operator delete[](void* p) noexcept { Release(p); }
void operator delete(void* p, size_t) noexcept { Release(p); }
void operator delete[](void* p, size_t) noexcept { Release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { Release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { Release(p); }
void operator delete(void* p, std::align_val_t) noexcept { Release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { Release(p); }
void operator delete(void* p, size_t, std::align_val_t) noexcept { Release(p); }
void operator delete[](void* p, size_t, std::align_val_t) noexcept { Release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { Release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  Release(p);
}
