// Hazards: what a write-protect walker does wrong to the tables, caught and
// recorded instead of crashing the simulator. The simulation goes on with the
// damage done, so its effect on migration can be seen. What each costs:
//   wrong_table_wp      an entry of another table is made read-only: at worst one
//                       needless write fault on an unrelated page, never a lost write
//                       (the page meant is not mapped: its pmd is gone)
//   walk_non_present    a table address taken from an empty entry (the kernel reads
//                       __va(0) + offset, wild memory; s2sim reads unbacked zeros):
//                       the pages behind that entry are not mapped, none is missed
//   block_as_table      guest data overwritten, and the block left writable: later
//                       writes to it are lost
//   guest_frame_corrupted  a descriptor store landed in guest data
//   stray_access        a load or store in unbacked or freed memory, not explained by
//                       the hazard of the pointer that led there
//   mask_abandoned      the walker returned before it looked at a page of the mask
//                       that is still mapped writable: its dirty bit was already
//                       cleared into the snapshot, so later writes to it are lost
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "mmu/types.h"

namespace s2sim::mmu {

enum class HazardKind : std::uint8_t {
  WrongTableWp,         // wrong_table_wp: an entry that does not map the intended IPA was protected
  WalkNonPresent,       // walk_non_present: a table pointer was taken from a non-present entry
  BlockAsTable,         // block_as_table: a block's output address was followed as a table
  GuestFrameCorrupted,  // guest_frame_corrupted: a descriptor store landed in a guest data frame
  StrayAccess,          // stray_access: a descriptor load/store hit unbacked or freed memory
  MaskAbandoned,        // mask_abandoned: a page of the mask never looked at, left writable
};
inline constexpr std::size_t kHazardKinds = 6;
const char* to_string(HazardKind k);

struct Hazard {
  HazardKind kind;
  ipa_t ipa;            // the IPA the walker meant to handle
  phys_addr_t pa;       // the descriptor address involved
  level_t level;        // the level the walker believed it was at
  const char* walker;   // which walker (static string)
  std::uint8_t statement = 0;  // the walker's statement that made it (S2Walk::at), 0 if not named
};

class HazardLog {
 public:
  static constexpr std::size_t kKeep = 64;  // first hazards kept in full

  void report(const Hazard& h) {
    ++counts_[static_cast<std::size_t>(h.kind)];
    if (first_.size() < kKeep) first_.push_back(h);
  }
  std::uint64_t count(HazardKind k) const { return counts_[static_cast<std::size_t>(k)]; }
  std::uint64_t total() const;
  const std::vector<Hazard>& first() const { return first_; }
  void clear() { counts_ = {}; first_.clear(); }

 private:
  std::array<std::uint64_t, kHazardKinds> counts_{};
  std::vector<Hazard> first_;
};

}  // namespace s2sim::mmu
