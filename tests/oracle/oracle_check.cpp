#include "oracle/oracle_check.h"

#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "mmu/access_sink.h"
#include "mmu/pgtable_accessors.h"
#include "oracle/simulator_forms.h"

namespace s2sim::oracle {

Walker walker_of(const std::string& name) {
  for (Walker w : {Walker::Naive, Walker::V4, Walker::V4Fixed, Walker::Range})
    if (name == walker_name(w)) return w;
  throw std::invalid_argument("no model of walker " + name);
}

namespace {

std::string hex(std::uint64_t v) {
  std::ostringstream os;
  os << "0x" << std::hex << v;
  return os.str();
}

std::string levels(const std::array<std::uint64_t, 4>& a) {
  std::ostringstream os;
  os << '{' << a[0] << ", " << a[1] << ", " << a[2] << ", " << a[3] << '}';
  return os.str();
}

struct LeafWord {
  std::uint64_t pa, raw;
  mmu::level_t level;
};

std::vector<LeafWord> leaf_words(const mmu::S2PageTable& pt) {
  std::vector<LeafWord> v;
  pt.for_each_leaf([&](mmu::ipa_t, mmu::level_t level, mmu::phys_addr_t pa, mmu::S2Desc d) {
    v.push_back(LeafWord{pa, d.raw, level});
  });
  return v;
}

}  // namespace

CheckResult check_against_oracle(mmu::WpWalker& walker, mmu::S2PageTable& pt, const mmu::Memslot& slot,
                                 std::uint64_t gfn_offset, std::uint64_t mask, unsigned bits_per_long) {
  CheckResult out;
  const mmu::Geometry& g = pt.geometry();
  const Regime regime{g.ipa_bits, static_cast<unsigned>(g.start_level), g.pa_bits};
  const mmu::PhysMem& mem = pt.mem();
  const ReadWord read = [&mem](std::uint64_t pa) { return mem.load64(pa); };
  out.predicted = predict(walker_of(walker.name()), regime, pt.pgd_pa(), read,
                          Call{slot.base_gfn, gfn_offset, mask, bits_per_long}, simulator_v4_options());
  const Prediction& p = out.predicted;
  const std::vector<LeafWord> before = leaf_words(pt);

  mmu::CountingSink sink;
  mmu::WpStats stats;
  mmu::S2Walk w(pt, &sink, &out.hazards, walker.name());
  walker.write_protect_masked(w, slot, gfn_offset, mask, bits_per_long, stats);

  std::ostringstream err;
  auto differ = [&](const std::string& what, const std::string& got, const std::string& want) {
    if (err.tellp() == 0) err << walker.name() << ": " << what << " " << got << ", the model predicts " << want;
  };
  if (sink.loads != p.loads) differ("loads by level", levels(sink.loads), levels(p.loads));
  if (sink.stores != p.stores) differ("stores by level", levels(sink.stores), levels(p.stores));
  if (stats.calls != 1) differ("calls", std::to_string(stats.calls), "1");
  if (stats.ptes_write_protected != p.ptes_protected)
    differ("ptes_write_protected", std::to_string(stats.ptes_write_protected), std::to_string(p.ptes_protected));
  if (stats.blocks_write_protected != p.blocks_protected)
    differ("blocks_write_protected", std::to_string(stats.blocks_write_protected), std::to_string(p.blocks_protected));
  if (stats.clean_pages_protected != p.clean_pages_protected)
    differ("clean_pages_protected", std::to_string(stats.clean_pages_protected),
           std::to_string(p.clean_pages_protected));
  using mmu::HazardKind;
  const std::pair<HazardKind, std::uint64_t> hazards[] = {
      {HazardKind::WalkNonPresent, p.pointers_from_invalid},
      {HazardKind::BlockAsTable, p.pointers_from_block},
      {HazardKind::WrongTableWp, p.writes_to(Target::WrongEntry)},
      {HazardKind::GuestFrameCorrupted, p.writes_to(Target::OutsideTables)},
  };
  for (const auto& [kind, want] : hazards)
    if (out.hazards.count(kind) != want)
      differ(std::string(mmu::to_string(kind)) + " hazards", std::to_string(out.hazards.count(kind)),
             std::to_string(want));

  // Memory: each word the model writes holds its last value; every other leaf is as it was.
  std::map<std::uint64_t, std::uint64_t> final_words;
  for (const Store& s : p.writes) final_words[s.pa] = s.value;
  for (const auto& [pa, value] : final_words)
    if (mem.load64(pa) != value) differ("word at " + hex(pa), hex(mem.load64(pa)), hex(value));
  const std::vector<LeafWord> after = leaf_words(pt);
  if (after.size() != before.size()) differ("leaf count", std::to_string(after.size()), std::to_string(before.size()));
  for (std::size_t i = 0; i < before.size() && i < after.size(); ++i) {
    const auto it = final_words.find(before[i].pa);
    const std::uint64_t want = it != final_words.end() ? it->second : before[i].raw;
    if (after[i].pa != before[i].pa || after[i].raw != want)
      differ("leaf at " + hex(after[i].pa), hex(after[i].raw), hex(before[i].pa) + " = " + hex(want));
  }
  out.error = err.str();
  return out;
}

}  // namespace s2sim::oracle
