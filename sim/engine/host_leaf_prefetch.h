// A host-speed trick, not a modelled prefetcher: it asks the host CPU to bring into
// its cache the leaf descriptor an upcoming simulated access will walk to (see
// op_lookahead.h for where upcoming accesses come from), so that the simulator's own
// walk does not wait for host DRAM. Nothing simulated sees it: no simulated cycle,
// cache line or statistic changes.
//
// Finding the leaf means walking the upper levels, which costs about as much as the
// walk it prepares. So it remembers, per 2 MiB of IPA space, where the
// last-level table it found lives in host memory, and the next access there only
// computes an address. A remembered table may since have been freed or replaced:
// the prefetch then warms the wrong host line, which is harmless (table frames stay
// host memory for the whole run), and nothing simulated ever reads the memo.
#pragma once

#include <cstdint>
#include <vector>

#include "mmu/granule.h"
#include "mmu/hw_walk.h"
#include "mmu/s2_pgtable.h"
#include "util/host_prefetch.h"

namespace s2sim::sim {

class HostLeafPrefetch {
 public:
  explicit HostLeafPrefetch(const mmu::S2PageTable& pt) : pt_(pt), memo_(kEntries) {}

  // The last-level descriptor `ipa` walks to: its host word and its simulated address.
  struct Leaf {
    const std::uint64_t* word = nullptr;
    mmu::phys_addr_t pa = 0;
  };

  // Prefetches the last-level descriptor word `ipa` walks to and returns it, or {}
  // when the walk ends above the last level (a block, an empty entry, an IPA out of
  // range) and nothing was prefetched.
  Leaf prefetch(mmu::ipa_t ipa) {
    const std::uint64_t pmd = ipa >> mmu::PMD_SHIFT;
    Memo& m = memo_[pmd & (kEntries - 1)];
    const std::size_t index = mmu::pte_index(ipa);
    if (!(m.words && m.pmd == pmd)) {
      // The walk prefetches the leaf itself; remember its table if the walk reached the
      // last level in a table frame.
      const mmu::PrefetchedLeaf leaf = mmu::prefetch_translation(pt_, ipa);
      if (!leaf.word) return {};
      m = Memo{pmd, leaf.word - index, leaf.pa & mmu::PAGE_MASK};
    } else {
      util::host_prefetch(m.words + index);
    }
    return {m.words + index, m.table + index * sizeof(std::uint64_t)};
  }

 private:
  static constexpr std::size_t kEntries = 4096;               // 8 GiB of IPA space, direct-mapped
  struct Memo {
    std::uint64_t pmd = 0;
    const std::uint64_t* words = nullptr;  // the pte table's 512 words
    mmu::phys_addr_t table = 0;            // ... and its simulated address
  };

  const mmu::S2PageTable& pt_;
  std::vector<Memo> memo_;
};

}  // namespace s2sim::sim
