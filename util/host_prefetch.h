// Hints to the host CPU: start bringing the cache line at `p` into its caches.
//
// Plain __builtin_prefetch is not enough in a small function: GCC 12 finds a function
// whose only effect is a prefetch "pure" and deletes calls to it whose result is
// unused (all of them: it returns nothing), so the prefetch silently never happens.
// The empty volatile asm is an effect the compiler must keep.
#pragma once

namespace s2sim::util {

inline void host_prefetch(const void* p) {
  __builtin_prefetch(p);
  asm volatile("");
}

// The same, for a line about to be written.
inline void host_prefetch_for_write(const void* p) {
  __builtin_prefetch(p, 1);
  asm volatile("");
}

}  // namespace s2sim::util
