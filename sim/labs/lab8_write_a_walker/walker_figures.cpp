#include "sim/labs/lab8_write_a_walker/walker_figures.h"

#include <bit>

#include "mmu/descriptor.h"
#include "mmu/granule.h"
#include "sim/labs/lab_figures.h"
#include "sim/labs/lab_text.h"
#include "workloads/prng.h"

namespace s2sim::sim::lab::walker {

namespace {

using mmu::gfn_t;

bool crosses(const Case& c) { return mmu::crosses_pmd(c.first(), c.bpl); }

// The page whose walk the interface figure follows: the first page of the mask past a
// boundary the word crosses, else the mask's first page.
gfn_t walked_page(const FigureWindow& w) {
  for (unsigned i = 0; i < w.c.bpl; ++i)
    if (((w.mask >> i) & 1) && mmu::pmd_region(w.c.first() + i) != mmu::pmd_region(w.c.first())) return w.c.first() + i;
  return w.c.first() + static_cast<unsigned>(std::countr_zero(w.mask));
}

Figure window_figure(const FigureWindow& w) {
  Window win;
  win.gfnofst = w.c.first();
  win.bits = w.c.bpl;
  win.mask = w.mask;
  win.show_boundaries = true;
  const unsigned lo = static_cast<unsigned>(std::countr_zero(w.mask));
  const unsigned hi = 63 - static_cast<unsigned>(std::countl_zero(w.mask));
  win.notes = {
      {w.c.base, "the slot's base_gfn; gfn_offset = " + std::to_string(w.c.word) + " x " + std::to_string(w.c.bpl) +
                     " = " + std::to_string(w.c.word * w.c.bpl) + " (word " + std::to_string(w.c.word) + ")"},
      {w.c.first() + lo, "__ffs(mask) = " + std::to_string(lo) + ": no page before it may change"},
      {w.c.first() + hi, "__fls(mask) = " + std::to_string(hi) + ": no page after it may change"},
  };
  if (!crosses(w.c))
    win.notes.push_back({w.c.first(), "this slot is 2 MiB aligned: no " + std::to_string(w.c.bpl) +
                                          "-bit word of it crosses a pmd"});
  return draw_window("lab8-window.svg",
                     "one of the grader's windows: a " + std::to_string(w.c.bpl) + "-bit word of a slot at base_gfn " +
                         hex(w.c.base),
                     win);
}

Figure tables_figure(const FigureWindow& w, const CaseVm& vm) {
  std::vector<mmu::phys_addr_t> entries;
  std::vector<std::pair<mmu::phys_addr_t, std::string>> marks;
  const char* read[] = {"", "pud", "pmd"};
  for (unsigned i = 0; i < w.c.bpl; ++i) {
    const mmu::S2Lookup l = vm.at(w.c.first() + i);
    const bool set = (w.mask >> i) & 1;
    for (unsigned k = 0; k < l.nvisited; ++k) {
      const mmu::phys_addr_t e = l.visited[k];
      const unsigned level = k + 1;
      entries.push_back(e);
      if (level < 3) {
        bool seen = false;
        for (const auto& [pa, label] : marks) seen = seen || pa == e;
        if (!seen) marks.emplace_back(e, read[level]);
      } else if (set) {
        marks.emplace_back(e, "bit " + std::to_string(i));
      }
    }
  }
  return draw_tree("lab8-tables.svg",
                   "the tables around the window; marked: pud = s2_read_pud, pmd = s2_read_pmd, bit i = s2_read_pte "
                   "+ s2_write_pte",
                   tree_of(vm.kvm.pgtable, entries, marks, 8));
}

Figure interface_figure(const FigureWindow& w, const CaseVm& vm) {
  const gfn_t g = walked_page(w);
  const mmu::ipa_t addr = g << mmu::PAGE_SHIFT;
  const mmu::S2Lookup l = vm.at(g);
  const mmu::PhysMem& mem = vm.kvm.pgtable.mem();
  auto at = [&](unsigned level) { return pa_hex(l.visited[level - 1]); };
  // Each descriptor as the walk finds it: its value and what decode() makes of it.
  auto value = [&](unsigned level) {
    const mmu::S2Desc d{mem.load64(l.visited[level - 1])};
    const mmu::DescType t = d.type(static_cast<mmu::level_t>(level));
    std::string what = desc_hex(d.raw) + ": " + mmu::to_string(t);
    if (t == mmu::DescType::Page || t == mmu::DescType::Block) what += std::string(", ") + mmu::s2ap_name(d.s2ap());
    return what;
  };
  const std::string a = pa_hex(addr);
  const unsigned you = 0, header = 1, tables = 2;
  const std::vector<SeqStep> steps = {
      {you, header, "pgd_offset(kvm, " + a + ")"},
      {header, you, "the level-1 entry's address " + at(1) + " (pud_offset: the same)"},
      {you, header, "s2_read_pud(kvm, " + at(1) + ", addr)"},
      {header, tables, "load, level 1: an upper-level load, counted"},
      {tables, you, "pud " + value(1) + "; pud_huge() tells a 1 GiB block"},
      {you, header, "pmd_offset(kvm, pud, addr)"},
      {header, you, "the pmd entry's address " + at(2)},
      {you, header, "s2_read_pmd(kvm, " + at(2) + ", addr)"},
      {header, tables, "load, level 2: an upper-level load, counted"},
      {tables, you, "pmd " + value(2) + "; pmd_huge() tells a 2 MiB block"},
      {you, header, "pte_offset_kernel(kvm, pmd, addr)"},
      {header, you, "the pte's address " + at(3)},
      {you, header, "s2_read_pte(kvm, " + at(3) + ", addr)"},
      {header, tables, "load, level 3"},
      {tables, you, "pte " + value(3)},
      {you, header, "s2_write_pte(kvm, pte, kvm_set_s2pte_readonly(v), addr)"},
      {header, tables, "store, level 3: checked to map addr"},
  };
  return draw_sequence("lab8-interface.svg",
                       "one page's walk through s2sim_walker.h: gfn " + hex(g) + " (bit " +
                           std::to_string(g - w.c.first()) + " of the mask), addr = IPA " + a,
                       {"your kvm_mmu_write_protect_pt_masked", "s2sim_walker.h", "the stage-2 tables"}, steps);
}

}  // namespace

FigureWindow figure_window(std::uint64_t seed) {
  workloads::Rng rng(workloads::derive_seed(seed, 8, 1));
  FigureWindow w;
  w.c.base = kBases[rng.below(std::size(kBases))];
  w.c.bpl = rng.below(2) ? 64 : 32;
  std::vector<gfn_t> words;
  for (gfn_t word = 0; word < kSlotPages / w.c.bpl; ++word)
    if (crosses({w.c.base, w.c.bpl, word, State::Full})) words.push_back(word);
  // A 2 MiB aligned slot has no crossing word: the one that ends at the first boundary.
  if (words.empty()) words.push_back(mmu::PMD_PAGES / w.c.bpl - 1);
  w.c.word = words[rng.below(words.size())];
  const std::vector<std::uint64_t> masks = masks_for(w.c.bpl, w.c.word);
  w.mask = masks[rng.below(masks.size())];
  return w;
}

std::vector<Figure> walker_figures(const FigureWindow& w) {
  const CaseVm vm(w.c);
  return {window_figure(w), tables_figure(w, vm), interface_figure(w, vm)};
}

}  // namespace s2sim::sim::lab::walker
