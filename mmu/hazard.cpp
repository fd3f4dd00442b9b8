#include "mmu/hazard.h"

namespace s2sim::mmu {

const char* to_string(HazardKind k) {
  switch (k) {
    case HazardKind::WrongTableWp: return "wrong_table_wp";
    case HazardKind::WalkNonPresent: return "walk_non_present";
    case HazardKind::BlockAsTable: return "block_as_table";
    case HazardKind::GuestFrameCorrupted: return "guest_frame_corrupted";
    case HazardKind::StrayAccess: return "stray_access";
    case HazardKind::MaskAbandoned: return "mask_abandoned";
  }
  return "?";
}

std::uint64_t HazardLog::total() const {
  std::uint64_t t = 0;
  for (auto c : counts_) t += c;
  return t;
}

}  // namespace s2sim::mmu
