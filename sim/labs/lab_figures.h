// Figures several labs draw from their own problem (lab_svg.h writes them):
//   the table tree: VTTBR -> the pgd's two concatenated pages -> pmd tables -> pte
//     tables, each frame with the entries the figure shows, table descriptors
//     drawn as arrows to the frames they point to, the entries a walk loads marked;
//   the window: the BITS_PER_LONG pages of one dirty-bitmap word, its set bits, and
//     (when asked) the 2 MiB boundaries against it (and which of them are 1 GiB ones);
//   the fields: a 64-bit stage-2 descriptor's bits, grouped by the ARM ARM's fields
//     (DDI 0406C.d B3.6.2), each bit's value drawn, no field interpreted;
//   the sequence: lanes (a vCPU, the ioctl, the TLB) and the steps between them in
//     time order, top to bottom.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mmu/s2_pgtable.h"
#include "sim/labs/lab.h"

namespace s2sim::sim::lab {

struct TreeEntry {
  unsigned index = 0;
  std::uint64_t value = 0;
  std::string mark;  // non-empty: the entry is marked, with this label ("q1", "walk")
};

struct TreeFrame {
  mmu::phys_addr_t pa = 0;
  mmu::level_t level = 1;
  std::string label;               // "pgd, page 1 (entries 512-1023)"
  std::vector<TreeEntry> entries;  // in index order
  bool more = false;               // entries left out ("...")
};

struct Tree {
  std::uint64_t vttbr = 0;
  std::vector<TreeFrame> frames;
};

// The frames of `pt` a figure shows: every frame that holds a shown entry, entries
// chosen by `show` (index of the entry and the frame it is in) and marked by `mark`.
// Table descriptors among them lead to the frames they point to.
Tree tree_of(const mmu::S2PageTable& pt, const std::vector<mmu::phys_addr_t>& entries_shown,
             const std::vector<std::pair<mmu::phys_addr_t, std::string>>& marks, unsigned max_per_frame = 12);

Figure draw_tree(const std::string& name, const std::string& title, const Tree& t);

struct Window {
  mmu::gfn_t gfnofst = 0;       // base_gfn + gfn_offset
  unsigned bits = 32;           // BITS_PER_LONG
  std::uint64_t mask = 0;
  bool show_boundaries = false;  // draw the 2 MiB boundaries and name each page's pmd region
  std::vector<std::pair<mmu::gfn_t, std::string>> notes;  // pages called out below the strip
};

Figure draw_window(const std::string& name, const std::string& title, const Window& w);

// One descriptor's bits by field; `caption` is printed under it.
Figure draw_fields(const std::string& name, const std::string& title, std::uint64_t value,
                   const std::string& caption);

struct SeqStep {
  unsigned from = 0, to = 0;  // lanes; from == to: a note on that lane
  std::string text;
  bool alert = false;  // drawn in red (the step out of order, the write lost)
};

Figure draw_sequence(const std::string& name, const std::string& title, const std::vector<std::string>& lanes,
                     const std::vector<SeqStep>& steps);

}  // namespace s2sim::sim::lab
