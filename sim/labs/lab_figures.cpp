#include "sim/labs/lab_figures.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "mmu/descriptor.h"
#include "mmu/granule.h"
#include "sim/labs/lab_svg.h"
#include "sim/labs/lab_text.h"

namespace s2sim::sim::lab {

namespace {

using mmu::phys_addr_t;

constexpr double kBoxWidth = 330, kRow = 16, kHeader = 22, kGap = 18, kTop = 46;
constexpr double kColumnX[] = {14, 200, 580, 960};  // VTTBR, level 1, level 2, level 3
constexpr double kFigureWidth = 1310;

std::string level_name(mmu::level_t level) {
  return level == 1 ? "level 1 (pgd, pud folded)" : level == 2 ? "level 2 (pmd)" : "level 3 (pte)";
}

}  // namespace

Tree tree_of(const mmu::S2PageTable& pt, const std::vector<phys_addr_t>& entries_shown,
             const std::vector<std::pair<phys_addr_t, std::string>>& marks, unsigned max_per_frame) {
  const mmu::Geometry& geo = pt.geometry();
  const mmu::PhysMem& mem = pt.mem();
  Tree t;
  t.vttbr = pt.vttbr();
  std::map<phys_addr_t, TreeFrame> frames;
  const unsigned pgd_pages = geo.start_table_pages();
  for (unsigned i = 0; i < pgd_pages; ++i) {
    TreeFrame f;
    f.pa = pt.pgd_pa() + i * mmu::PAGE_SIZE;
    f.level = geo.start_level;
    f.label = "pgd page " + std::to_string(i) + " (entries " + std::to_string(i * mmu::PTRS_PER_TABLE) + "-" +
              std::to_string((i + 1) * mmu::PTRS_PER_TABLE - 1) + ")";
    frames[f.pa] = f;
  }
  auto frame_of = [&](phys_addr_t entry) -> TreeFrame& {
    const phys_addr_t base = entry & ~(mmu::PAGE_SIZE - 1);
    auto it = frames.find(base);
    if (it == frames.end()) {
      TreeFrame f;
      f.pa = base;
      f.level = mem.table_info(base).level;
      f.label = std::string(f.level == 2 ? "pmd table" : "pte table") + " at " + pa_hex(base);
      it = frames.emplace(base, f).first;
    }
    return it->second;
  };
  std::vector<phys_addr_t> shown = entries_shown;
  std::sort(shown.begin(), shown.end());
  shown.erase(std::unique(shown.begin(), shown.end()), shown.end());
  for (const phys_addr_t e : shown) {
    TreeFrame& f = frame_of(e);
    const bool pgd = f.pa >= pt.pgd_pa() && f.pa < pt.pgd_pa() + pgd_pages * mmu::PAGE_SIZE;
    TreeEntry te;
    te.index = static_cast<unsigned>((e & (mmu::PAGE_SIZE - 1)) / 8) +
               (pgd ? static_cast<unsigned>((f.pa - pt.pgd_pa()) / mmu::PAGE_SIZE) * mmu::PTRS_PER_TABLE : 0);
    te.value = mem.load64(e);
    for (const auto& [pa, label] : marks)
      if (pa == e) te.mark = te.mark.empty() ? label : te.mark + "," + label;
    if (f.entries.size() < max_per_frame || !te.mark.empty())
      f.entries.push_back(te);
    else
      f.more = true;
  }
  for (auto& [pa, f] : frames) t.frames.push_back(f);
  std::stable_sort(t.frames.begin(), t.frames.end(),
                   [](const TreeFrame& a, const TreeFrame& b) { return a.level < b.level; });
  return t;
}

Figure draw_tree(const std::string& name, const std::string& title, const Tree& t) {
  // Positions first: each level a column, its frames stacked.
  struct Placed {
    double x, y, h;
  };
  std::map<phys_addr_t, Placed> at;
  double column_y[4] = {kTop, kTop, kTop, kTop};
  for (const TreeFrame& f : t.frames) {
    const std::size_t col = std::min<std::size_t>(f.level, 3);
    const double h = kHeader + kRow * static_cast<double>(std::max<std::size_t>(1, f.entries.size() + (f.more ? 1 : 0))) + 6;
    at[f.pa] = {kColumnX[col], column_y[col], h};
    column_y[col] += h + kGap;
  }
  const double height = std::max({column_y[1], column_y[2], column_y[3], kTop + 60}) + 30;
  Svg svg(kFigureWidth, height, title);
  svg.comment(title);
  svg.text(kFigureWidth / 2, 24, title, {.size = 15, .anchor = Svg::Anchor::Middle, .bold = true});
  for (mmu::level_t l = 1; l <= 3; ++l)
    svg.text(kColumnX[l] + kBoxWidth / 2, kTop - 8, level_name(l), {.size = 12, .anchor = Svg::Anchor::Middle});

  // VTTBR, pointing at the first pgd page.
  svg.rect(kColumnX[0], kTop, 170, 44, {.fill = kTableFill});
  svg.text(kColumnX[0] + 8, kTop + 17, "VTTBR", {.size = 12, .bold = true});
  svg.text(kColumnX[0] + 8, kTop + 35, desc_hex(t.vttbr), {.size = 11, .mono = true});
  if (!t.frames.empty()) {
    const Placed& p = at[t.frames.front().pa];
    svg.line(kColumnX[0] + 170, kTop + 22, p.x, p.y + kHeader / 2, {.stroke_width = 1.5}, true);
  }

  for (const TreeFrame& f : t.frames) {
    const Placed& p = at[f.pa];
    svg.rect(p.x, p.y, kBoxWidth, p.h, {.fill = kTableFill});
    svg.text(p.x + 8, p.y + 15, f.label + " @ " + pa_hex(f.pa), {.size = 11, .bold = true});
    double y = p.y + kHeader;
    if (f.entries.empty() && !f.more)
      svg.text(p.x + 8, y + 12, "(no entry shown)", {.size = 11, .fill = "#6b7280"});
    for (const TreeEntry& e : f.entries) {
      const phys_addr_t entry_pa = f.pa + (e.index % mmu::PTRS_PER_TABLE) * 8;
      if (!e.mark.empty()) {
        svg.rect(p.x + 2, y, kBoxWidth - 4, kRow, {.fill = kMarkFill, .stroke = kMarkStroke});
        svg.text(p.x + kBoxWidth - 6, y + 12, e.mark, {.size = 10, .anchor = Svg::Anchor::End, .bold = true,
                                                         .fill = kMarkStroke});
      }
      char idx[16];
      std::snprintf(idx, sizeof idx, "[%4u]", e.index);
      svg.text(p.x + 6, y + 12, std::string(idx) + " " + pa_hex(entry_pa) + ": " + desc_hex(e.value),
               {.size = 10.5, .mono = true});
      // A table descriptor leads to its frame, when the figure shows it.
      const mmu::S2Desc d{e.value};
      if (f.level < 3 && d.type(f.level) == mmu::DescType::Table) {
        const auto target = at.find(d.output_address());
        if (target != at.end())
          svg.line(p.x + kBoxWidth, y + kRow / 2, target->second.x, target->second.y + kHeader / 2,
                   {.stroke = "#4b5563"}, true);
      }
      y += kRow;
    }
    if (f.more) svg.text(p.x + 8, y + 12, "... (other entries not shown)", {.size = 10.5, .fill = "#6b7280"});
  }
  return {name, svg.str()};
}

Figure draw_window(const std::string& name, const std::string& title, const Window& w) {
  const double cell = std::min(26.0, 900.0 / w.bits), x0 = 70, y0 = 70;
  const double width = x0 * 2 + cell * w.bits;
  Svg svg(width, 210 + 14.0 * static_cast<double>(w.notes.size()), title);
  svg.comment(title);
  svg.text(width / 2, 24, title, {.size = 15, .anchor = Svg::Anchor::Middle, .bold = true});
  svg.text(x0, y0 - 22,
           "bit i of mask stands for gfn gfnofst + i; gfnofst = " + hex(w.gfnofst) + " (shaded: bits set in mask " +
               hex(w.mask, 8) + ")",
           {.size = 11});
  for (unsigned i = 0; i < w.bits; ++i) {
    const double x = x0 + cell * i;
    const bool set = (w.mask >> i) & 1;
    svg.rect(x, y0, cell, 30, {.fill = set ? kSetBitFill : "#ffffff"});
    if (w.bits <= 32 || i % 2 == 0)
      svg.text(x + cell / 2, y0 + 19, std::to_string(i), {.size = 9, .anchor = Svg::Anchor::Middle});
  }
  svg.text(x0, y0 + 46, hex(w.gfnofst), {.size = 10, .anchor = Svg::Anchor::Middle, .mono = true});
  svg.text(x0 + cell * w.bits, y0 + 46, hex(w.gfnofst + w.bits - 1), {.size = 10, .anchor = Svg::Anchor::Middle,
                                                                         .mono = true});
  svg.text(x0 - 8, y0 + 19, "gfn", {.size = 11, .anchor = Svg::Anchor::End});
  if (w.show_boundaries) {
    // Every 2 MiB boundary inside the window, and each page's pmd region.
    mmu::gfn_t region_start = w.gfnofst;
    auto label_region = [&](mmu::gfn_t from, mmu::gfn_t to) {
      const double xa = x0 + cell * static_cast<double>(from - w.gfnofst);
      const double xb = x0 + cell * static_cast<double>(to - w.gfnofst);
      svg.line(xa + 2, y0 + 62, xb - 2, y0 + 62, {.stroke = "#4b5563"});
      svg.text((xa + xb) / 2, y0 + 78, "pmd region " + hex(mmu::pmd_base_gfn(from)) + "-" + hex(mmu::pmd_end_gfn(from) - 1),
               {.size = 10, .anchor = Svg::Anchor::Middle});
    };
    for (unsigned i = 1; i < w.bits; ++i) {
      const mmu::gfn_t g = w.gfnofst + i;
      if (!mmu::pmd_aligned(g)) continue;
      const double x = x0 + cell * i;
      svg.line(x, y0 - 12, x, y0 + 52, {.stroke = kAlertStroke, .stroke_width = 2, .dashed = true});
      svg.text(x, y0 - 14, "2 MiB boundary (IPA " + pa_hex(g << mmu::PAGE_SHIFT) + ")",
               {.size = 10, .anchor = Svg::Anchor::Middle, .fill = kAlertStroke});
      // A 1 GiB boundary is a 2 MiB one too: the level-1 entry changes as well.
      if ((g & (mmu::PUD_PAGES - 1)) == 0)
        svg.text(x, y0 + 92, "1 GiB boundary: the level-1 (pgd) entry changes too",
                 {.size = 10, .anchor = Svg::Anchor::Middle, .bold = true, .fill = kAlertStroke});
      label_region(region_start, g);
      region_start = g;
    }
    label_region(region_start, w.gfnofst + w.bits);
  } else {
    svg.text(x0, y0 + 78, "(where the 2 MiB boundaries fall is for you to work out: IPA = gfn << 12)",
             {.size = 10, .fill = "#6b7280"});
  }
  double y = y0 + 104;
  for (const auto& [g, text] : w.notes) {
    svg.text(x0, y, hex(g) + ": " + text, {.size = 11});
    y += 14;
  }
  return {name, svg.str()};
}

namespace {

struct FieldSpan {
  unsigned hi, lo;
  const char* name;
};

// Stage-2 block and page descriptor fields, high bit first (ARM ARM B3.6.2, Figure B3-17).
constexpr FieldSpan kDescFields[] = {{63, 59, "ignored"}, {58, 55, "SW"},      {54, 54, "XN"},
                                     {53, 53, "res"},     {52, 52, "Contig"},  {51, 40, "UNK/SBZP"},
                                     {39, 12, "output address [39:12]"},       {11, 11, "res"},
                                     {10, 10, "AF"},      {9, 8, "SH"},        {7, 6, "S2AP"},
                                     {5, 2, "MemAttr"},   {1, 0, "type"}};

}  // namespace

Figure draw_fields(const std::string& name, const std::string& title, std::uint64_t value,
                   const std::string& caption) {
  constexpr double cell = 30, x0 = 30, row_h = 120;
  const double width = x0 * 2 + cell * 32;
  Svg svg(width, 2 * row_h + 90, title);
  svg.comment(title);
  svg.text(width / 2, 24, title, {.size = 15, .anchor = Svg::Anchor::Middle, .bold = true});
  for (unsigned row = 0; row < 2; ++row) {
    const unsigned top_bit = row == 0 ? 63 : 31;
    const double y = 60 + row * row_h;
    for (unsigned k = 0; k < 32; ++k) {
      const unsigned bit = top_bit - k;
      const double x = x0 + cell * k;
      const bool one = (value >> bit) & 1;
      svg.rect(x, y, cell, 28, {.fill = one ? kSetBitFill : "#ffffff"});
      svg.text(x + cell / 2, y + 19, one ? "1" : "0", {.size = 13, .anchor = Svg::Anchor::Middle, .mono = true});
      svg.text(x + cell / 2, y - 6, std::to_string(bit), {.size = 9, .anchor = Svg::Anchor::Middle});
    }
    // The fields of this row, each a bracket under its bits.
    for (const FieldSpan& f : kDescFields) {
      const unsigned hi = std::min(f.hi, top_bit), lo = std::max(f.lo, top_bit - 31);
      if (hi < lo || f.hi < top_bit - 31 || f.lo > top_bit) continue;
      const double xa = x0 + cell * (top_bit - hi) + 2, xb = x0 + cell * (top_bit - lo + 1) - 2;
      svg.line(xa, y + 36, xb, y + 36, {.stroke = "#4b5563", .stroke_width = 2});
      svg.text((xa + xb) / 2, y + 52, f.name, {.size = 10, .anchor = Svg::Anchor::Middle});
    }
  }
  svg.text(x0, 2 * row_h + 70, caption, {.size = 12, .mono = true});
  return {name, svg.str()};
}

Figure draw_sequence(const std::string& name, const std::string& title, const std::vector<std::string>& lanes,
                     const std::vector<SeqStep>& steps) {
  constexpr double lane_w = 330, x0 = 40, top = 70, step_h = 34;
  const double width = x0 * 2 + lane_w * static_cast<double>(lanes.size());
  const double height = top + 40 + step_h * static_cast<double>(steps.size()) + 30;
  Svg svg(width, height, title);
  svg.comment(title);
  svg.text(width / 2, 24, title, {.size = 15, .anchor = Svg::Anchor::Middle, .bold = true});
  auto lane_x = [&](unsigned l) { return x0 + lane_w * (l + 0.5); };
  for (unsigned l = 0; l < lanes.size(); ++l) {
    svg.rect(lane_x(l) - 120, top - 24, 240, 30, {.fill = kTableFill});
    svg.text(lane_x(l), top - 4, lanes[l], {.size = 12, .anchor = Svg::Anchor::Middle, .bold = true});
    svg.line(lane_x(l), top + 6, lane_x(l), height - 20, {.stroke = "#9ca3af", .dashed = true});
  }
  double y = top + 40;
  for (const SeqStep& s : steps) {
    const std::string colour = s.alert ? kAlertStroke : "#333333";
    if (s.from == s.to) {
      svg.rect(lane_x(s.from) - 150, y - 16, 300, 24, {.fill = s.alert ? "#fee2e2" : "#ffffff", .stroke = colour});
      svg.text(lane_x(s.from), y, s.text, {.size = 11, .anchor = Svg::Anchor::Middle, .fill = colour});
    } else {
      svg.line(lane_x(s.from), y, lane_x(s.to), y, {.stroke = colour, .stroke_width = 1.5}, true);
      svg.text((lane_x(s.from) + lane_x(s.to)) / 2, y - 5, s.text,
               {.size = 11, .anchor = Svg::Anchor::Middle, .fill = colour});
    }
    y += step_h;
  }
  return {name, svg.str()};
}

}  // namespace s2sim::sim::lab
