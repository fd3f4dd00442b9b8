// The per-vCPU dirty ring (virt/kvm/dirty_ring.c, Linux 5.11 on x86; arm64 since
// 6.1 with KVM_CAP_DIRTY_LOG_RING_ACQ_REL and, from 6.2, KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP).
//
// A ring of struct kvm_dirty_gfn {flags, slot, offset} shared with user space. The
// vCPU pushes an entry for each page it dirties (mark_page_dirty_in_slot() in vCPU
// context); user space collects published entries and flags each one RESET; the
// KVM_RESET_DIRTY_RINGS ioctl then walks the collected entries from reset_index,
// invalidates them, and write-protects their pages again (mmu/reset_dirty_rings.h).
// Writes made outside a vCPU (the vGIC/ITS table saves on arm64) go to the memslot's
// dirty bitmap instead: that is what WITH_BITMAP keeps.
//
// Soft full: once dirty_index - reset_index reaches size - kvm_dirty_ring_get_rsvd_entries()
// (64 reserved entries, KVM_DIRTY_RING_RSVD_ENTRIES, plus kvm_cpu_dirty_log_size(),
// which is 0 on arm64 and the PML buffer on x86), kvm_dirty_ring_push() raises
// KVM_REQ_DIRTY_RING_SOFT_FULL and the vCPU exits with KVM_EXIT_DIRTY_RING_FULL before
// it may enter the guest again, until a reset brings it below the limit
// (kvm_dirty_ring_check_request, 6.1+). The reserved entries absorb pushes made
// between the request and the exit. All read in the 6.x virt/kvm/dirty_ring.c.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace s2sim::mmu {

// struct kvm_dirty_gfn (include/uapi/linux/kvm.h): 16 bytes.
struct DirtyGfn {
  std::uint32_t flags = 0;
  std::uint32_t slot = 0;    // (address space id << 16) | memslot id
  std::uint64_t offset = 0;  // gfn - memslot base_gfn
  friend bool operator==(const DirtyGfn&, const DirtyGfn&) = default;
};
inline constexpr std::uint32_t KVM_DIRTY_GFN_F_DIRTY = 1u << 0;
inline constexpr std::uint32_t KVM_DIRTY_GFN_F_RESET = 1u << 1;
inline constexpr std::uint32_t kDirtyGfnBytes = 16;                 // sizeof(struct kvm_dirty_gfn)
inline constexpr std::uint32_t KVM_DIRTY_RING_RSVD_ENTRIES = 64;    // include/linux/kvm_host.h
inline constexpr std::uint32_t KVM_DIRTY_RING_MAX_ENTRIES = 65536;  // include/linux/kvm_host.h

class DirtyRing {
 public:
  // kvm_dirty_ring_alloc(): `entries` is a power of two above `rsvd_entries`
  // (checked by the enable-cap ioctl, mmu/vm_caps.h); soft_limit = entries - rsvd.
  DirtyRing(std::uint32_t entries, std::uint32_t rsvd_entries = KVM_DIRTY_RING_RSVD_ENTRIES);

  std::uint32_t size() const { return size_; }
  std::uint32_t soft_limit() const { return soft_limit_; }
  std::uint32_t dirty_index() const { return dirty_index_; }
  std::uint32_t reset_index() const { return reset_index_; }
  // kvm_dirty_ring_used(): entries pushed and not yet reset (collected or not).
  std::uint32_t used() const { return dirty_index_ - reset_index_; }
  bool soft_full() const { return used() >= soft_limit_; }  // kvm_dirty_ring_soft_full
  bool full() const { return used() >= size_; }             // kvm_dirty_ring_full
  const DirtyGfn& entry(std::uint32_t index) const { return gfns_[index & (size_ - 1)]; }

  // kvm_dirty_ring_push(): publishes {slot, offset} with the DIRTY flag. Returns true
  // when the ring has reached its soft limit (KVM_REQ_DIRTY_RING_SOFT_FULL: the vCPU
  // must exit with KVM_EXIT_DIRTY_RING_FULL before entering the guest again). A push
  // onto a full ring overwrites the oldest entry, as the kernel does after its
  // WARN_ON_ONCE; overflows() counts them (each loses a dirty record).
  bool push(std::uint32_t slot, std::uint64_t offset);
  std::uint64_t overflows() const { return overflows_; }
  std::uint64_t pushes() const { return pushes_; }

  // User space (QEMU's kvm_dirty_ring_reap_one): from its fetch index on, every entry
  // whose DIRTY flag is set is read and flagged RESET (collected), at most `max`.
  std::vector<DirtyGfn> harvest(std::uint32_t max = UINT32_MAX);
  std::uint32_t fetch_index() const { return fetch_index_; }

  // One iteration of kvm_dirty_ring_reset(): the entry at reset_index if user space
  // has collected it (RESET set), which is then invalidated (flags 0) and passed;
  // nullopt when the next entry is not collected (the walk stops there).
  std::optional<DirtyGfn> take_collected();

 private:
  std::vector<DirtyGfn> gfns_;
  std::uint32_t size_, soft_limit_;
  std::uint32_t dirty_index_ = 0, reset_index_ = 0;  // kernel's
  std::uint32_t fetch_index_ = 0;                    // user space's
  std::uint64_t overflows_ = 0, pushes_ = 0;
};

// The coalescing of kvm_dirty_ring_reset(): consecutive collected entries of one
// memslot within BITS_PER_LONG pages of each other become one (slot, offset, mask),
// handed to kvm_reset_dirty_gfn(). Feed entries in ring order; add() returns a run
// when the new entry cannot join the current one, finish() the last run.
struct DirtyGfnRun {
  std::uint32_t slot = 0;
  std::uint64_t offset = 0;  // the gfn offset of mask bit 0
  std::uint64_t mask = 0;
  friend bool operator==(const DirtyGfnRun&, const DirtyGfnRun&) = default;
};
class DirtyGfnCoalescer {
 public:
  explicit DirtyGfnCoalescer(unsigned bits_per_long = 64) : bits_(bits_per_long) {}
  std::optional<DirtyGfnRun> add(std::uint32_t slot, std::uint64_t offset);
  std::optional<DirtyGfnRun> finish();

 private:
  unsigned bits_;
  bool have_ = false;
  DirtyGfnRun cur_;
};

}  // namespace s2sim::mmu
