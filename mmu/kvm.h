// One VM as KVM/ARM holds it (struct kvm): its stage-2 tables (kvm->arch.pgd), its
// memslots with their dirty bitmaps, the vCPUs' dirty rings, the host frames backing
// guest RAM, and the hazard log the software walkers report to. Untimed: locks and
// costs live in the cycle engine, which calls into this in the order the kernel does.
//
// KvmOptions says which kernel's behaviour the VM follows (filled from a kernel
// profile, mmu/kernel_profile.h); DirtyLogCaps holds what user space enabled on this
// VM (KVM_ENABLE_CAP, mmu/vm_caps.h).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "mmu/dirty_ring.h"
#include "mmu/geometry.h"
#include "mmu/hazard.h"
#include "mmu/memslot.h"
#include "mmu/phys_mem.h"
#include "mmu/s2_pgtable.h"
#include "mmu/tlb_maintenance.h"

namespace s2sim::mmu {

// What a write fault on a 2 MiB block does while the slot is logging.
enum class BlockPolicy : std::uint8_t {
  // Replace the block by a table holding only the faulting 4 KiB page; the other 511
  // fault back in lazily. ARMv7 stage2_dissolve_pmd (4.0: clear the pmd, flush that
  // IPA, free); arm64 stage2_map_walk_leaf (block -> table with break-before-make and
  // a broadcast __kvm_tlb_flush_vmid_ipa).
  Dissolve,
  Keep,  // keep the block; write-protect / unprotect it whole (lets v4's block hazard show)
};

// How stage2_set_pte() / stage2_set_pmd_huge() replace an entry that is present.
enum class SetPteOrder : std::uint8_t {
  // Write the new entry, then kvm_tlb_flush_vmid_ipa(): from Linux 3.9 until the 2016
  // change below (read in the 3.10 and 3.17 arch/arm/kvm/mmu.c, stage2_set_pte and
  // stage2_set_pmd_huge): the kernels of the 2014 series and 4.0, which merged ARMv7
  // dirty logging.
  WriteThenFlush,
  // Break-before-make: write 0, flush the IPA, then write the new entry. Marc Zyngier,
  // "arm/arm64: KVM: Enforce Break-Before-Make on Stage-2 page tables" (2016, mainline
  // around 4.7 and backported to stable kernels; 4.8's stage2_set_pte has it).
  BreakBeforeMake,
};

// How a write fault on a read-only leaf is resolved.
enum class PermRelax : std::uint8_t {
  // stage2_set_pte() over the present entry, in the SetPteOrder (ARMv7, all kernels).
  SetPte,
  // kvm_pgtable_stage2_relax_perms() (arm64, 5.10+): S2AP W and AF set in the leaf with
  // one atomic update, no break-before-make (the ARM ARM lets permissions be relaxed
  // in place), then a TLBI of that IPA (RelaxTlbi).
  InPlace,
};

// The TLBI that follows an in-place relaxation.
enum class RelaxTlbi : std::uint8_t {
  Broadcast,  // __kvm_tlb_flush_vmid_ipa, every PE (5.10-6.4)
  Local,      // __kvm_tlb_flush_vmid_ipa_nsh, this PE only (6.5+, a12ab1378a88)
};

// Which stage-2 faults take mmu_lock for read (the others take it exclusively).
enum class FaultLocking : std::uint8_t {
  Exclusive,     // spin_lock (ARMv7; arm64 before 5.18), or write_lock for every fault
  ReadForRelax,  // 5.18 (fcc5bf89635a, f783ef1c0e82): read_lock for a write permission
                 // fault on a 4 KiB leaf while logging, write_lock otherwise
  ReadAll,       // 6.2 (Oliver Upton, "Handle stage-2 faults in parallel"): read_lock always
};

// kind of kvm->mmu_lock.
enum class MmuLockKind : std::uint8_t {
  Spinlock,  // spinlock_t: ARMv7, arm64 before 5.18
  Rwlock,    // rwlock_t: arm64 5.18+ (KVM_HAVE_MMU_RWLOCK); walkers and updates other
             // than faults (write-protect, CLEAR, eager split, unmap) take it for write
};

// When user_mem_abort() tops up the vCPU's page-table memory cache (outside mmu_lock).
enum class MemcacheTopup : std::uint8_t {
  Always,                // ARMv7 (3.x-4.x): every user_mem_abort
  SkipPermissionFaults,  // arm64 5.x+: not for a permission fault, unless logging and
                         // writing (a block may have to become a table)
};

// The dirty-log APIs a kernel has (each enable-cap checks here, mmu/vm_caps.h).
struct KernelApis {
  bool clear_dirty_log = false;  // KVM_CLEAR_DIRTY_LOG + KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 (5.0/5.3)
  bool initially_set = false;    // KVM_DIRTY_LOG_INITIALLY_SET (arm64 5.8, c862626e19ef)
  bool dirty_ring = false;       // KVM_CAP_DIRTY_LOG_RING_ACQ_REL + WITH_BITMAP (arm64 6.1/6.2)
  bool eager_split = false;      // KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE (arm64 6.5)
  friend bool operator==(const KernelApis&, const KernelApis&) = default;
};

struct KvmOptions {
  Geometry geometry = Geometry::armv7_lpae();
  std::uint16_t vmid = 1;
  BlockPolicy block_policy = BlockPolicy::Dissolve;
  SetPteOrder set_pte_order = SetPteOrder::WriteThenFlush;  // the model's kernels: 2014 to 4.0
  PermRelax perm_relax = PermRelax::SetPte;
  RelaxTlbi relax_tlbi = RelaxTlbi::Broadcast;
  // be097997a273 (Oliver Upton, 2023-09, Cc stable; "Always invalidate TLB for stage-2
  // permission faults"): the local TLBI is issued also when the relaxation returned
  // -EAGAIN (another vCPU changed the leaf first). Without it a vCPU whose own TLB
  // holds the read-only entry keeps faulting.
  bool relax_tlbi_on_eagain = false;
  MmuLockKind mmu_lock = MmuLockKind::Spinlock;
  FaultLocking fault_locking = FaultLocking::Exclusive;
  MemcacheTopup memcache_topup = MemcacheTopup::Always;
  KernelApis apis;
};
const char* to_string(SetPteOrder o);

// What user space enabled on the VM (KVM_ENABLE_CAP); see mmu/vm_caps.h.
struct DirtyLogCaps {
  bool manual_protect = false;          // KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE
  bool initially_set = false;           // KVM_DIRTY_LOG_INITIALLY_SET
  std::uint32_t dirty_ring_entries = 0; // KVM_CAP_DIRTY_LOG_RING(_ACQ_REL); 0 = no ring
  bool ring_with_bitmap = false;        // KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP
  std::uint64_t eager_split_chunk = 0;  // KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE, bytes; 0 = off

  // kvm_dirty_log_manual_protect_and_init_set()
  bool manual_protect_and_init_set() const { return manual_protect && initially_set; }
  // kvm_use_dirty_bitmap(): memslots get a dirty bitmap unless a ring replaces it.
  bool use_dirty_bitmap() const { return dirty_ring_entries == 0 || ring_with_bitmap; }
};

// Where mark_page_dirty_in_slot() put a dirty page.
enum class DirtyMark : std::uint8_t { None, Bitmap, Ring };

struct Kvm {
  explicit Kvm(const KvmOptions& opts, TlbMaintenance* tlb = nullptr);
  Kvm(const Kvm&) = delete;
  Kvm& operator=(const Kvm&) = delete;

  KvmOptions options;
  DirtyLogCaps caps;
  PhysMem mem;
  S2PageTable pgtable;
  Memslots memslots;
  HazardLog hazards;
  TlbMaintenance* tlb;  // never null: a counting one by default
  std::vector<DirtyRing> dirty_rings;  // one per vCPU while a ring size is set
  unsigned created_vcpus = 0;
  // kvm->arch.mmu.split_page_cache: free pages for eager splitting (mmu/eager_split.h).
  std::uint64_t split_page_cache = 0;
  // Pages the split cache's top-ups may still allocate (the host's memory, for
  // eager splitting's best-effort fallback); unlimited unless a test sets it.
  std::uint64_t split_topup_budget = ~std::uint64_t{0};

  // gfn_to_pfn(): the host frame backing `gfn` in `slot`, allocating the slot's 2 MiB
  // chunk on first touch (a whole 1 GiB, aligned, for a slot backed by 1 GiB pages).
  // Also the aligned base for a block mapping.
  phys_addr_t gfn_to_pa(Memslot& slot, gfn_t gfn);
  // mark_page_dirty(kvm, gfn) from outside any vCPU: the slot's bitmap, if logging.
  void mark_page_dirty(gfn_t gfn);
  // mark_page_dirty_in_slot(): a vCPU's write goes to its dirty ring when the VM has
  // one, anything else to the bitmap (if the slot has one). *soft_full (if given) is
  // set when the push brought the ring to its soft limit.
  DirtyMark mark_page_dirty_in_slot(Memslot& slot, gfn_t gfn, int vcpu, bool* soft_full = nullptr);

 private:
  CountingTlbMaintenance default_tlb_;
};

// KVM_CREATE_VCPU's share of the dirty-log state: the vCPU's ring, if a ring size is
// set. Returns the new vCPU id.
int kvm_create_vcpu(Kvm& kvm);

}  // namespace s2sim::mmu
