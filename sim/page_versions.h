// Per-page version numbers for the lost-write verifier: the source's version is
// bumped on every guest write; the destination records the version a page copy saw.
// Stored lazily in 2 MiB chunks so that a huge, sparsely written slot costs little.
// The source also keeps when each page was last written, at 1,024-cycle resolution
// (4 bytes a page instead of 8: a 64 GiB guest must fit in 512 MiB).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

namespace s2sim::sim {

class PageVersions {
 public:
  static constexpr std::uint64_t kChunk = 512;
  static constexpr unsigned kWhenShift = 10;

  PageVersions(std::uint64_t npages, bool track_when)
      : chunks_((npages + kChunk - 1) / kChunk), track_when_(track_when) {}

  std::uint32_t get(std::uint64_t page) const {
    const auto& c = chunks_[page / kChunk];
    return c ? c->version[page % kChunk] : 0;
  }
  void set(std::uint64_t page, std::uint32_t v) { chunk(page).version[page % kChunk] = v; }
  // Bumps the version at simulated time `now`; returns true on the page's first write.
  bool bump(std::uint64_t page, std::uint64_t now) {
    Chunk& c = chunk(page);
    const bool first = c.version[page % kChunk] == 0;
    ++c.version[page % kChunk];
    if (track_when_) {
      const std::uint64_t w = now >> kWhenShift;
      c.when[page % kChunk] = w > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(w);
    }
    return first;
  }
  // Simulated time of the last write (rounded down to 1,024 cycles).
  std::uint64_t last_write(std::uint64_t page) const {
    const auto& c = chunks_[page / kChunk];
    return c && track_when_ ? std::uint64_t{c->when[page % kChunk]} << kWhenShift : 0;
  }
  // Whether any page of the 512-page chunk holding `page` was ever set.
  bool chunk_touched(std::uint64_t page) const { return chunks_[page / kChunk] != nullptr; }
  std::uint64_t touched_chunks() const {
    std::uint64_t n = 0;
    for (const auto& c : chunks_) n += c != nullptr;
    return n;
  }

 private:
  struct Chunk {
    std::uint32_t version[kChunk] = {};
    std::unique_ptr<std::uint32_t[]> when_storage;
    std::uint32_t* when = nullptr;
  };
  Chunk& chunk(std::uint64_t page) {
    auto& c = chunks_[page / kChunk];
    if (!c) {
      c = std::make_unique<Chunk>();
      if (track_when_) {
        c->when_storage = std::make_unique<std::uint32_t[]>(kChunk);
        c->when = c->when_storage.get();
      }
    }
    return *c;
  }
  std::vector<std::unique_ptr<Chunk>> chunks_;
  bool track_when_;
};

}  // namespace s2sim::sim
