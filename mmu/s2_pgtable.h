// A VM's stage-2 translation tables (the kernel's kvm->arch.pgd), living as real
// descriptors in simulated physical memory. Tables are allocated on demand as
// mappings are made, as stage2_set_pte()/stage2_set_pmd_huge() do in
// arch/arm/kvm/mmu.c, and freed when an unmap leaves one empty (mmu/stage2_unmap.h).
#pragma once

#include <array>
#include <cstdint>

#include "mmu/access_sink.h"
#include "mmu/descriptor.h"
#include "mmu/geometry.h"
#include "mmu/phys_mem.h"

namespace s2sim::mmu {

// Result of a functional (untimed) lookup of one IPA.
struct S2Lookup {
  bool mapped = false;         // a valid leaf (page or block) maps the IPA
  level_t level = 0;           // level of the leaf, or where the walk stopped
  S2Desc desc{};               // the leaf (or the invalid entry that stopped the walk)
  phys_addr_t desc_pa = 0;     // where that descriptor lives
  std::array<phys_addr_t, 4> visited{};  // descriptor addresses read, in order
  unsigned nvisited = 0;
  bool out_of_range = false;   // IPA beyond the configured input size
};

class S2PageTable {
 public:
  S2PageTable(PhysMem& mem, const Geometry& geometry, std::uint16_t vmid = 1);
  S2PageTable(const S2PageTable&) = delete;
  S2PageTable& operator=(const S2PageTable&) = delete;

  const Geometry& geometry() const { return geo_; }
  PhysMem& mem() { return mem_; }
  const PhysMem& mem() const { return mem_; }
  phys_addr_t pgd_pa() const { return pgd_pa_; }
  std::uint16_t vmid() const { return vmid_; }
  // VTTBR: table base with the VMID in bits [55:48] (ARM ARM B4.1.160).
  std::uint64_t vttbr() const { return pgd_pa_ | (static_cast<std::uint64_t>(vmid_ & 0xFF) << 48); }

  // Maps the 4 KiB page at `ipa` to `pa` with `attrs` (S2AP, MemAttr, SH, AF, XN...),
  // allocating tables on the way. Returns the descriptor it replaced (possibly invalid).
  // A block covering `ipa` must be cleared first (the caller dissolves it): returns
  // false in `ok` then and changes nothing.
  S2Desc map_page(ipa_t ipa, phys_addr_t pa, std::uint64_t attrs, bool* ok = nullptr, AccessSink* sink = nullptr);
  // Maps a block at level 1 (1 GiB) or 2 (2 MiB); `ipa` and `pa` aligned to its size.
  // A table in its place is freed with everything below it.
  S2Desc map_block(ipa_t ipa, phys_addr_t pa, level_t level, std::uint64_t attrs, AccessSink* sink = nullptr);
  // Clears the leaf (page or block) that maps `ipa`; returns its level, or -1.
  level_t clear_leaf(ipa_t ipa, AccessSink* sink = nullptr);
  // Clears the leaf entry at `pa` (a pte, or a block at `level`) if it is not none,
  // with one load (and one store when it was set); returns whether it was set.
  bool clear_leaf_entry(phys_addr_t pa, level_t level, AccessSink* sink = nullptr);
  // clear_pmd_entry()/clear_pud_entry() without the flush: reads the table entry at `pa`
  // (`level`), clears it and frees the table it points to. Returns that table's address.
  phys_addr_t clear_table_entry(phys_addr_t pa, level_t level, AccessSink* sink = nullptr);
  // kvm_pte_table_empty()/kvm_pmd_table_empty(): no entry of the table is set. The
  // kernel reads the table page's reference count (one per live entry); s2sim counts
  // the live words, which the timing model does not see as descriptor loads.
  bool table_empty(phys_addr_t table_pa) const;
  // Clears the entry at `level` covering `ipa` and frees any table below it (a host
  // unmap of a whole pmd's range). Returns whether something was present.
  bool clear_entry(ipa_t ipa, level_t level, AccessSink* sink = nullptr);
  // Sets the leaf covering `ipa` read-only / read-write; false if nothing maps it.
  bool set_readonly(ipa_t ipa, AccessSink* sink = nullptr);
  bool set_writable(ipa_t ipa, AccessSink* sink = nullptr);

  S2Lookup lookup(ipa_t ipa) const;
  // Address of the entry at `level` for `ipa` if the tables reach that level, else 0.
  phys_addr_t entry_pa(ipa_t ipa, level_t level) const;

  // Visits every valid leaf: fn(ipa, level, desc_pa, desc).
  template <typename Fn>
  void for_each_leaf(Fn&& fn) const { visit(pgd_pa_, geo_.start_level, 0, fn); }

  std::uint64_t mapped_pages() const { return mapped_pages_; }   // 4 KiB leaves
  std::uint64_t mapped_blocks() const { return mapped_blocks_; } // block leaves

 private:
  // Descriptor address at `level` for `ipa`, allocating missing tables when `alloc`.
  // Returns 0 if a block or a missing table (without alloc) is in the way.
  phys_addr_t walk_to(ipa_t ipa, level_t level, bool alloc, AccessSink* sink);
  void free_subtree(phys_addr_t table_pa, level_t level);
  void account(S2Desc old_desc, S2Desc new_desc, level_t level);

  template <typename Fn>
  void visit(phys_addr_t table, level_t level, ipa_t base, Fn& fn) const {
    const std::uint64_t n = level == geo_.start_level ? geo_.start_entries() : PTRS_PER_TABLE;
    for (std::uint64_t i = 0; i < n; ++i) {
      const phys_addr_t pa = table + i * 8;
      const S2Desc d{mem_.load64(pa)};
      const ipa_t ipa = base + (i << Geometry::level_shift(level));
      switch (d.type(level)) {
        case DescType::Table: visit(d.output_address(geo_.oa_mask()), level + 1, ipa, fn); break;
        case DescType::Block:
        case DescType::Page: fn(ipa, level, pa, d); break;
        case DescType::Invalid: break;
      }
    }
  }

  PhysMem& mem_;
  Geometry geo_;
  std::uint16_t vmid_;
  phys_addr_t pgd_pa_;
  std::uint64_t mapped_pages_ = 0, mapped_blocks_ = 0;
};

}  // namespace s2sim::mmu
