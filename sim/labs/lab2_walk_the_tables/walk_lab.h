// Lab 2, walk the tables: a small stage-2 tree built with S2PageTable on the ARMv7
// LPAE geometry KVM/ARM uses (40-bit IPA, walks start at level 1, 1024-entry pgd in
// two concatenated 4 KiB pages, pud folded), shown as a memory dump the way a
// debugger would show it. The student walks it by hand, as the hardware does (ARM
// ARM DDI 0406C.d B3.6, "Long-descriptor translation table format") and as the
// kernel's pgd_offset()/pmd_offset()/pte_offset_kernel() do in software.
//
// Every answer is mmu::translate() on that tree. The typical mistakes are computed
// the same way: translate() of the IPA a student effectively used (the pgd index
// taken mod 512, the pmd index taken from the wrong bits, ...), so a hint fires
// exactly when the answer is what that mistake produces on this tree.
//
// tree.cpp draws the tree and the accesses; questions.cpp writes the dump and the
// questions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mmu/descriptor.h"
#include "mmu/geometry.h"
#include "mmu/granule.h"
#include "mmu/hw_walk.h"
#include "mmu/phys_mem.h"
#include "mmu/s2_pgtable.h"
#include "sim/labs/lab.h"
#include "workloads/prng.h"

namespace s2sim::sim::lab::walk {

using mmu::Access;
using mmu::DescType;
using mmu::FaultKind;
using mmu::Geometry;
using mmu::ipa_t;
using mmu::level_t;
using mmu::phys_addr_t;
using mmu::S2Desc;
using mmu::S2PageTable;
using mmu::TranslateResult;
using workloads::Rng;
namespace desc = mmu::desc;

// What was mapped, to draw the accesses from.
struct Mapped {
  std::vector<ipa_t> pages;        // every 4 KiB page
  std::vector<ipa_t> pages_rw;     // of those, read/write
  std::vector<ipa_t> pages_ro;     // read-only
  std::vector<ipa_t> pages_high;   // pages behind pgd entries 512-1023
  std::vector<ipa_t> pte_regions;  // 2 MiB regions with a pte table
  std::vector<ipa_t> pmd_regions;  // 1 GiB regions with a pmd table
  ipa_t block2m = 0;
  std::optional<ipa_t> block1g;
  std::optional<ipa_t> no_af;     // a page mapped with AF = 0 (levels normal and hard)
  std::optional<ipa_t> reserved;  // a level-3 entry holding the reserved 0b01 encoding
  std::vector<std::uint64_t> pgd_used;
};

// One descriptor a walk loaded.
struct Visit {
  level_t level;
  phys_addr_t pa;
  std::uint64_t raw;
};

class WalkLab {
 public:
  explicit WalkLab(const ProblemId& id);
  Problem make();

 private:
  // --- the tree and the accesses (tree.cpp) ---
  std::uint16_t pick_vmid();
  std::uint64_t attrs(bool writable) const;
  phys_addr_t page_pa();
  std::vector<std::uint64_t> distinct(std::size_t n, std::uint64_t below, std::vector<std::uint64_t> avoid = {});
  void map_pte_table(ipa_t region2m);
  void build_tree();
  void add_traps();
  template <typename V>
  const typename V::value_type& any(const V& v) {
    return v[rng_.below(v.size())];
  }
  ipa_t offset();
  Access read_or_write();
  std::optional<std::pair<ipa_t, Access>> candidate(int category);
  std::vector<std::pair<ipa_t, Access>> pick_accesses();
  std::vector<phys_addr_t> table_frames() const;

  // --- the dump and the questions (questions.cpp) ---
  void write_setup(const std::vector<std::pair<ipa_t, Access>>& accesses);
  std::vector<Visit> visits(const TranslateResult& r) const;
  std::vector<std::string> walk_steps(ipa_t ipa, Access access, const TranslateResult& r) const;
  std::string access_text(ipa_t ipa, Access access) const;
  void add_access_question(ipa_t ipa, Access access);
  void add_loads_question(std::size_t k, ipa_t ipa, Access access);
  void add_figures(const std::vector<std::pair<ipa_t, Access>>& accesses);

  Level level_;
  Rng rng_;
  Geometry geo_;
  mmu::PhysMem mem_;
  S2PageTable pt_;
  Mapped m_;
  Problem p_;
};

}  // namespace s2sim::sim::lab::walk
