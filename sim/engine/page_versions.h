// Per-page version numbers for the lost-write verifier: the source's version is
// bumped on every guest write; the destination records the version a page copy saw.
// Stored lazily in 2 MiB chunks so that a huge, sparsely written slot costs little.
// The source also keeps when each page was last written, at 1,024-cycle resolution
// (4 bytes a page instead of 8: a 64 GiB guest must fit in 512 MiB).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "util/host_prefetch.h"

namespace s2sim::sim {

class PageVersions {
 public:
  static constexpr std::uint64_t kChunk = 512;
  static constexpr unsigned kWhenShift = 10;

  PageVersions(std::uint64_t npages, bool track_when)
      : chunks_((npages + kChunk - 1) / kChunk), stride_(track_when ? 2 : 1) {}

  std::uint32_t get(std::uint64_t page) const {
    const auto& c = chunks_[page / kChunk];
    return c ? c[(page % kChunk) * stride_] : 0;
  }
  void set(std::uint64_t page, std::uint32_t v) { chunk(page)[(page % kChunk) * stride_] = v; }
  // Bumps the version at simulated time `now`; returns true on the page's first write.
  bool bump(std::uint64_t page, std::uint64_t now) {
    // A page's version and write time sit side by side: one host cache line per write.
    std::uint32_t* slot = chunk(page) + (page % kChunk) * stride_;
    const bool first = slot[0] == 0;
    ++slot[0];
    if (stride_ == 2) {
      const std::uint64_t w = now >> kWhenShift;
      slot[1] = w > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(w);
    }
    return first;
  }
  // Simulated time of the last write (rounded down to 1,024 cycles).
  std::uint64_t last_write(std::uint64_t page) const {
    const auto& c = chunks_[page / kChunk];
    return c && stride_ == 2 ? std::uint64_t{c[(page % kChunk) * 2 + 1]} << kWhenShift : 0;
  }
  // Whether any page of the 512-page chunk holding `page` was ever set.
  bool chunk_touched(std::uint64_t page) const { return chunks_[page / kChunk] != nullptr; }
  std::uint64_t touched_chunks() const {
    std::uint64_t n = 0;
    for (const auto& c : chunks_) n += c != nullptr;
    return n;
  }
  // Hints the host cache that `page`'s slot is about to be written (no effect on
  // the simulation).
  void prefetch(std::uint64_t page) const {
    if (const auto& c = chunks_[page / kChunk]) util::host_prefetch_for_write(c.get() + (page % kChunk) * stride_);
  }

 private:
  // A chunk: per page its version, followed by its write time when tracked.
  std::uint32_t* chunk(std::uint64_t page) {
    auto& c = chunks_[page / kChunk];
    if (!c) c = std::make_unique<std::uint32_t[]>(kChunk * stride_);  // value-initialized: zeros
    return c.get();
  }
  std::vector<std::unique_ptr<std::uint32_t[]>> chunks_;
  unsigned stride_;
};

}  // namespace s2sim::sim
