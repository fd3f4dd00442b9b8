// Which 1 GiB regions of IPA space a TLB-like structure may hold entries for: a count
// of its entries per region, hashed into 256 buckets. TLB maintenance by IPA that
// finds its region's bucket empty has nothing to drop and skips the search.
//
// A host-speed device, exact by construction: a zero count proves that no entry of
// the region is held (a non-zero one may be another region's, and then the search
// runs as before). It matters with many vCPUs: every TLBI ... IS reaches every vCPU's
// TLBs, and a vCPU of dirty_log_perf_test only ever holds entries for its own part of
// guest memory, so the broadcast of one vCPU's fault finds nothing in the others'.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "mmu/types.h"

namespace s2sim::sim {

class RegionFilter {
 public:
  static constexpr unsigned kRegionShift = 30;  // 1 GiB: a level-1 block, the largest TLB entry
  static constexpr std::size_t kBuckets = 256;

  // An entry whose range (within one region) starts at `ipa_base` was added or removed.
  void add(mmu::ipa_t ipa_base) { ++count_[bucket(ipa_base)]; }
  void remove(mmu::ipa_t ipa_base) { --count_[bucket(ipa_base)]; }
  void clear() { count_ = {}; }
  // False only if no counted entry lies in the region of `ipa`.
  bool may_hold(mmu::ipa_t ipa) const { return count_[bucket(ipa)] != 0; }

 private:
  static std::size_t bucket(mmu::ipa_t ipa) { return static_cast<std::size_t>(ipa >> kRegionShift) % kBuckets; }
  std::array<std::uint32_t, kBuckets> count_{};
};

}  // namespace s2sim::sim
