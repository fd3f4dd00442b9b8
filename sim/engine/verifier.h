// The lost-write verifier. Every guest write to the migrated slot bumps its page's
// version at the source; a page copy records at the destination the version it saw.
// After stop-and-copy every page the guest wrote must hold at the destination the
// last version written at the source: a mismatch is a lost write, reported with the
// page and the round of its last write.
//
// Without migration nothing is copied or compared; a bit per page then counts the
// distinct pages written.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "mmu/memslot.h"
#include "sim/engine/page_versions.h"
#include "sim/engine/run_result.h"
#include "util/host_prefetch.h"

namespace s2sim::sim {

class LostWriteVerifier {
 public:
  // `npages`: the slot's size; `migrated`: whether pages are copied to a destination.
  LostWriteVerifier(std::uint64_t npages, bool migrated) {
    if (migrated) versions_ = std::make_unique<PageVersions>(npages);
    else written_.assign((npages + 63) / 64, 0);
  }

  // A guest write to slot page `rel` at simulated time `now`; true if it is the
  // page's first.
  bool record_write(std::uint64_t rel, std::uint64_t now) {
    if (versions_) return versions_->bump(rel, now);
    std::uint64_t& word = written_[rel / 64];
    const std::uint64_t bit = std::uint64_t{1} << (rel % 64);
    const bool first = !(word & bit);
    word |= bit;
    return first;
  }
  // Hints the host cache that record_write(rel) is coming (no effect on the simulation).
  void prefetch(std::uint64_t rel) const {
    if (versions_) versions_->prefetch(rel);
    else util::host_prefetch_for_write(&written_[rel / 64]);
  }

  // With migration only:
  // The destination takes the source's current version of page `rel` (a page copy).
  void copy(std::uint64_t rel) { versions_->copy(rel); }
  // Whether any page of the 512-page chunk holding `rel` was ever written.
  bool chunk_written(std::uint64_t rel) const { return versions_->chunk_written(rel); }
  // After stop-and-copy: compares every page written in `slot` and fills res's
  // checked_pages, lost_writes and first_lost (the round of each from res.rounds).
  void verify(const mmu::Memslot& slot, RunResult& res) const;

 private:
  std::unique_ptr<PageVersions> versions_;  // with migration
  std::vector<std::uint64_t> written_;      // without: which pages were written
};

}  // namespace s2sim::sim
