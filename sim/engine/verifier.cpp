#include "sim/engine/verifier.h"

namespace s2sim::sim {

void LostWriteVerifier::verify(const mmu::Memslot& slot, RunResult& res) const {
  for (std::uint64_t rel = 0; rel < slot.npages; ++rel) {
    if (!versions_->chunk_written(rel)) {
      rel |= PageVersions::kChunk - 1;  // nothing ever written in this chunk
      continue;
    }
    const std::uint32_t s = versions_->version(rel);
    if (s == 0) continue;  // never written: nothing to lose
    ++res.checked_pages;
    const std::uint32_t d = versions_->copied(rel);
    if (s == d) continue;
    ++res.lost_writes;
    if (res.first_lost.size() < 10) {
      LostWrite lw{slot.base_gfn + rel, s, d, versions_->last_write(rel), 0};
      for (const auto& r : res.rounds)
        if (r.start_cycle <= lw.last_write_cycle) lw.round = r.round;
      res.first_lost.push_back(lw);
    }
  }
}

}  // namespace s2sim::sim
