// Every write-protect walker against the reference model (wp_oracle.h), on windows at
// every alignment against 2 MiB and 1 GiB boundaries -- a window starting on one,
// each way of straddling one, and a window ending exactly on one -- with 32- and
// 64-bit bitmap words, on the ARMv7 LPAE and ARMv8 4-level geometries, over tables
// with holes, read-only and writable pages, 2 MiB and 1 GiB blocks, and pmds cleared
// by host unmaps after the bits were set. For each call the model's loads and stores
// per level, counts, hazards and changed words must be the walker's exactly.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "mmu/descriptor.h"
#include "mmu/s2_pgtable.h"
#include "mmu/wp_walkers.h"
#include "oracle/oracle_check.h"

namespace s2sim::oracle {
namespace {

using mmu::gfn_t;

constexpr gfn_t kPmdPages = 512;
constexpr gfn_t kGiBPages = gfn_t{1} << 18;
constexpr std::uint64_t kReadOnly = mmu::desc::PAGE_S2_ATTRS;
constexpr std::uint64_t kReadWrite = mmu::desc::PAGE_S2_ATTRS | mmu::desc::L_PTE_S2_RDWR;
// 1 GiB blocks point here: 1 GiB-aligned, above every frame the tests allocate, so
// nothing backs it and a walker that takes such a block for a table reads zeros.
constexpr std::uint64_t kGiBBlockPa = std::uint64_t{1} << 39;

struct Rng {
  explicit Rng(std::uint64_t seed) : g(seed) {}
  std::uint64_t below(std::uint64_t n) { return g() % n; }
  bool chance(unsigned pct) { return below(100) < pct; }
  std::mt19937_64 g;
};

enum class Op : std::uint8_t { PageRW, PageRO, Block2MRW, Block2MRO, Block1GRW, Block1GRO, UnmapPage, UnmapPmd };
struct Step {
  Op op;
  gfn_t gfn;
};

// One call and the table state it meets, as a list of steps so that each walker gets
// its own identical copy.
struct Case {
  mmu::Geometry geo;
  unsigned bpl = 32;
  gfn_t base = 0, gfn_offset = 0;
  std::uint64_t npages = 0, mask = 0;
  std::vector<Step> steps;
  std::string describe() const {
    std::ostringstream os;
    os << geo.name << " bits_per_long " << bpl << " base_gfn " << base << " gfn_offset " << gfn_offset << " mask 0x"
       << std::hex << mask << std::dec << " (" << steps.size() << " table steps)";
    return os.str();
  }
};

// A copy of the VM's tables built from a case.
struct Tables {
  explicit Tables(const mmu::Geometry& geo) : mem(0x80000000ull, 0x100000000ull, geo.pa_bits), pt(mem, geo) {}
  mmu::PhysMem mem;
  mmu::S2PageTable pt;
  std::vector<std::pair<gfn_t, std::uint64_t>> chunks;  // 2 MiB region -> its guest chunk

  std::uint64_t chunk_of(gfn_t region) {
    for (const auto& [r, pa] : chunks)
      if (r == region) return pa;
    chunks.emplace_back(region, mem.alloc_guest_chunk());
    return chunks.back().second;
  }
  void apply(const Step& s) {
    const mmu::ipa_t ipa = s.gfn << mmu::PAGE_SHIFT;
    const std::uint64_t pa = chunk_of(s.gfn / kPmdPages) + (s.gfn % kPmdPages) * mmu::PAGE_SIZE;
    switch (s.op) {
      case Op::PageRW: pt.map_page(ipa, pa, kReadWrite); break;  // a block in the way: nothing happens
      case Op::PageRO: pt.map_page(ipa, pa, kReadOnly); break;
      case Op::Block2MRW:
      case Op::Block2MRO:
        pt.map_block(ipa, chunk_of(s.gfn / kPmdPages), 2, s.op == Op::Block2MRW ? kReadWrite : kReadOnly);
        break;
      case Op::Block1GRW:
      case Op::Block1GRO:
        pt.map_block(ipa, kGiBBlockPa, 1, s.op == Op::Block1GRW ? kReadWrite : kReadOnly);
        break;
      case Op::UnmapPage: pt.clear_leaf(ipa); break;
      case Op::UnmapPmd: pt.clear_entry(ipa, 2); break;  // the pte table is freed
    }
  }
};

std::uint64_t draw_mask(Rng& r, unsigned bpl, gfn_t gfnofst, gfn_t boundary) {
  const std::uint64_t full = bpl == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bpl) - 1;
  // Bit of the boundary's first page, if the window holds it.
  const bool holds = boundary > gfnofst && boundary < gfnofst + bpl;
  const unsigned b = holds ? static_cast<unsigned>(boundary - gfnofst) : bpl / 2;
  std::uint64_t m = 0;
  switch (r.below(9)) {
    case 0: m = full; break;
    case 1: m = r.g() & full; break;
    case 2: m = std::uint64_t{1} << r.below(bpl); break;
    case 3: m = 1 | (std::uint64_t{1} << (bpl - 1)); break;                // first and last
    case 4: m = (std::uint64_t{1} << (b - 1)) | (std::uint64_t{1} << b); break;  // either side of it
    case 5: m = full & ~((std::uint64_t{1} << b) - 1); break;              // only past it
    case 6: m = (std::uint64_t{1} << b) - 1; break;                        // only before it
    case 7: m = (r.g() & r.g()) & full; break;                             // sparse
    default: m = std::uint64_t{1} << (bpl - 1); break;                     // the last page alone
  }
  return m ? m : 1;
}

// Fills each 2 MiB region near the window (and, for a window straddling 1 GiB, the
// region at the start of the first page's GiB, which is where the seed's fallback
// reads pmd index(next) of the wrong table) with a random state.
void draw_tables(Rng& r, Case& c) {
  const gfn_t lo = c.base + c.gfn_offset, hi = lo + c.bpl - 1;
  std::vector<gfn_t> regions;
  for (gfn_t reg = lo / kPmdPages - (lo >= kPmdPages ? 1 : 0); reg <= hi / kPmdPages + 1; ++reg) regions.push_back(reg);
  if (lo / kGiBPages != hi / kGiBPages && r.chance(50)) regions.push_back(lo / kGiBPages * kGiBPages / kPmdPages);
  if (r.chance(10)) {
    // A 1 GiB block over the first or last page's GiB.
    const gfn_t g = (r.chance(50) ? lo : hi) / kGiBPages * kGiBPages;
    c.steps.push_back(Step{r.chance(60) ? Op::Block1GRW : Op::Block1GRO, g});
  }
  for (gfn_t reg : regions) {
    const gfn_t first = reg * kPmdPages;
    const unsigned mode = static_cast<unsigned>(r.below(100));
    if (mode < 12) continue;  // nothing mapped
    if (mode < 30) {
      c.steps.push_back(Step{r.chance(70) ? Op::Block2MRW : Op::Block2MRO, first});
      continue;
    }
    static constexpr unsigned kDensity[] = {10, 50, 90, 100};
    static constexpr unsigned kRw[] = {0, 50, 90, 100};
    const unsigned density = kDensity[r.below(4)], rw = kRw[r.below(4)];
    // Pages of the region that a window near it can reach (plus a few anywhere): the
    // seed's wrong-table stores land 512 pages from the window, at the same index.
    for (gfn_t i = 0; i < kPmdPages; ++i) {
      const gfn_t g = first + i;
      const bool near = (g + 80 >= lo && g <= hi + 80) || i >= kPmdPages - 80 || i < 80;
      if (near && r.chance(density)) c.steps.push_back(Step{r.chance(rw) ? Op::PageRW : Op::PageRO, g});
    }
    if (r.chance(25)) c.steps.push_back(Step{Op::UnmapPmd, first});  // host unmap of the whole 2 MiB
    if (r.chance(25))
      for (int n = 0; n < 3; ++n) c.steps.push_back(Step{Op::UnmapPage, lo + r.below(c.bpl)});
  }
}

struct Tally {
  std::uint64_t calls = 0, crossing = 0, wrong_entry = 0, outside = 0, from_invalid = 0, from_block = 0,
                blocks = 0, clean = 0;
};

// Runs every walker on its own copy of the case's tables; returns the failures.
int check_case(const Case& c, Tally& t) {
  static const char* const kWalkers[] = {"naive", "v4", "v4-fixed", "range"};
  int failures = 0;
  mmu::Memslot slot;
  slot.base_gfn = c.base;
  slot.npages = c.npages;
  for (const char* name : kWalkers) {
    Tables tables(c.geo);
    for (const Step& s : c.steps) tables.apply(s);
    std::unique_ptr<mmu::WpWalker> walker = mmu::make_wp_walker(name);
    const CheckResult r = check_against_oracle(*walker, tables.pt, slot, c.gfn_offset, c.mask, c.bpl);
    if (!r.error.empty() && ++failures <= 3) ADD_FAILURE() << c.describe() << ": " << r.error;
    ++t.calls;
    t.wrong_entry += r.predicted.writes_to(Target::WrongEntry);
    t.outside += r.predicted.writes_to(Target::OutsideTables);
    t.from_invalid += r.predicted.pointers_from_invalid;
    t.from_block += r.predicted.pointers_from_block;
    t.blocks += r.predicted.blocks_protected;
    t.clean += r.predicted.clean_pages_protected;
  }
  const gfn_t lo = c.base + c.gfn_offset;
  t.crossing += lo / kPmdPages != (lo + c.bpl - 1) / kPmdPages;
  return failures;
}

// Windows starting k pages before `boundary`, for every k from 0 (starting on it) to
// bits_per_long (ending exactly on it), `reps` table states each.
Tally run_alignments(const mmu::Geometry& geo, unsigned bpl, gfn_t boundary, int reps, std::uint64_t seed) {
  Tally t;
  int failures = 0;
  Rng r(seed);
  for (unsigned k = 0; k <= bpl; ++k) {
    for (int rep = 0; rep < reps; ++rep) {
      Case c;
      c.geo = geo;
      c.bpl = bpl;
      const gfn_t gfnofst = boundary - k;
      const gfn_t words_before = r.below(3);
      c.gfn_offset = words_before * bpl;
      c.base = gfnofst - c.gfn_offset;
      c.npages = c.gfn_offset + bpl + r.below(3) * bpl;
      c.mask = draw_mask(r, bpl, gfnofst, boundary);
      draw_tables(r, c);
      failures += check_case(c, t);
    }
  }
  EXPECT_EQ(failures, 0) << geo.name << " bits_per_long " << bpl << " boundary gfn " << boundary;
  return t;
}

std::string tally_str(const Tally& t) {
  std::ostringstream os;
  os << t.calls << " calls (" << t.crossing << " windows crossing a pmd): stores in a wrong table " << t.wrong_entry
     << ", outside the tables " << t.outside << "; table pointers from invalid entries " << t.from_invalid
     << ", from blocks " << t.from_block << "; blocks protected " << t.blocks << ", clean pages " << t.clean;
  return os.str();
}

void expect_every_shape(const Tally& t) {
  // The states must reach each kind of behaviour, or the comparisons say little.
  EXPECT_GT(t.crossing, 0u) << tally_str(t);
  EXPECT_GT(t.wrong_entry, 0u) << tally_str(t);
  EXPECT_GT(t.outside, 0u) << tally_str(t);
  EXPECT_GT(t.from_invalid, 0u) << tally_str(t);
  EXPECT_GT(t.from_block, 0u) << tally_str(t);
  EXPECT_GT(t.blocks, 0u) << tally_str(t);
  EXPECT_GT(t.clean, 0u) << tally_str(t);
}

constexpr int kReps = 6;

}  // namespace

TEST(WpOracleWindows, Armv7Every2MiBAlignment) {
  for (unsigned bpl : {32u, 64u}) {
    // A pmd boundary inside a GiB, away from the GiB's edges.
    const Tally t = run_alignments(mmu::Geometry::armv7_lpae(), bpl, 5 * kGiBPages + 77 * kPmdPages, kReps, 100 + bpl);
    RecordProperty("bits" + std::to_string(bpl), tally_str(t));
    expect_every_shape(t);
  }
}

TEST(WpOracleWindows, Armv7Every1GiBAlignment) {
  for (unsigned bpl : {32u, 64u}) {
    const Tally t = run_alignments(mmu::Geometry::armv7_lpae(), bpl, 3 * kGiBPages, kReps, 200 + bpl);
    RecordProperty("bits" + std::to_string(bpl), tally_str(t));
    expect_every_shape(t);
  }
}

TEST(WpOracleWindows, Armv8FourLevelEvery2MiBAnd1GiBAlignment) {
  for (unsigned bpl : {32u, 64u}) {
    const Tally pmd = run_alignments(mmu::Geometry::armv8_4level(), bpl, 9 * kGiBPages + 300 * kPmdPages, kReps / 2,
                                     300 + bpl);
    const Tally gib = run_alignments(mmu::Geometry::armv8_4level(), bpl, 9 * kGiBPages, kReps / 2, 400 + bpl);
    RecordProperty("bits" + std::to_string(bpl), tally_str(pmd) + "; " + tally_str(gib));
    EXPECT_GT(pmd.crossing + gib.crossing, 0u);
    EXPECT_GT(pmd.wrong_entry + gib.wrong_entry, 0u) << tally_str(pmd) << "; " << tally_str(gib);
    EXPECT_GT(pmd.outside + gib.outside, 0u) << tally_str(pmd) << "; " << tally_str(gib);
  }
}

}  // namespace s2sim::oracle
