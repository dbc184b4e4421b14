/* LD_PRELOAD shim for tests/integration/test_hot_path.py: counts calls to
 * malloc and realloc in the process and prints the running total to stderr
 * on SIGUSR1, so a test can check that a stretch of commands allocated
 * nothing. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
static atomic_ulong n_malloc;
static void* (*real_malloc)(size_t);
static void* (*real_realloc)(void*, size_t);
static void dump(int s) { char b[64]; int l = snprintf(b, sizeof b, "mallocs=%lu\n", (unsigned long)n_malloc); write(2, b, l); }
__attribute__((constructor)) static void init(void) { signal(SIGUSR1, dump); }
void* malloc(size_t n) { if (!real_malloc) real_malloc = dlsym(RTLD_NEXT, "malloc"); atomic_fetch_add(&n_malloc, 1); return real_malloc(n); }
void* realloc(void* p, size_t n) { if (!real_realloc) real_realloc = dlsym(RTLD_NEXT, "realloc"); atomic_fetch_add(&n_malloc, 1); return real_realloc(p, n); }
