// Per-page version numbers for the lost-write verifier: the source's version is
// bumped on every guest write; the destination records the version a page copy saw.
// One array over the whole slot, reserved as address space and committed by the host
// kernel a 4 KiB page at a time as it is first written (host_zero_pages.h), so that a
// huge, sparsely written slot costs little and a page's slot is found by arithmetic
// alone: a record's host prefetch needs no chunk pointer loaded first.
// The source also keeps when each page was last written, at 1,024-cycle resolution
// (4 bytes a page instead of 8: a 64 GiB guest must fit in 512 MiB).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/engine/host_zero_pages.h"
#include "util/host_prefetch.h"

namespace s2sim::sim {

class PageVersions {
 public:
  // Pages are grouped in chunks of 512 for the verifier, which skips a chunk nothing
  // was ever written to without reading it.
  static constexpr std::uint64_t kChunk = 512;
  static constexpr unsigned kWhenShift = 10;

  PageVersions(std::uint64_t npages, bool track_when)
      : slots_(npages * (track_when ? 2 : 1)),
        touched_((npages + kChunk * 64 - 1) / (kChunk * 64), 0),
        stride_(track_when ? 2 : 1) {}

  std::uint32_t get(std::uint64_t page) const { return chunk_touched(page) ? slots_[page * stride_] : 0; }
  void set(std::uint64_t page, std::uint32_t v) { slot(page)[0] = v; }
  // Bumps the version at simulated time `now`; returns true on the page's first write.
  bool bump(std::uint64_t page, std::uint64_t now) {
    // A page's version and write time sit side by side: one host cache line per write.
    std::uint32_t* s = slot(page);
    const bool first = s[0] == 0;
    ++s[0];
    if (stride_ == 2) {
      const std::uint64_t w = now >> kWhenShift;
      s[1] = w > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(w);
    }
    return first;
  }
  // Simulated time of the last write (rounded down to 1,024 cycles).
  std::uint64_t last_write(std::uint64_t page) const {
    return chunk_touched(page) && stride_ == 2 ? std::uint64_t{slots_[page * 2 + 1]} << kWhenShift : 0;
  }
  // Whether any page of the 512-page chunk holding `page` was ever set.
  bool chunk_touched(std::uint64_t page) const {
    const std::uint64_t c = page / kChunk;
    return (touched_[c / 64] >> (c % 64)) & 1;
  }
  std::uint64_t touched_chunks() const {
    std::uint64_t n = 0;
    for (const std::uint64_t w : touched_) n += static_cast<std::uint64_t>(__builtin_popcountll(w));
    return n;
  }
  // Hints the host cache that `page`'s slot is about to be written (no effect on
  // the simulation).
  void prefetch(std::uint64_t page) const { util::host_prefetch_for_write(&slots_[page * stride_]); }

 private:
  std::uint32_t* slot(std::uint64_t page) {
    const std::uint64_t c = page / kChunk;
    touched_[c / 64] |= std::uint64_t{1} << (c % 64);
    return &slots_[page * stride_];
  }
  HostZeroPages<std::uint32_t> slots_;  // per page its version, then its write time when tracked
  std::vector<std::uint64_t> touched_;  // a bit per chunk ever set
  unsigned stride_;
};

}  // namespace s2sim::sim
