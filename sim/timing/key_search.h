// The tag match of a set-associative lookup, by fingerprint.
//
// TLBs, the walk cache and the cache model's tag arrays keep, besides each way's
// full tag, a 32-bit fingerprint of it (0 marks a free way), and search a set by
// fingerprint first. Every simulated access searches several sets (a walk-heavy
// access searches a 32-way micro TLB twice, the walk cache, the main TLB and two
// cache levels); comparing sixteen fingerprints per step with SSE2 costs a few
// instructions per step instead of a compare and a branch per way. A fingerprint
// match is only a candidate: the owner confirms it against the full tag and goes on
// searching from the next way if it was a collision, so what is found never changes.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace s2sim::sim {

// The fingerprint of a 64-bit key: the top half of a multiplicative hash (so every
// bit of the key counts), never 0.
inline std::uint32_t fingerprint(std::uint64_t key) {
  return static_cast<std::uint32_t>((key * 0x9E3779B97F4A7C15ull) >> 32) | 1u;
}

// The fingerprint of a VMID-tagged entry: `tag` at `kind` (a TLB's block size, a walk
// cache's level) for `vmid`.
inline std::uint32_t fingerprint(std::uint16_t vmid, std::uint64_t tag, unsigned kind) {
  return fingerprint((tag << 8 | kind) ^ (std::uint64_t{vmid} << 48));
}

// The index of the first of fps[from..n) equal to `fp`, or -1.
inline int find_fingerprint(const std::uint32_t* fps, unsigned n, std::uint32_t fp, unsigned from = 0) {
  unsigned w = from;
#if defined(__SSE2__)
  const __m128i f = _mm_set1_epi32(static_cast<int>(fp));
  // Byte mask of the matches among the four fingerprints at `at`: four bits each.
  const auto match_bits = [&](unsigned at) -> std::uint64_t {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(fps + at));
    return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi32(v, f)));
  };
  for (; w + 16 <= n; w += 16) {
    const std::uint64_t bits =
        match_bits(w) | match_bits(w + 4) << 16 | match_bits(w + 8) << 32 | match_bits(w + 12) << 48;
    if (bits != 0) return static_cast<int>(w + static_cast<unsigned>(std::countr_zero(bits)) / 4);
  }
  for (; w + 4 <= n; w += 4) {
    if (const std::uint64_t bits = match_bits(w)) return static_cast<int>(w + static_cast<unsigned>(std::countr_zero(bits)) / 4);
  }
#endif
  for (; w < n; ++w) {
    if (fps[w] == fp) return static_cast<int>(w);
  }
  return -1;
}

// The first way of a set whose fingerprint is `fp` and for which confirm(way) holds
// (its full tag matches), or -1: the search every owner makes.
template <class Confirm>
int find_way(const std::uint32_t* fps, unsigned n, std::uint32_t fp, Confirm&& confirm) {
  for (int w = find_fingerprint(fps, n, fp); w >= 0; w = find_fingerprint(fps, n, fp, static_cast<unsigned>(w) + 1))
    if (confirm(static_cast<unsigned>(w))) return w;
  return -1;
}

// Calls f(i) for each i < n with fps[i] != 0 (a valid way), in increasing order: the
// scan of a whole structure that TLB maintenance by VMID makes. Whole TLBs are mostly
// free right after a flush, and broadcast maintenance reaches every vCPU's TLBs, so
// it steps over free ways sixteen at a time. f may free the way it is called for.
template <class F>
void for_each_valid_way(const std::uint32_t* fps, std::size_t n, F&& f) {
  std::size_t i = 0;
#if defined(__SSE2__)
  const __m128i zero = _mm_setzero_si128();
  const auto free_bits = [&](std::size_t at) -> std::uint64_t {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(fps + at));
    return static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi32(v, zero)));
  };
  for (; i + 16 <= n; i += 16) {
    // Four mask bits per way, set while the way is free.
    std::uint64_t used = ~(free_bits(i) | free_bits(i + 4) << 16 | free_bits(i + 8) << 32 | free_bits(i + 12) << 48);
    while (used) {
      const auto way = static_cast<std::size_t>(std::countr_zero(used)) / 4;
      used &= ~(std::uint64_t{0xF} << (way * 4));
      f(i + way);
    }
  }
#endif
  for (; i < n; ++i)
    if (fps[i] != 0) f(i);
}

// Marks every way free (fingerprint 0); returns how many were valid.
inline unsigned clear_fingerprints(std::vector<std::uint32_t>& fps) {
  unsigned n = 0;
  for (std::uint32_t& fp : fps) {
    n += fp != 0;
    fp = 0;
  }
  return n;
}

}  // namespace s2sim::sim
