// Differential tests of the write-protect walkers (kvm_mmu_write_protect_pt_masked and
// its variants): thousands of pseudo-random stage-2 table states with fixed seeds,
// each walker's descriptor loads and stores per level checked against the independent
// reference model (tests/oracle/wp_oracle.h), golden descriptor-load counts worked by
// hand, and one hand-built scenario per hazard of the seed's v4 walker (mmu/hazard.h,
// mmu/wp_v4.cpp).
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "mmu/access_sink.h"
#include "mmu/dirty_log.h"
#include "mmu/fault_handler.h"
#include "mmu/granule.h"
#include "mmu/kvm.h"
#include "mmu/wp_walkers.h"
#include "oracle/oracle_check.h"
#include "oracle/simulator_forms.h"

using namespace s2sim::mmu;

namespace {

constexpr ipa_t ipa_of(gfn_t g) { return g << PAGE_SHIFT; }
constexpr std::uint64_t kRO = desc::PAGE_S2_ATTRS;
constexpr std::uint64_t kRW = desc::PAGE_S2_ATTRS | desc::L_PTE_S2_RDWR;
constexpr gfn_t k512GiBPages = gfn_t{1} << 27;    // 512 GiB

KvmOptions options_for(const Geometry& g) {
  KvmOptions o;
  o.geometry = g;
  return o;
}

struct Leaf {
  ipa_t ipa;
  level_t level;
  phys_addr_t pa;
  std::uint64_t raw;
  bool operator==(const Leaf&) const = default;
};

std::vector<Leaf> leaves_of(const Kvm& kvm) {
  std::vector<Leaf> v;
  kvm.pgtable.for_each_leaf(
      [&](ipa_t ipa, level_t level, phys_addr_t pa, S2Desc d) { v.push_back(Leaf{ipa, level, pa, d.raw}); });
  return v;
}

std::string leaf_str(const Leaf& l) {
  std::ostringstream os;
  os << "gfn " << (l.ipa >> PAGE_SHIFT) << " level " << l.level << " raw 0x" << std::hex << l.raw
     << (S2Desc{l.raw}.writable() ? " (rw)" : " (ro)");
  return os.str();
}

// "" if equal, else the first difference.
std::string diff_leaves(const std::vector<Leaf>& got, const std::vector<Leaf>& want) {
  if (got.size() != want.size())
    return "leaf count " + std::to_string(got.size()) + " vs " + std::to_string(want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!(got[i] == want[i])) return "got " + leaf_str(got[i]) + ", want " + leaf_str(want[i]);
  return "";
}

struct WalkerSet {
  NaiveWalker naive;
  V4Walker v4;
  V4FixedWalker v4_fixed;
  RangeWalker range;
  std::array<WpWalker*, 4> all() { return {&naive, &v4, &v4_fixed, &range}; }
};
enum { kNaive = 0, kV4 = 1, kV4Fixed = 2, kRange = 3 };

struct WalkResult {
  WpStats stats;
  CountingSink sink;
};

// One call as get_dirty_log makes it: the walk's coverage of the mask is checked
// afterwards (mask_abandoned).
WalkResult walk(Kvm& kvm, WpWalker& walker, gfn_t gfn_offset, std::uint64_t mask, unsigned bpl) {
  WalkResult r;
  S2Walk w(kvm.pgtable, &r.sink, &kvm.hazards, walker.name());
  const Memslot& slot = *kvm.memslots.by_id(0);
  w.track_mask(slot.base_gfn + gfn_offset, bpl);
  walker.write_protect_masked(w, slot, gfn_offset, mask, bpl, r.stats);
  w.report_abandoned(mask);
  return r;
}

bool writable(const Kvm& kvm, gfn_t g) {
  const S2Lookup l = kvm.pgtable.lookup(ipa_of(g));
  return l.mapped && l.desc.writable();
}

// ======================================================================================
// Random table states
// ======================================================================================

// A small deterministic generator: std::mt19937_64 is specified bit-exactly; the
// reductions below are ours (the standard distributions are not portable).
struct Rng {
  explicit Rng(std::uint64_t seed) : g(seed) {}
  std::uint64_t below(std::uint64_t n) { return g() % n; }
  bool chance(unsigned pct) { return below(100) < pct; }
  std::uint64_t bits() { return g(); }
  std::mt19937_64 g;
};

enum class OpKind : std::uint8_t { Read, Write, BlockRW, BlockRO, UnmapGfn, UnmapPmd };
struct Op {
  OpKind kind;
  gfn_t gfn;
};

struct Case {
  std::uint64_t seed = 0;
  Geometry geo;
  unsigned bpl = 32;
  gfn_t base = 0;
  std::uint64_t npages = 0;
  gfn_t gfn_offset = 0;
  std::uint64_t mask = 0;
  std::vector<Op> ops;

  gfn_t window_first() const { return base + gfn_offset; }  // gfnofst
  std::string describe() const {
    std::ostringstream os;
    os << "seed " << seed << " geometry " << geo.name << " bits_per_long " << bpl << " slot [" << base << ", +"
       << npages << ") gfn_offset " << gfn_offset << " mask 0x" << std::hex << mask << std::dec << " ops "
       << ops.size();
    return os.str();
  }
};

Case make_case(std::uint64_t seed, const Geometry& geo, unsigned bpl) {
  Rng r(seed);
  Case c;
  c.seed = seed;
  c.geo = geo;
  c.bpl = bpl;
  // Slot alignment: 2 MiB aligned, random, a few pages before a pmd boundary, near a
  // 1 GiB boundary (a level-1 entry boundary on ARMv7), near 512 GiB (a pgd entry
  // boundary on the 4-level geometry; the two concatenated pgd pages on ARMv7).
  switch (r.below(6)) {
    case 0: c.base = (1 + r.below(4000)) * PMD_PAGES; break;
    case 1: c.base = (1 + r.below(4000)) * PMD_PAGES - r.below(PMD_PAGES); break;
    case 2: c.base = (1 + r.below(4000)) * PMD_PAGES - r.below(bpl); break;
    case 3: c.base = (1 + r.below(8)) * PUD_PAGES - r.below(700); break;
    case 4: c.base = (1 + r.below(8)) * PUD_PAGES - r.below(bpl); break;
    default: c.base = k512GiBPages - r.below(700); break;
  }
  c.npages = bpl + r.below(1400);

  // The word handed to the walker: often the one straddling a pmd or 1 GiB boundary.
  const std::uint64_t nwords = (c.npages + bpl - 1) / bpl;
  std::uint64_t word = r.below(nwords);
  const unsigned pick = static_cast<unsigned>(r.below(100));
  const gfn_t boundary = pick < 50   ? (c.base / PMD_PAGES + 1) * PMD_PAGES
                         : pick < 70 ? (c.base / PUD_PAGES + 1) * PUD_PAGES
                                     : 0;
  if (boundary && boundary < c.base + c.npages) word = (boundary - c.base) / bpl;
  c.gfn_offset = word * bpl;
  const unsigned valid = static_cast<unsigned>(std::min<std::uint64_t>(bpl, c.npages - c.gfn_offset));
  const std::uint64_t full = valid == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << valid) - 1;
  switch (r.below(6)) {
    case 0: c.mask = full; break;
    case 1: c.mask = r.bits() & full; break;
    case 2:
      for (unsigned n = 1 + static_cast<unsigned>(r.below(3)); n; --n) c.mask |= std::uint64_t{1} << r.below(valid);
      break;
    case 3: c.mask = 1 | (std::uint64_t{1} << (valid - 1)); break;
    case 4: c.mask = std::uint64_t{1} << r.below(valid); break;
    default: c.mask = r.bits() & r.bits() & full; break;
  }
  if (!c.mask) c.mask = std::uint64_t{1} << r.below(valid);

  // Mapping state, built only around the window. The walkers touch nothing else,
  // except v4: its wrong-table ptes mirror window pages 512 pages away (populated
  // here half the time), and its 1 GiB-crossing fallback reads a pmd about 1 GiB
  // away (left empty here, so that case shows as a dropped mask: mask_abandoned).
  const gfn_t win_lo = c.window_first(), win_hi = win_lo + valid - 1;
  const gfn_t slot_end = c.base + c.npages;
  auto in_slot = [&](gfn_t g) { return g >= c.base && g < slot_end; };
  const gfn_t first_region = win_lo >= PMD_PAGES ? win_lo / PMD_PAGES - 1 : 0, last_region = win_hi / PMD_PAGES + 1;
  for (gfn_t region = first_region; region <= last_region; ++region) {
    const gfn_t rlo = std::max(region * PMD_PAGES, c.base), rhi = std::min((region + 1) * PMD_PAGES, slot_end);
    if (rlo >= rhi) continue;
    const bool whole = rlo == region * PMD_PAGES && rhi == (region + 1) * PMD_PAGES;
    const unsigned mode = static_cast<unsigned>(r.below(100));
    if (mode < 15) continue;  // nothing mapped in this region
    if (mode < 35 && whole) {
      c.ops.push_back(Op{r.chance(70) ? OpKind::BlockRW : OpKind::BlockRO, region * PMD_PAGES});
      continue;
    }
    static constexpr unsigned kDensity[] = {5, 30, 80, 100};
    static constexpr unsigned kRwShare[] = {0, 50, 90, 100};
    const unsigned density = kDensity[r.below(4)], rw = kRwShare[r.below(4)];
    auto page = [&](gfn_t g) {
      if (g >= rlo && g < rhi && r.chance(density))
        c.ops.push_back(Op{r.chance(rw) ? OpKind::Write : OpKind::Read, g});
    };
    const gfn_t near_lo = win_lo > 80 ? win_lo - 80 : 0;
    for (gfn_t g = std::max(rlo, near_lo); g < std::min(rhi, win_hi + 81); ++g) page(g);
    if (r.chance(50))
      for (gfn_t g = win_lo; g <= win_hi; ++g) {
        page(g + PMD_PAGES);
        if (g >= PMD_PAGES) page(g - PMD_PAGES);
      }
    for (int i = 0; i < 4; ++i) page(rlo + r.below(rhi - rlo));
  }
  // Host unmaps (MMU notifier) after the bits were set: single pages, whole pmds.
  auto near_window = [&](gfn_t slack) {
    const gfn_t lo = std::max(c.base, win_lo > slack ? win_lo - slack : 0);
    const gfn_t hi = std::min(slot_end - 1, win_hi + slack);
    return lo + r.below(hi - lo + 1);
  };
  if (r.chance(30))
    for (unsigned n = 1 + static_cast<unsigned>(r.below(4)); n; --n) c.ops.push_back(Op{OpKind::UnmapGfn, near_window(8)});
  if (r.chance(30)) {
    c.ops.push_back(Op{OpKind::UnmapPmd, near_window(40)});
    // Sometimes the guest touches the region again: a new pte table (possibly the
    // freed frame reused).
    if (r.chance(30))
      for (int i = 0; i < 3; ++i) {
        const gfn_t g = near_window(4);
        if (in_slot(g)) c.ops.push_back(Op{OpKind::Write, g});
      }
  }
  return c;
}

void build(Kvm& kvm, const Case& c) {
  ASSERT_EQ(kvm.memslots.add(0, c.base, c.npages, false, c.geo.ipa_bits), "") << c.describe();
  Memslot& slot = *kvm.memslots.by_id(0);
  for (const Op& op : c.ops) {
    switch (op.kind) {
      case OpKind::Read: kvm_handle_guest_abort(kvm, ipa_of(op.gfn), Access::Read); break;
      case OpKind::Write: kvm_handle_guest_abort(kvm, ipa_of(op.gfn), Access::Write); break;
      case OpKind::BlockRW:
      case OpKind::BlockRO:
        kvm.pgtable.map_block(ipa_of(op.gfn), kvm.gfn_to_pa(slot, op.gfn), 2,
                              op.kind == OpKind::BlockRW ? kRW : kRO);
        break;
      case OpKind::UnmapGfn: kvm_unmap_gfn(kvm, op.gfn); break;
      case OpKind::UnmapPmd: kvm_unmap_pmd_range(kvm, op.gfn); break;
    }
  }
}

struct Coverage {
  std::uint64_t cases = 0;
  std::uint64_t v4_precondition = 0;   // all set bits' tables present, no blocks
  std::uint64_t v4_differs = 0;        // v4's tables differ from naive's
  std::uint64_t v4_abandoned = 0;      // v4 left a page writable naive protected: mask_abandoned
  std::uint64_t range_extra = 0;       // range protected clean pages
  std::uint64_t crossing_pmd = 0;
  std::array<std::uint64_t, kHazardKinds> hazard_cases{};
};

// What the reference model says `walker` does to kvm's tables as they are now.
s2sim::oracle::Prediction predict_walk(const Kvm& kvm, const char* walker, const Case& c) {
  namespace o = s2sim::oracle;
  const Geometry& g = kvm.options.geometry;
  const o::Regime regime{g.ipa_bits, static_cast<unsigned>(g.start_level), g.pa_bits};
  const o::ReadWord read = [&kvm](std::uint64_t pa) { return kvm.mem.load64(pa); };
  return o::predict(o::walker_of(walker), regime, kvm.pgtable.pgd_pa(), read, o::Call{c.base, c.gfn_offset, c.mask, c.bpl},
                    o::simulator_v4_options());
}

std::string counts_str(const std::array<std::uint64_t, 4>& a) {
  return "{" + std::to_string(a[0]) + ", " + std::to_string(a[1]) + ", " + std::to_string(a[2]) + ", " +
         std::to_string(a[3]) + "}";
}

// "" if the walk's loads and stores per level and its counts are the model's.
std::string diff_counts(const WalkResult& r, const s2sim::oracle::Prediction& want) {
  if (r.sink.loads != want.loads)
    return "loads by level " + counts_str(r.sink.loads) + ", the oracle predicts " + counts_str(want.loads);
  if (r.sink.stores != want.stores)
    return "stores by level " + counts_str(r.sink.stores) + ", the oracle predicts " + counts_str(want.stores);
  if (r.stats.ptes_write_protected != want.ptes_protected || r.stats.blocks_write_protected != want.blocks_protected ||
      r.stats.clean_pages_protected != want.clean_pages_protected)
    return "protected counts differ from the oracle's";
  return "";
}

// Checks every property on one case; returns "" or the first violation.
std::string check_case(const Case& c, Coverage& cov) {
  WalkerSet ws;
  const auto walkers = ws.all();
  std::array<std::unique_ptr<Kvm>, 4> kvm;
  for (std::size_t i = 0; i < 4; ++i) {
    kvm[i] = std::make_unique<Kvm>(options_for(c.geo));
    build(*kvm[i], c);
  }
  const std::vector<Leaf> before = leaves_of(*kvm[0]);
  for (std::size_t i = 1; i < 4; ++i)
    if (std::string d = diff_leaves(leaves_of(*kvm[i]), before); !d.empty()) return "clones differ: " + d;

  // Facts about the state, read before any walker runs.
  const gfn_t gfnofst = c.window_first();
  const gfn_t first = gfnofst + static_cast<unsigned>(std::countr_zero(c.mask));
  const gfn_t last = gfnofst + 63 - static_cast<unsigned>(std::countl_zero(c.mask));
  bool tables_present = true;  // every set bit reaches a pte table through tables
  for (std::uint64_t m = c.mask; m; m &= m - 1) {
    const gfn_t g = gfnofst + static_cast<unsigned>(std::countr_zero(m));
    if (kvm[0]->pgtable.entry_pa(ipa_of(g), 3) == 0) tables_present = false;
  }
  const gfn_t win_last = gfnofst + c.bpl - 1;  // the seed's `next`
  const bool crosses = crosses_pmd(gfnofst, c.bpl);
  const bool crosses_1g = pud_base_gfn(gfnofst) != pud_base_gfn(win_last);
  const bool first_pmd_missing = kvm[0]->pgtable.entry_pa(ipa_of(first), 3) == 0;

  std::array<WalkResult, 4> res;
  std::array<std::vector<Leaf>, 4> after;
  for (std::size_t i = 0; i < 4; ++i) {
    const s2sim::oracle::Prediction want = predict_walk(*kvm[i], walkers[i]->name(), c);
    res[i] = walk(*kvm[i], *walkers[i], c.gfn_offset, c.mask, c.bpl);
    after[i] = leaves_of(*kvm[i]);
    if (std::string d = diff_counts(res[i], want); !d.empty()) return std::string(walkers[i]->name()) + ": " + d;
  }

  ++cov.cases;
  if (crosses) ++cov.crossing_pmd;

  // range with no access sink takes stage2_wp_range's vectorizable pte loop: the same
  // tables, counts and hazards as with one.
  {
    Kvm bare(options_for(c.geo));
    build(bare, c);
    WpStats stats;
    RangeWalker range;
    S2Walk w(bare.pgtable, nullptr, &bare.hazards, range.name());
    range.write_protect_masked(w, *bare.memslots.by_id(0), c.gfn_offset, c.mask, c.bpl, stats);
    if (std::string d = diff_leaves(leaves_of(bare), after[kRange]); !d.empty()) return "range without a sink: " + d;
    if (stats.ptes_write_protected != res[kRange].stats.ptes_write_protected ||
        stats.clean_pages_protected != res[kRange].stats.clean_pages_protected ||
        stats.blocks_write_protected != res[kRange].stats.blocks_write_protected)
      return "range without a sink: stats differ";
    if (bare.hazards.total() != kvm[kRange]->hazards.total()) return "range without a sink: hazards differ";
  }

  // Every walker: the same leaves at the same places, only S2AP changed, never made writable.
  for (std::size_t i = 0; i < 4; ++i) {
    if (after[i].size() != before.size()) return std::string(walkers[i]->name()) + " changed the set of leaves";
    for (std::size_t j = 0; j < before.size(); ++j) {
      const Leaf &b = before[j], &a = after[i][j];
      if (a.ipa != b.ipa || a.level != b.level || a.pa != b.pa || (a.raw & ~desc::S2AP_MASK) != (b.raw & ~desc::S2AP_MASK))
        return std::string(walkers[i]->name()) + " changed more than S2AP: " + leaf_str(a) + " was " + leaf_str(b);
      if (S2Desc{a.raw}.writable() && !S2Desc{b.raw}.writable())
        return std::string(walkers[i]->name()) + " made a leaf writable: " + leaf_str(a);
    }
  }

  // naive and v4-fixed: identical descriptor memory, no hazards.
  if (kvm[kNaive]->hazards.total() != 0) return "naive reported a hazard";
  if (kvm[kV4Fixed]->hazards.total() != 0) return "v4-fixed reported a hazard";
  if (std::string d = diff_leaves(after[kV4Fixed], after[kNaive]); !d.empty()) return "v4-fixed vs naive: " + d;
  if (kvm[kV4Fixed]->pgtable.mapped_pages() != kvm[kNaive]->pgtable.mapped_pages() ||
      kvm[kV4Fixed]->pgtable.mapped_blocks() != kvm[kNaive]->pgtable.mapped_blocks())
    return "v4-fixed vs naive: mapped counts differ";
  if (res[kV4Fixed].stats.ptes_write_protected != res[kNaive].stats.ptes_write_protected ||
      res[kV4Fixed].stats.blocks_write_protected != res[kNaive].stats.blocks_write_protected)
    return "v4-fixed vs naive: stats differ";

  // range = naive + the present read/write ptes strictly between the first and last
  // set bit whose bit is clear, made read-only (2 MiB blocks are longer than any
  // window, so a block the range touches always holds the first or last set bit).
  {
    std::vector<Leaf> want = after[kNaive];
    std::uint64_t extra = 0;
    for (Leaf& l : want) {
      const gfn_t g = l.ipa >> PAGE_SHIFT;
      if (l.level != 3 || g <= first || g >= last || ((c.mask >> (g - gfnofst)) & 1)) continue;
      if (!S2Desc{l.raw}.writable()) continue;
      l.raw = kvm_set_s2pte_readonly(S2Desc{l.raw}).raw;
      ++extra;
    }
    if (kvm[kRange]->hazards.total() != 0) return "range reported a hazard";
    if (std::string d = diff_leaves(after[kRange], want); !d.empty()) return "range vs naive+window: " + d;
    if (res[kRange].stats.clean_pages_protected != extra)
      return "range clean_pages_protected " + std::to_string(res[kRange].stats.clean_pages_protected) + ", want " +
             std::to_string(extra);
    if (res[kRange].stats.ptes_write_protected != res[kNaive].stats.ptes_write_protected + extra ||
        res[kRange].stats.blocks_write_protected != res[kNaive].stats.blocks_write_protected)
      return "range stats differ from naive + extra";
    if (extra) ++cov.range_extra;
  }

  // v4.
  const HazardLog& v4_hazards = kvm[kV4]->hazards;
  for (std::size_t k = 0; k < kHazardKinds; ++k)
    if (v4_hazards.count(static_cast<HazardKind>(k))) ++cov.hazard_cases[k];
  const bool differs = !diff_leaves(after[kV4], after[kNaive]).empty();
  if (differs) ++cov.v4_differs;
  if (tables_present) {
    ++cov.v4_precondition;
    if (v4_hazards.total() != 0)
      return std::string("v4 reported a hazard with every table present: ") + to_string(v4_hazards.first()[0].kind);
    if (std::string d = diff_leaves(after[kV4], after[kNaive]); !d.empty()) return "v4 vs naive with every table present: " + d;
    if (res[kV4].stats.ptes_write_protected != res[kNaive].stats.ptes_write_protected)
      return "v4 stats differ from naive with every table present";
    return "";
  }
  for (const Hazard& h : v4_hazards.first()) {
    if (static_cast<std::size_t>(h.kind) >= kHazardKinds) return "v4 reported an unknown hazard kind";
    if (std::string(h.walker) != "v4") return "a hazard not attributed to v4";
  }
  for (std::size_t j = 0; j < before.size(); ++j) {
    const bool v4_rw = S2Desc{after[kV4][j].raw}.writable(), naive_rw = S2Desc{after[kNaive][j].raw}.writable();
    // A leaf protected by v4 but not by naive is an entry of the wrong table.
    if (!v4_rw && naive_rw && v4_hazards.count(HazardKind::WrongTableWp) == 0)
      return "v4 protected " + leaf_str(after[kV4][j]) + " which naive did not, without wrong_table_wp";
    // A leaf naive protected but v4 left writable: a block v4 followed as a table, or
    // the 1 GiB-crossing fallback. There the window crosses 1 GiB and the first set
    // bit has no pte table; the seed retries with pud_offset(pgd, next) -- ipa's own
    // level-1 entry when the pud is folded (wp_v4.cpp note 3) -- and with
    // pmd_offset(pud, next) on ipa's pud, i.e. pmd index(next) of ipa's pmd table, a
    // region about 1 GiB away from the window (on every geometry). Finding that
    // empty, it returns and drops the rest of the mask: mask_abandoned, one report
    // per page it left writable.
    if (v4_rw && !naive_rw && v4_hazards.count(HazardKind::BlockAsTable) == 0) {
      if (v4_hazards.count(HazardKind::MaskAbandoned) == 0)
        return "v4 left " + leaf_str(after[kV4][j]) + " writable without a hazard";
      if (!(crosses_1g && first_pmd_missing))
        return "v4 abandoned the mask outside the 1 GiB fallback case: " + leaf_str(after[kV4][j]);
      ++cov.v4_abandoned;
      break;
    }
  }
  return "";
}

struct PropertyRun {
  Geometry geo;
  unsigned bpl;
  std::uint64_t seed0;
  int cases;
};

Coverage run_property(const PropertyRun& p) {
  Coverage cov;
  int failures = 0;
  for (int i = 0; i < p.cases; ++i) {
    const std::uint64_t seed = p.seed0 * 1000003u + static_cast<std::uint64_t>(i);
    const Case c = make_case(seed, p.geo, p.bpl);
    const std::string err = check_case(c, cov);
    if (!err.empty() && ++failures <= 5) ADD_FAILURE() << c.describe() << ": " << err;
  }
  EXPECT_EQ(failures, 0) << "of " << p.cases << " cases";
  return cov;
}

std::string coverage_str(const Coverage& c) {
  std::ostringstream os;
  os << c.cases << " cases: " << c.crossing_pmd << " crossing a pmd, " << c.v4_precondition
     << " with every table present, v4 differs from naive in " << c.v4_differs << ", by abandoning the mask in "
     << c.v4_abandoned << ", range protected clean pages in " << c.range_extra << "; v4 hazards by case:";
  for (std::size_t k = 0; k < kHazardKinds; ++k)
    os << ' ' << to_string(static_cast<HazardKind>(k)) << '=' << c.hazard_cases[k];
  return os.str();
}

}  // namespace

// ======================================================================================
// Property tests
// ======================================================================================

TEST(WpWalkerProperty, Armv7Bits32) {
  const Coverage cov = run_property({Geometry::armv7_lpae(), 32, 1, 1500});
  RecordProperty("coverage", coverage_str(cov));
  // The generator must reach every interesting shape, or the properties say little.
  EXPECT_GE(cov.v4_precondition, cov.cases / 10) << coverage_str(cov);
  EXPECT_GE(cov.crossing_pmd, cov.cases / 4) << coverage_str(cov);
  EXPECT_GT(cov.range_extra, 0u) << coverage_str(cov);
  EXPECT_GT(cov.hazard_cases[static_cast<std::size_t>(HazardKind::WalkNonPresent)], 0u) << coverage_str(cov);
  EXPECT_GT(cov.hazard_cases[static_cast<std::size_t>(HazardKind::WrongTableWp)], 0u) << coverage_str(cov);
  EXPECT_GT(cov.hazard_cases[static_cast<std::size_t>(HazardKind::BlockAsTable)], 0u) << coverage_str(cov);
  EXPECT_GT(cov.v4_abandoned, 0u) << coverage_str(cov);
  EXPECT_GT(cov.hazard_cases[static_cast<std::size_t>(HazardKind::MaskAbandoned)], 0u) << coverage_str(cov);
}

TEST(WpWalkerProperty, Armv7Bits64) {
  const Coverage cov = run_property({Geometry::armv7_lpae(), 64, 2, 1500});
  RecordProperty("coverage", coverage_str(cov));
  EXPECT_GE(cov.v4_precondition, cov.cases / 10) << coverage_str(cov);
  EXPECT_GT(cov.range_extra, 0u) << coverage_str(cov);
  EXPECT_GT(cov.hazard_cases[static_cast<std::size_t>(HazardKind::WalkNonPresent)], 0u) << coverage_str(cov);
  EXPECT_GT(cov.hazard_cases[static_cast<std::size_t>(HazardKind::WrongTableWp)], 0u) << coverage_str(cov);
  EXPECT_GT(cov.hazard_cases[static_cast<std::size_t>(HazardKind::BlockAsTable)], 0u) << coverage_str(cov);
}

TEST(WpWalkerProperty, Armv8FourLevelBits64) {
  const Coverage cov = run_property({Geometry::armv8_4level(), 64, 3, 500});
  RecordProperty("coverage", coverage_str(cov));
  EXPECT_GE(cov.v4_precondition, cov.cases / 10) << coverage_str(cov);
  EXPECT_GT(cov.hazard_cases[static_cast<std::size_t>(HazardKind::BlockAsTable)], 0u) << coverage_str(cov);
  EXPECT_GT(cov.v4_abandoned, 0u) << coverage_str(cov);
  EXPECT_GT(cov.hazard_cases[static_cast<std::size_t>(HazardKind::MaskAbandoned)], 0u) << coverage_str(cov);
}

TEST(WpWalkerProperty, Armv8FourLevelBits32) {
  const Coverage cov = run_property({Geometry::armv8_4level(), 32, 4, 500});
  RecordProperty("coverage", coverage_str(cov));
  EXPECT_GE(cov.v4_precondition, cov.cases / 10) << coverage_str(cov);
  EXPECT_GT(cov.hazard_cases[static_cast<std::size_t>(HazardKind::WrongTableWp)], 0u) << coverage_str(cov);
}

// ======================================================================================
// Golden descriptor-load counts (CountingSink), every page of the window present
// ======================================================================================

namespace {

struct Golden {
  const char* walker;
  std::array<std::uint64_t, 4> loads;  // per lookup level 0..3
};

// A slot of exactly one window, every page mapped read/write by a write fault, then
// `mask` at gfn_offset 0 handed to each walker.
void expect_golden(const Geometry& geo, gfn_t base, unsigned bpl, std::uint64_t mask, const std::vector<Golden>& want) {
  for (const Golden& g : want) {
    SCOPED_TRACE(std::string(g.walker) + " on " + geo.name + ", base_gfn " + std::to_string(base));
    Kvm kvm(options_for(geo));
    ASSERT_EQ(kvm.memslots.add(0, base, bpl, false, geo.ipa_bits), "");
    for (gfn_t p = base; p < base + bpl; ++p)
      ASSERT_EQ(kvm_handle_guest_abort(kvm, ipa_of(p), Access::Write).outcome, FaultOutcome::MappedPage);
    std::unique_ptr<WpWalker> walker = make_wp_walker(g.walker);
    ASSERT_NE(walker, nullptr);
    const WalkResult r = walk(kvm, *walker, 0, mask, bpl);
    EXPECT_EQ(r.sink.loads, g.loads);
    EXPECT_EQ(r.sink.total_stores(), static_cast<std::uint64_t>(std::popcount(mask)));
    EXPECT_EQ(r.sink.stores[3], static_cast<std::uint64_t>(std::popcount(mask)));
    EXPECT_EQ(r.stats.ptes_write_protected, static_cast<std::uint64_t>(std::popcount(mask)));
    EXPECT_EQ(kvm.hazards.total(), 0u);
    // Exactly the pages of the set bits are read-only now.
    for (gfn_t p = base; p < base + bpl; ++p) EXPECT_EQ(writable(kvm, p), ((mask >> (p - base)) & 1) == 0) << p;
  }
}

constexpr std::uint64_t kFull32 = 0xFFFFFFFFull;

}  // namespace

TEST(WpWalkerGolden, Armv7FullMaskAligned) {
  // ARMv7 LPAE: pud folded, so pgd_present() and pud_offset() read nothing; a full
  // walk is level-1 entry + pmd + pte = 3 loads.
  //   naive:    32 x 3                                              = 96
  //   v4:       crosses_pmd false: 1 level-1, then per page the pmd
  //             (pte_offset_kernel reads *pmd) and the pte           = 65
  //   v4-fixed: one upper walk for the one pmd region + 32 ptes     = 34
  //   range:    1 level-1 + 1 pmd + 32 ptes                         = 34
  expect_golden(Geometry::armv7_lpae(), 1024, 32, kFull32,
                {{"naive", {0, 32, 32, 32}},
                 {"v4", {0, 1, 32, 32}},
                 {"v4-fixed", {0, 1, 1, 32}},
                 {"range", {0, 1, 1, 32}}});
}

TEST(WpWalkerGolden, Armv7FullMaskStraddlingAPmd) {
  // base_gfn 1008 = 16 pages before the pmd boundary at gfn 1024.
  //   naive:    96
  //   v4:       crosses_pmd: first walk 2 loads, then an upper walk (level-1 + pmd)
  //             for each of the 31 remaining bits, + 32 ptes     = 2 + 62 + 32 = 96
  //   v4-fixed: 2 upper walks (4 loads) + 32 ptes                = 36
  //   range:    1 level-1 + 2 pmds + 32 ptes                     = 35
  expect_golden(Geometry::armv7_lpae(), 1008, 32, kFull32,
                {{"naive", {0, 32, 32, 32}},
                 {"v4", {0, 32, 32, 32}},
                 {"v4-fixed", {0, 2, 2, 32}},
                 {"range", {0, 1, 2, 32}}});
}

TEST(WpWalkerGolden, Armv7FullMaskStraddling1GiB) {
  // base_gfn 2^18 - 16: the window spans two level-1 entries.
  //   v4-fixed: 2 upper walks = 4 loads; range: per level-1 entry 1 + 1 pmd = 4 loads.
  expect_golden(Geometry::armv7_lpae(), PUD_PAGES - 16, 32, kFull32,
                {{"naive", {0, 32, 32, 32}},
                 {"v4", {0, 32, 32, 32}},
                 {"v4-fixed", {0, 2, 2, 32}},
                 {"range", {0, 2, 2, 32}}});
}

TEST(WpWalkerGolden, Armv7Bits64AlignedAndSparse) {
  // 64-bit longs, aligned: naive 64 x 3 = 192; v4 1 + 64 pmd reads + 64 = 129; the
  // others 1 + 1 + 64 = 66.
  expect_golden(Geometry::armv7_lpae(), 2048, 64, ~std::uint64_t{0},
                {{"naive", {0, 64, 64, 64}},
                 {"v4", {0, 1, 64, 64}},
                 {"v4-fixed", {0, 1, 1, 64}},
                 {"range", {0, 1, 1, 64}}});
  // Bits 0 and 63 only: naive 2 x 3 = 6; v4 1 + 2 pmd reads + 2 ptes = 5; v4-fixed
  // 1 + 1 + 2 ptes = 4. (range walks and protects all of [0, 63]: see
  // RangeProtectsCleanPagesBetweenFirstAndLastBit.)
  expect_golden(Geometry::armv7_lpae(), 2048, 64, 1 | (std::uint64_t{1} << 63),
                {{"naive", {0, 2, 2, 2}}, {"v4", {0, 1, 2, 2}}, {"v4-fixed", {0, 1, 1, 2}}});
}

TEST(WpWalkerGolden, RangeProtectsCleanPagesBetweenFirstAndLastBit) {
  Kvm kvm(options_for(Geometry::armv7_lpae()));
  ASSERT_EQ(kvm.memslots.add(0, 2048, 64, false, 40), "");
  for (gfn_t p = 2048; p < 2048 + 64; ++p) kvm_handle_guest_abort(kvm, ipa_of(p), Access::Write);
  RangeWalker range;
  // Bits 2 and 9: the range [2, 9] holds 8 pages; 6 of them are clean.
  const WalkResult r = walk(kvm, range, 0, (1u << 2) | (1u << 9), 64);
  EXPECT_EQ(r.sink.loads, (std::array<std::uint64_t, 4>{0, 1, 1, 8}));
  EXPECT_EQ(r.stats.ptes_write_protected, 8u);
  EXPECT_EQ(r.stats.clean_pages_protected, 6u);
  for (gfn_t p = 2048; p < 2048 + 64; ++p) EXPECT_EQ(writable(kvm, p), p < 2050 || p > 2057) << p;
}

TEST(WpWalkerGolden, Armv8FourLevel) {
  // 4-level geometry: pgd (level 0), pud (1), pmd (2), pte (3). In s2sim's accessors
  // pgd_present() loads the pgd entry and pud_offset() loads it again (each one
  // dereferences *pgd in the kernel's C, the rule mmu/wp_v4.cpp states), so a full
  // walk from the pgd is 2 + 1 + 1 = 4 upper loads; v4 with crosses_pmd false skips
  // pgd_present() and reads the pgd entry once.
  //   aligned, full 32-bit mask:
  //   naive:    32 x (2 + 1 + 1 + 1)           = 160
  //   v4:       pgd + pud once, then per page the pmd and the pte = 2 + 64 = 66
  //   v4-fixed: one upper walk (4) + 32         = 36
  //   range:    pgd_present + pud_offset + pud + pmd + 32 = 36
  expect_golden(Geometry::armv8_4level(), 1024, 32, kFull32,
                {{"naive", {64, 32, 32, 32}},
                 {"v4", {1, 1, 32, 32}},
                 {"v4-fixed", {2, 1, 1, 32}},
                 {"range", {2, 1, 1, 32}}});
  //   straddling a pmd (base_gfn 1008):
  //   v4:       crosses: first walk pgd_present + pud_offset + pud + pmd = 4, then the
  //             same 4 for each of 31 bits, + 32 ptes = 160
  //   v4-fixed: 2 upper walks (8) + 32 = 40
  //   range:    pgd_present + pud_offset + 1 pud + 2 pmds + 32 = 37
  expect_golden(Geometry::armv8_4level(), 1008, 32, kFull32,
                {{"naive", {64, 32, 32, 32}},
                 {"v4", {64, 32, 32, 32}},
                 {"v4-fixed", {4, 2, 2, 32}},
                 {"range", {2, 1, 2, 32}}});
  //   straddling 1 GiB (two pud entries under one pgd entry):
  //   range: pgd_present + pud_offset + 2 x (pud + pmd) + 32 = 38
  expect_golden(Geometry::armv8_4level(), PUD_PAGES - 16, 32, kFull32,
                {{"naive", {64, 32, 32, 32}},
                 {"v4", {64, 32, 32, 32}},
                 {"v4-fixed", {4, 2, 2, 32}},
                 {"range", {2, 2, 2, 32}}});
}

// ======================================================================================
// Hand-built hazard scenarios: v4 trips exactly that hazard, the others none
// ======================================================================================

namespace {

struct Scenario {
  std::array<std::unique_ptr<Kvm>, 4> kvm;
  std::array<WalkResult, 4> res;
};

// Builds four identical VMs with `setup`, then runs each walker on its own copy.
template <typename Setup>
Scenario run_scenario(const Geometry& geo, Setup&& setup, gfn_t gfn_offset, std::uint64_t mask, unsigned bpl) {
  Scenario s;
  WalkerSet ws;
  const auto walkers = ws.all();
  for (std::size_t i = 0; i < 4; ++i) {
    s.kvm[i] = std::make_unique<Kvm>(options_for(geo));
    setup(*s.kvm[i]);
  }
  for (std::size_t i = 0; i < 4; ++i) s.res[i] = walk(*s.kvm[i], *walkers[i], gfn_offset, mask, bpl);
  return s;
}

void expect_only(const HazardLog& h, HazardKind k, std::uint64_t n) {
  EXPECT_EQ(h.count(k), n) << to_string(k);
  EXPECT_EQ(h.total(), n) << "other hazards reported besides " << to_string(k);
}

}  // namespace

// (a) REFERENCE §3.1: the window does not cross a pmd, the pmd was cleared by a host
// unmap after the bits were set; v4 takes a table pointer from the empty entry.
TEST(WpWalkerHazard, V4WalksNonPresentPmd) {
  const std::uint64_t mask = 0b1011;  // gfns 1024, 1025, 1027
  // `other_pmd`: another 2 MiB of the same GiB stays mapped, so only the pmd goes; if
  // it was the GiB's last, unmap_pmds() frees the pmd table too and clears the level-1
  // entry (clear_pud_entry, 3.15+), and v4 goes wrong one level higher first.
  auto setup = [&](bool other_pmd) {
    return [=](Kvm& kvm) {
      ASSERT_EQ(kvm.memslots.add(0, 1024, 1024, false, 40), "");  // 2 MiB aligned
      ASSERT_EQ(kvm_enable_dirty_logging(kvm, 0, 32), 0);
      for (gfn_t g = 1024; g < 1056; ++g) kvm_handle_guest_abort(kvm, ipa_of(g), Access::Read);
      for (gfn_t g : {1024, 1025, 1027}) kvm_handle_guest_abort(kvm, ipa_of(g), Access::Write);
      if (other_pmd) kvm_handle_guest_abort(kvm, ipa_of(1600), Access::Read);
      ASSERT_EQ(kvm.memslots.by_id(0)->dirty_bitmap->word(0), mask);
      ASSERT_TRUE(kvm_unmap_pmd_range(kvm, 1024));  // MMU notifier: the whole 2 MiB goes
      ASSERT_EQ(kvm.mem.load64(kvm.pgtable.entry_pa(ipa_of(1024), 1)) == 0, !other_pmd);
    };
  };
  {
    SCOPED_TRACE("the pmd cleared");
    Scenario s = run_scenario(Geometry::armv7_lpae(), setup(true), 0, mask, 32);
    // One pte_offset_kernel() on the empty pmd per set bit; the "ptes" it reads lie in
    // frame 0 (unbacked, read as 0), already explained, so no stray_access.
    expect_only(s.kvm[kV4]->hazards, HazardKind::WalkNonPresent, 3);
    EXPECT_EQ(s.kvm[kV4]->hazards.first()[0].level, 2);
    for (int i : {kNaive, kV4Fixed, kRange}) EXPECT_EQ(s.kvm[i]->hazards.total(), 0u) << i;
    for (int i = 0; i < 4; ++i) EXPECT_EQ(s.res[i].stats.ptes_write_protected, 0u) << i;
    EXPECT_EQ(diff_leaves(leaves_of(*s.kvm[kV4]), leaves_of(*s.kvm[kNaive])), "");
  }
  {
    SCOPED_TRACE("the level-1 entry cleared with it");
    Scenario s = run_scenario(Geometry::armv7_lpae(), setup(false), 0, mask, 32);
    // pmd_offset() on the empty level-1 entry (once, crosses_pmd being false), then
    // pte_offset_kernel() on the zero it read there, once per set bit.
    expect_only(s.kvm[kV4]->hazards, HazardKind::WalkNonPresent, 4);
    EXPECT_EQ(s.kvm[kV4]->hazards.first()[0].level, 1);
    for (int i : {kNaive, kV4Fixed, kRange}) EXPECT_EQ(s.kvm[i]->hazards.total(), 0u) << i;
    EXPECT_EQ(diff_leaves(leaves_of(*s.kvm[kV4]), leaves_of(*s.kvm[kNaive])), "");
  }
}

// (b) REFERENCE §3.2: the window crosses a pmd, the first page's pmd is absent, the
// next one present: v4 falls back to `next`'s pmd but indexes it with `ipa`.
TEST(WpWalkerHazard, V4ProtectsAnEntryOfTheWrongTable) {
  // Slot [496, 1520): the 32-page window of word 0 is gfns 496..527, crossing the pmd
  // boundary at 512. gfn 1008 = 512 + 496 is pte index 496 of the next region's
  // table -- the index of the first set bit (gfn 496) in its own table.
  const std::uint64_t mask = (1u << 0) | (1u << 20);  // gfns 496 and 516
  Scenario s = run_scenario(
      Geometry::armv7_lpae(),
      [&](Kvm& kvm) {
        ASSERT_EQ(kvm.memslots.add(0, 496, 1024, false, 40), "");
        for (gfn_t g = 496; g < 528; ++g) kvm_handle_guest_abort(kvm, ipa_of(g), Access::Write);
        kvm_handle_guest_abort(kvm, ipa_of(1008), Access::Write);
        ASSERT_TRUE(kvm_unmap_pmd_range(kvm, 496));  // region 0 (gfns 0..511) goes
      },
      0, mask, 32);
  expect_only(s.kvm[kV4]->hazards, HazardKind::WrongTableWp, 1);
  ASSERT_FALSE(s.kvm[kV4]->hazards.first().empty());
  EXPECT_EQ(s.kvm[kV4]->hazards.first()[0].ipa, ipa_of(496));
  for (int i : {kNaive, kV4Fixed, kRange}) EXPECT_EQ(s.kvm[i]->hazards.total(), 0u) << i;
  // v4 protected an unrelated page whose bit is clear ...
  EXPECT_FALSE(writable(*s.kvm[kV4], 1008));
  EXPECT_TRUE(writable(*s.kvm[kNaive], 1008));
  EXPECT_TRUE(writable(*s.kvm[kV4Fixed], 1008));
  EXPECT_TRUE(writable(*s.kvm[kRange], 1008));
  // ... while the set bit in the next region (gfn 516) gets its own full upper walk
  // in v4's crossing path, so v4 protects it too (no lost write here, only a
  // spurious fault later on gfn 1008).
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(writable(*s.kvm[i], 516)) << i;
  EXPECT_EQ(s.res[kV4].stats.ptes_write_protected, 2u);
  EXPECT_EQ(s.res[kV4Fixed].stats.ptes_write_protected, 1u);
}

// (b') Where an intended page in the next region really is left writable: windows
// crossing 1 GiB whose first set bit has no pte table. The seed's fallback keeps
// ipa's pgd/pud: with the pud folded pud_offset(pgd, next) is ipa's own level-1
// entry (wp_v4.cpp note 3), and pmd_offset(pud, next) reads pmd index(next) = 0 of
// ipa's pmd table, i.e. the first 2 MiB of ipa's GiB, not next's. Finding that empty,
// v4 returns and drops the rest of the mask. No load or store it makes is in a wrong
// place; what is wrong is what it never did, which the check of the call's coverage
// reports: mask_abandoned for each page of the mask it left writable.
TEST(WpWalkerHazard, V4DropsTheMaskAcross1GiBWhenTheFirstPmdIsMissing) {
  const gfn_t base = PUD_PAGES - 16;  // window: 16 pages below 1 GiB, 16 above
  const gfn_t elsewhere = 300 * PMD_PAGES;  // a page of the first GiB outside the window
  auto add_slots = [&](Kvm& kvm) {
    ASSERT_EQ(kvm.memslots.add(0, base, 64, false, kvm.options.geometry.ipa_bits), "");
    ASSERT_EQ(kvm.memslots.add(1, elsewhere, 1, false, kvm.options.geometry.ipa_bits), "");
  };
  // Only pages above the boundary mapped: the first GiB has no level-1 table at all.
  auto first_gib_empty = [&](Kvm& kvm) {
    add_slots(kvm);
    for (gfn_t g = PUD_PAGES; g < PUD_PAGES + 16; ++g) kvm_handle_guest_abort(kvm, ipa_of(g), Access::Write);
  };
  // All 32 pages mapped and one more 2 MiB of the first GiB, then the host unmaps the
  // pmd below the boundary: the first GiB's pmd table stays (held by the other pmd),
  // its entry 511 is empty, and so is its entry 0.
  auto first_pmd_unmapped = [&](Kvm& kvm) {
    add_slots(kvm);
    kvm_handle_guest_abort(kvm, ipa_of(elsewhere), Access::Write);
    for (gfn_t g = base; g < PUD_PAGES + 16; ++g) kvm_handle_guest_abort(kvm, ipa_of(g), Access::Write);
    ASSERT_TRUE(kvm_unmap_pmd_range(kvm, base));
    ASSERT_NE(kvm.mem.load64(kvm.pgtable.entry_pa(ipa_of(base), 1)), 0u);
  };
  auto expect_dropped = [&](Scenario& s) {
    expect_only(s.kvm[kV4]->hazards, HazardKind::MaskAbandoned, 16);
    EXPECT_EQ(s.kvm[kV4]->hazards.first()[0].ipa, ipa_of(PUD_PAGES));
    EXPECT_EQ(s.res[kV4].stats.ptes_write_protected, 0u);
    for (gfn_t g = PUD_PAGES; g < PUD_PAGES + 16; ++g) {
      EXPECT_TRUE(writable(*s.kvm[kV4], g)) << g;  // 16 dirty pages stay writable
      for (int i : {kNaive, kV4Fixed, kRange}) EXPECT_FALSE(writable(*s.kvm[i], g)) << i << " " << g;
    }
    for (int i : {kNaive, kV4Fixed, kRange}) EXPECT_EQ(s.kvm[i]->hazards.total(), 0u) << i;
  };
  {
    SCOPED_TRACE("armv7, first GiB empty");
    Scenario s = run_scenario(Geometry::armv7_lpae(), first_gib_empty, 0, kFull32, 32);
    expect_dropped(s);
  }
  {
    SCOPED_TRACE("armv7, first pmd unmapped");
    Scenario s = run_scenario(Geometry::armv7_lpae(), first_pmd_unmapped, 0, kFull32, 32);
    expect_dropped(s);
  }
  {
    SCOPED_TRACE("armv8 4-level, first pmd unmapped");
    Scenario s = run_scenario(Geometry::armv8_4level(), first_pmd_unmapped, 0, kFull32, 32);
    expect_dropped(s);
  }
  {
    // With a real pud level and the first GiB's pud empty, pud_offset(pgd, next) is
    // next's pud, then pmd index(ipa) = 511 of next's pmd table is empty, so the
    // pmd fallback uses next's pmd: v4 protects everything (its first pte lookup
    // indexes that table with ipa, hitting an unmapped entry).
    SCOPED_TRACE("armv8 4-level, first GiB empty");
    Scenario s = run_scenario(Geometry::armv8_4level(), first_gib_empty, 0, kFull32, 32);
    EXPECT_EQ(s.kvm[kV4]->hazards.total(), 0u);
    EXPECT_EQ(diff_leaves(leaves_of(*s.kvm[kV4]), leaves_of(*s.kvm[kNaive])), "");
    EXPECT_EQ(s.res[kV4].stats.ptes_write_protected, 16u);
  }
}

// (c) REFERENCE §3.3: a 2 MiB block followed as if it were a table.
TEST(WpWalkerHazard, V4FollowsABlockAsATable) {
  const std::uint64_t mask = 0xFF;  // gfns 1024..1031
  Scenario s = run_scenario(
      Geometry::armv7_lpae(),
      [&](Kvm& kvm) {
        ASSERT_EQ(kvm.memslots.add(0, 1024, 512, true, 40), "");  // hugepage slot, one 2 MiB region
        ASSERT_EQ(kvm_handle_guest_abort(kvm, ipa_of(1030), Access::Write).outcome, FaultOutcome::MappedBlock);
      },
      0, mask, 32);
  const HazardLog& h = s.kvm[kV4]->hazards;
  // One pte_offset_kernel() on the block per set bit; the words it then reads are
  // (fixed pseudo-random) guest data, and where one looks like a writable pte v4
  // writes S2AP into the guest's page.
  EXPECT_GE(h.count(HazardKind::BlockAsTable), 1u);
  EXPECT_EQ(h.count(HazardKind::BlockAsTable), 8u);
  EXPECT_LE(h.count(HazardKind::GuestFrameCorrupted), 8u);
  EXPECT_EQ(h.count(HazardKind::WalkNonPresent) + h.count(HazardKind::WrongTableWp) + h.count(HazardKind::StrayAccess),
            0u);
  EXPECT_TRUE(writable(*s.kvm[kV4], 1024));  // the block itself stays writable: writes missed
  EXPECT_EQ(s.res[kV4].stats.blocks_write_protected, 0u);
  for (int i : {kNaive, kV4Fixed, kRange}) {
    EXPECT_EQ(s.kvm[i]->hazards.total(), 0u) << i;
    EXPECT_FALSE(writable(*s.kvm[i], 1024)) << i;
    EXPECT_EQ(s.kvm[i]->pgtable.lookup(ipa_of(1024)).level, 2) << i;  // still one block
    EXPECT_EQ(s.res[i].stats.blocks_write_protected, 1u) << i;
  }
}
