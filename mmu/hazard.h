// Hazards: what a write-protect walker does wrong to the tables, caught and
// recorded instead of crashing the simulator. The simulation goes on with the
// damage done (an entry of the wrong table protected, a guest page left writable,
// guest data overwritten), so its effect on migration can be seen.
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
};
inline constexpr std::size_t kHazardKinds = 5;
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
