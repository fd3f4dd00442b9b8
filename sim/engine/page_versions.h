// Per-page version numbers for the lost-write verifier. A page's record holds three
// 32-bit words side by side: its version at the source, bumped on every guest write;
// when it was last written, at 1,024-cycle resolution (4 bytes instead of 8: a 64 GiB
// guest must fit in 512 MiB); and the version the destination holds, the one the
// page's last copy saw. A write and a copy each touch the one record (one host cache
// line, or two for the two records in sixteen that straddle a line boundary).
//
// The records are one array over the whole slot, reserved as address space and
// committed by the host kernel a 4 KiB page (341 records) at a time as it is first
// written (host_zero_pages.h): a huge, sparsely written slot costs little, and a
// page's record is found by arithmetic alone, so its host prefetch waits on no load.
// A 2 MiB stretch of records (341 chunks) three quarters of whose chunks the guest
// has written is then backed by one host huge page: a guest writing all over a large
// slot would otherwise take a host TLB miss, and a walk of the host's page tables, on
// nearly every record it touches. The threshold keeps a promoted stretch inside the
// memory estimate's 12 KiB per written page (sim/config/memory_estimate.cpp): 256
// written pages account for 3 MiB, its 2 MiB of records and up to 256 pte tables.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/engine/host_zero_pages.h"
#include "util/host_prefetch.h"

namespace s2sim::sim {

class PageVersions {
 public:
  // Pages are grouped in chunks of 512 for the migration and the verifier, which skip
  // a chunk the guest never wrote to without reading it.
  static constexpr std::uint64_t kChunk = 512;
  static constexpr unsigned kWhenShift = 10;

  explicit PageVersions(std::uint64_t npages)
      : records_(npages),
        written_chunks_((npages + kChunk * 64 - 1) / (kChunk * 64), 0),
        chunks_written_in_(records_.regions(), 0) {}

  // The source's version of `page` (0: never written).
  std::uint32_t version(std::uint64_t page) const { return records_[page].version; }
  // The version the destination holds (0: never copied after a write).
  std::uint32_t copied(std::uint64_t page) const { return records_[page].copied; }
  // Bumps the version at simulated time `now`; returns true on the page's first write.
  bool bump(std::uint64_t page, std::uint64_t now) {
    const std::uint64_t c = page / kChunk;
    std::uint64_t& word = written_chunks_[c / 64];
    const std::uint64_t bit = std::uint64_t{1} << (c % 64);
    if (!(word & bit)) {
      word |= bit;
      first_write_in_chunk(c);
    }
    Record& r = records_[page];
    const bool first = r.version == 0;
    ++r.version;
    const std::uint64_t w = now >> kWhenShift;
    r.when = w > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(w);
    return first;
  }
  // A copy of `page` to the destination: it now holds the source's current version.
  void copy(std::uint64_t page) {
    Record& r = records_[page];
    if (r.version != 0) r.copied = r.version;  // a page never written stays uncommitted
  }
  // Simulated time of the last write (rounded down to 1,024 cycles).
  std::uint64_t last_write(std::uint64_t page) const { return std::uint64_t{records_[page].when} << kWhenShift; }
  // Whether the guest wrote any page of the 512-page chunk holding `page`.
  bool chunk_written(std::uint64_t page) const {
    const std::uint64_t c = page / kChunk;
    return (written_chunks_[c / 64] >> (c % 64)) & 1;
  }
  // How many 2 MiB stretches of records were handed to the host as huge pages.
  std::uint64_t huge_stretches() const { return huge_stretches_; }
  // Hints the host cache that `page`'s record is about to be written (no effect on
  // the simulation).
  void prefetch(std::uint64_t page) const { util::host_prefetch_for_write(&records_[page]); }

 private:
  struct Record {
    std::uint32_t version, when, copied;
  };
  static constexpr std::uint16_t kDenseChunks = 256;  // of the 341 in 2 MiB of records
  static_assert(kDenseChunks <= HostZeroPages<Record>::kHugeBytes / (kChunk * sizeof(Record)));

  [[gnu::cold, gnu::noinline]] void first_write_in_chunk(std::uint64_t c) {
    const std::size_t region = HostZeroPages<Record>::region_of(c * kChunk);
    if (++chunks_written_in_[region] == kDenseChunks && records_.back_with_huge_page(region)) ++huge_stretches_;
  }

  HostZeroPages<Record> records_;
  std::vector<std::uint64_t> written_chunks_;   // a bit per chunk the guest wrote to
  std::vector<std::uint16_t> chunks_written_in_;  // per 2 MiB of records
  std::uint64_t huge_stretches_ = 0;
};

}  // namespace s2sim::sim
