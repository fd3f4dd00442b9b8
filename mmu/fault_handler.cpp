#include "mmu/fault_handler.h"

#include "mmu/granule.h"

namespace s2sim::mmu {

const char* to_string(FaultOutcome o) {
  switch (o) {
    case FaultOutcome::MappedPage: return "mapped_page";
    case FaultOutcome::MappedBlock: return "mapped_block";
    case FaultOutcome::MadeWritable: return "made_writable";
    case FaultOutcome::BlockMadeWritable: return "block_made_writable";
    case FaultOutcome::BlockDissolved: return "block_dissolved";
    case FaultOutcome::AccessFlagSet: return "access_flag_set";
    case FaultOutcome::Spurious: return "spurious";
    case FaultOutcome::Mmio: return "mmio";
  }
  return "?";
}

namespace {

void report_walk(AccessSink* sink, const S2Lookup& r, level_t start_level) {
  if (!sink) return;
  for (unsigned i = 0; i < r.nvisited; ++i) sink->on_load(r.visited[i], start_level + static_cast<level_t>(i));
}

// Writes `desc` over a present entry as stage2_set_pte() / stage2_set_pmd_huge() do
// (the old entry being present, kvm_tlb_flush_vmid_ipa is called instead of get_page):
// write then flush up to 2016, break-before-make (clear, flush, write) after it.
void replace_present_entry(Kvm& kvm, phys_addr_t entry, level_t level, S2Desc desc, ipa_t ipa, AccessSink* sink) {
  if (kvm.options.set_pte_order == SetPteOrder::BreakBeforeMake) {
    kvm.mem.store64(entry, 0);
    if (sink) sink->on_store(entry, level);
    kvm.tlb->flush_vmid_ipa(ipa);
  }
  kvm.mem.store64(entry, desc.raw);
  if (sink) sink->on_store(entry, level);
  if (kvm.options.set_pte_order == SetPteOrder::WriteThenFlush) kvm.tlb->flush_vmid_ipa(ipa);
}

// The TLBI after an in-place relaxation: __kvm_tlb_flush_vmid_ipa (5.10-6.4) or the
// local __kvm_tlb_flush_vmid_ipa_nsh (6.5+).
void relax_flush(Kvm& kvm, ipa_t ipa) {
  if (kvm.options.relax_tlbi == RelaxTlbi::Local) kvm.tlb->flush_vmid_ipa_local(ipa);
  else kvm.tlb->flush_vmid_ipa(ipa);
}

// A write fault's permission upgrade of the leaf at `entry`. In place
// (kvm_pgtable_stage2_relax_perms, arm64): one store of the leaf with S2AP W set, no
// break-before-make (the ARM ARM requires it for changes of output address or size,
// not for a permission change of a valid entry), then the RelaxTlbi flush so that
// this PE's TLB drops the read-only entry. Otherwise stage2_set_pte() over the
// present entry.
void relax_perms(Kvm& kvm, phys_addr_t entry, level_t level, S2Desc desc, ipa_t ipa, AccessSink* sink) {
  if (kvm.options.perm_relax == PermRelax::InPlace) {
    kvm.mem.store64(entry, desc.raw);
    if (sink) sink->on_store(entry, level);
    relax_flush(kvm, ipa);
    return;
  }
  replace_present_entry(kvm, entry, level, desc, ipa, sink);
}

}  // namespace

FaultResult kvm_handle_guest_abort(Kvm& kvm, ipa_t ipa, Access access, AccessSink* sink, int vcpu) {
  FaultResult res;
  const gfn_t gfn = ipa >> PAGE_SHIFT;
  Memslot* slot = kvm.memslots.find(gfn);
  if (!slot) {
    res.outcome = FaultOutcome::Mmio;
    return res;
  }
  const bool logging = slot->logging();
  const bool write = access == Access::Write;
  // mark_page_dirty_in_slot(): the vCPU's dirty ring when the VM has one, else the bitmap.
  auto mark = [&](gfn_t g) {
    if (!logging) return;
    bool soft_full = false;
    if (kvm.mark_page_dirty_in_slot(*slot, g, vcpu, &soft_full) != DirtyMark::None) ++res.pages_marked_dirty;
    res.ring_soft_full = res.ring_soft_full || soft_full;
  };

  const S2Lookup r = kvm.pgtable.lookup(ipa);
  report_walk(sink, r, kvm.options.geometry.start_level);

  if (!r.mapped) {
    // Translation fault. PAGE_S2 is read-only; user_mem_abort() adds write permission
    // whenever gfn_to_pfn_prot() says the host page is writable (3.10-4.x). It asks for a
    // writable page on a read fault too ("map read fault as writable if possible",
    // hva_to_pfn), which it gets for guest RAM the host has already touched: s2sim
    // assumes every guest frame is such a page, so a read maps read/write. While logging
    // (4.0) a read fault's `writable` is forced false and only 4 KiB pages are mapped
    // (force_pte). A write marks the page dirty; 4.0 also calls mark_page_dirty() for a
    // read mapped writable, which does nothing while the slot has no dirty bitmap.
    const bool writable = write || !logging;
    const std::uint64_t attrs = writable ? (desc::PAGE_S2_ATTRS | desc::L_PTE_S2_RDWR) : desc::PAGE_S2_ATTRS;
    const ipa_t block_ipa = ipa & PMD_MASK;
    const gfn_t block_gfn = block_ipa >> PAGE_SHIFT;
    const bool block_fits = slot->contains(block_gfn) && slot->contains(block_gfn + PMD_PAGES - 1);
    if (!logging && slot->hugepages && block_fits && r.level <= 2) {
      kvm.pgtable.map_block(block_ipa, kvm.gfn_to_pa(*slot, block_gfn), 2, attrs, sink);
      res.outcome = FaultOutcome::MappedBlock;
    } else {
      bool ok = false;
      kvm.pgtable.map_page(ipa & PAGE_MASK, kvm.gfn_to_pa(*slot, gfn), attrs, &ok, sink);
      res.outcome = ok ? FaultOutcome::MappedPage : FaultOutcome::Spurious;
    }
    if (write) mark(gfn);
    return res;
  }

  if (!r.desc.af()) {
    // handle_access_fault(): set AF in place (no permission change, no flush needed).
    kvm.mem.store64(r.desc_pa, r.desc.raw | desc::AF);
    if (sink) sink->on_store(r.desc_pa, r.level);
    res.outcome = FaultOutcome::AccessFlagSet;
    return res;
  }

  if (write && !r.desc.writable()) {
    if (r.level < kMaxLevel) {
      const ipa_t base = ipa & ~(Geometry::level_size(r.level) - 1);
      if (logging && kvm.options.block_policy == BlockPolicy::Dissolve) {
        // stage2_dissolve_pmd(): clear the block, flush its IPA, free it; then map the
        // faulting 4 KiB page read/write. The other pages fault back in lazily.
        kvm.pgtable.clear_entry(base, r.level, sink);
        kvm.tlb->flush_vmid_ipa(base);
        bool ok = false;
        kvm.pgtable.map_page(ipa & PAGE_MASK, kvm.gfn_to_pa(*slot, gfn), desc::PAGE_S2_ATTRS | desc::L_PTE_S2_RDWR,
                             &ok, sink);
        mark(gfn);
        res.outcome = FaultOutcome::BlockDissolved;
        return res;
      }
      // Keep the block: make it writable whole. Every page of it in the slot is marked
      // dirty, since later writes to any of them will not fault again.
      relax_perms(kvm, r.desc_pa, r.level, kvm_set_s2pmd_writable(r.desc), ipa, sink);
      const gfn_t first = base >> PAGE_SHIFT, count = Geometry::level_size(r.level) >> PAGE_SHIFT;
      for (gfn_t g = first; g < first + count; ++g)
        if (slot->contains(g)) mark(g);
      res.outcome = FaultOutcome::BlockMadeWritable;
      return res;
    }
    // A page: stage2_set_pte() over the present read-only pte, or relaxed in place.
    relax_perms(kvm, r.desc_pa, r.level, kvm_set_s2pte_writable(r.desc), ipa, sink);
    mark(gfn);
    res.outcome = FaultOutcome::MadeWritable;
    return res;
  }

  // The leaf already allows the access: another vCPU resolved the same fault, or this
  // vCPU's TLB holds an entry older than the leaf. user_mem_abort() still ends in
  // stage2_set_pte(), which, the old pte being present, invalidates the IPA (in either
  // order of KvmOptions::set_pte_order): that drops
  // any stale entry so the retried access walks the tables. (The kernel rewrites the
  // pte with what it computed; for a read while logging that would be read-only --
  // s2sim leaves the leaf as it is.)
  // arm64: kvm_pgtable_stage2_relax_perms() finds nothing to change, returns 0 and
  // still issues its TLBI (RelaxTlbi).
  if (write) mark(gfn);
  if (kvm.options.perm_relax == PermRelax::InPlace) relax_flush(kvm, ipa);
  else kvm.tlb->flush_vmid_ipa(ipa);
  res.outcome = FaultOutcome::Spurious;
  return res;
}

bool fault_takes_read_lock(const Kvm& kvm, ipa_t ipa, Access access, FaultKind fault) {
  switch (kvm.options.fault_locking) {
    case FaultLocking::Exclusive: return false;
    case FaultLocking::ReadAll: return true;
    case FaultLocking::ReadForRelax: {
      if (fault != FaultKind::Permission || access != Access::Write) return false;
      const Memslot* slot = kvm.memslots.find(ipa >> PAGE_SHIFT);
      if (!slot || !slot->logging()) return false;
      const S2Lookup r = kvm.pgtable.lookup(ipa);
      return r.mapped && r.level == kMaxLevel;
    }
  }
  return false;
}

}  // namespace s2sim::mmu
