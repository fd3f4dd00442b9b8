#include "mmu/dirty_ring.h"

#include <stdexcept>

namespace s2sim::mmu {

DirtyRing::DirtyRing(std::uint32_t entries, std::uint32_t rsvd_entries) : size_(entries) {
  if (entries == 0 || (entries & (entries - 1)) != 0 || entries <= rsvd_entries)
    throw std::invalid_argument("a dirty ring needs a power-of-two size above its reserved entries");
  soft_limit_ = entries - rsvd_entries;
  gfns_.assign(entries, DirtyGfn{});
}

bool DirtyRing::push(std::uint32_t slot, std::uint64_t offset) {
  if (full()) {
    // The kernel warns once and writes the slot anyway: the entry it overwrites has
    // not been reset, so its page is no longer reported. Account it as reset so that
    // the indices stay consistent with what the ring holds.
    ++overflows_;
    ++reset_index_;
    if (fetch_index_ < reset_index_) fetch_index_ = reset_index_;
  }
  DirtyGfn& e = gfns_[dirty_index_ & (size_ - 1)];
  e.slot = slot;
  e.offset = offset;
  // smp_wmb(), then kvm_dirty_gfn_set_dirtied(): the flag is published last.
  e.flags = KVM_DIRTY_GFN_F_DIRTY;
  ++dirty_index_;
  ++pushes_;
  return soft_full();
}

std::vector<DirtyGfn> DirtyRing::harvest(std::uint32_t max) {
  std::vector<DirtyGfn> out;
  while (out.size() < max) {
    DirtyGfn& e = gfns_[fetch_index_ & (size_ - 1)];
    if (!(e.flags & KVM_DIRTY_GFN_F_DIRTY)) break;  // not published yet (or already collected)
    out.push_back(e);
    e.flags = KVM_DIRTY_GFN_F_RESET;  // dirty_gfn_set_collected(): the store-release of RESET
    ++fetch_index_;
  }
  return out;
}

std::optional<DirtyGfn> DirtyRing::take_collected() {
  DirtyGfn& e = gfns_[reset_index_ & (size_ - 1)];
  if (!(e.flags & KVM_DIRTY_GFN_F_RESET)) return std::nullopt;  // !kvm_dirty_gfn_harvested()
  const DirtyGfn got = e;
  e.flags = 0;  // kvm_dirty_gfn_set_invalid()
  ++reset_index_;
  return got;
}

std::optional<DirtyGfnRun> DirtyGfnCoalescer::add(std::uint32_t slot, std::uint64_t offset) {
  const std::uint64_t width = bits_ >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits_) - 1;
  const auto bits = static_cast<std::int64_t>(bits_);
  if (have_ && slot == cur_.slot) {
    const auto delta = static_cast<std::int64_t>(offset - cur_.offset);
    if (delta >= 0 && delta < bits) {
      cur_.mask |= std::uint64_t{1} << delta;
      return std::nullopt;
    }
    // A backwards visit joins the run if shifting the mask up loses no bit.
    if (delta > -bits && delta < 0) {
      const auto up = static_cast<unsigned>(-delta);
      if ((((cur_.mask << up) & width) >> up) == cur_.mask) {
        cur_.offset = offset;
        cur_.mask = ((cur_.mask << up) & width) | 1;
        return std::nullopt;
      }
    }
  }
  std::optional<DirtyGfnRun> out;
  if (have_) out = cur_;
  cur_ = DirtyGfnRun{slot, offset, 1};
  have_ = true;
  return out;
}

std::optional<DirtyGfnRun> DirtyGfnCoalescer::finish() {
  if (!have_) return std::nullopt;
  have_ = false;
  return cur_;
}

}  // namespace s2sim::mmu
