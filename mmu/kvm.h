// One VM as KVM/ARM holds it (struct kvm): its stage-2 tables (kvm->arch.pgd), its
// memslots with their dirty bitmaps, the host frames backing guest RAM, and the
// hazard log the software walkers report to. Untimed: locks and costs live in the
// cycle engine, which calls into this in the order the kernel does.
#pragma once

#include <cstdint>
#include <memory>

#include "mmu/geometry.h"
#include "mmu/hazard.h"
#include "mmu/memslot.h"
#include "mmu/phys_mem.h"
#include "mmu/s2_pgtable.h"
#include "mmu/tlb_maintenance.h"

namespace s2sim::mmu {

// What a write fault on a 2 MiB block does while the slot is logging.
enum class BlockPolicy : std::uint8_t {
  Dissolve,  // stage2_dissolve_pmd: clear the pmd, flush that IPA, map one 4 KiB pte (KVM since 2015)
  Keep,      // keep the block; write-protect / unprotect it whole (lets v4's block hazard show)
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

struct KvmOptions {
  Geometry geometry = Geometry::armv7_lpae();
  std::uint16_t vmid = 1;
  BlockPolicy block_policy = BlockPolicy::Dissolve;
  SetPteOrder set_pte_order = SetPteOrder::WriteThenFlush;  // the model's kernels: 2014 to 4.0
};
const char* to_string(SetPteOrder o);

struct Kvm {
  explicit Kvm(const KvmOptions& opts, TlbMaintenance* tlb = nullptr);
  Kvm(const Kvm&) = delete;
  Kvm& operator=(const Kvm&) = delete;

  KvmOptions options;
  PhysMem mem;
  S2PageTable pgtable;
  Memslots memslots;
  HazardLog hazards;
  TlbMaintenance* tlb;  // never null: a counting one by default

  // gfn_to_pfn(): the host frame backing `gfn` in `slot`, allocating the slot's 2 MiB
  // chunk on first touch. Also the 2 MiB-aligned base for a block mapping.
  phys_addr_t gfn_to_pa(Memslot& slot, gfn_t gfn);
  // mark_page_dirty(kvm, gfn): sets the bit if the slot is logging.
  void mark_page_dirty(gfn_t gfn);

 private:
  CountingTlbMaintenance default_tlb_;
};

}  // namespace s2sim::mmu
