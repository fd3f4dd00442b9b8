#include <gtest/gtest.h>

#include <map>
#include <random>

#include "mmu/granule.h"
#include "mmu/hw_walk.h"
#include "mmu/s2_pgtable.h"

using namespace s2sim::mmu;

namespace {
constexpr std::uint64_t kRW = (desc::PAGE_S2_ATTRS & ~desc::S2AP_MASK) | desc::L_PTE_S2_RDWR;
constexpr std::uint64_t kRO = desc::PAGE_S2_ATTRS;
}  // namespace

TEST(HwWalk, PageTranslatesWithThreeLoads) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  pt.map_page(0x12345000, 0x80777000, kRW);
  const TranslateResult r = translate(pt, 0x12345ABC, Access::Write);
  EXPECT_EQ(r.fault, FaultKind::None);
  EXPECT_EQ(r.pa, 0x80777ABCull);
  EXPECT_EQ(r.level, 3);
  EXPECT_EQ(r.block_shift, 12u);
  ASSERT_EQ(r.nvisited, 3u);
  EXPECT_EQ(r.visited_level[0], 1);
  EXPECT_EQ(r.visited_level[2], 3);
  EXPECT_EQ(r.visited[0], pt.pgd_pa() + 0 * 8);
}

TEST(HwWalk, BlocksAtLevelOneAndTwo) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  pt.map_block(0x00400000, 0x90400000, 2, kRW);
  pt.map_block(0xC0000000, 0x100000000ull, 1, kRW);
  TranslateResult r = translate(pt, 0x005FFFF8, Access::Read);
  EXPECT_EQ(r.fault, FaultKind::None);
  EXPECT_EQ(r.pa, 0x905FFFF8ull);
  EXPECT_EQ(r.block_shift, 21u);
  EXPECT_EQ(r.nvisited, 2u);
  r = translate(pt, 0xC1234567, Access::Write);
  EXPECT_EQ(r.pa, 0x101234567ull);
  EXPECT_EQ(r.level, 1);
  EXPECT_EQ(r.nvisited, 1u);
}

TEST(HwWalk, TranslationFaultsAtEachLevel) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  pt.map_page(0x00201000, 0x80001000, kRW);
  EXPECT_EQ(translate(pt, 0x40000000, Access::Read).level, 1);  // empty pgd entry
  EXPECT_EQ(translate(pt, 0x40000000, Access::Read).fault, FaultKind::Translation);
  EXPECT_EQ(translate(pt, 0x00400000, Access::Read).level, 2);  // pgd present, pmd empty
  EXPECT_EQ(translate(pt, 0x00202000, Access::Read).level, 3);  // pte empty
  EXPECT_EQ(translate(pt, 0x00202000, Access::Read).fault, FaultKind::Translation);
  EXPECT_EQ(translate(pt, 0x00202000, Access::Read).nvisited, 3u);
}

TEST(HwWalk, OutOfRangeIpaIsTranslationFaultWithoutLoads) {
  PhysMem mem;
  S2PageTable v7(mem, Geometry::armv7_lpae());
  TranslateResult r = translate(v7, 0x10000000000ull, Access::Read);  // 2^40
  EXPECT_EQ(r.fault, FaultKind::Translation);
  EXPECT_EQ(r.level, 1);
  EXPECT_EQ(r.nvisited, 0u);
  S2PageTable v8(mem, Geometry::armv8_4level());
  r = translate(v8, 0x1000000000000ull, Access::Read);  // 2^48
  EXPECT_EQ(r.fault, FaultKind::Translation);
  EXPECT_EQ(r.level, 0);
}

TEST(HwWalk, AccessFlagBeforePermission) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  pt.map_page(0x1000, 0x80001000, kRO & ~desc::AF);
  EXPECT_EQ(translate(pt, 0x1000, Access::Write).fault, FaultKind::AccessFlag);
  pt.map_page(0x1000, 0x80001000, kRO);
  EXPECT_EQ(translate(pt, 0x1000, Access::Write).fault, FaultKind::Permission);
  EXPECT_EQ(translate(pt, 0x1000, Access::Write).level, 3);
  EXPECT_EQ(translate(pt, 0x1000, Access::Read).fault, FaultKind::None);
  pt.map_page(0x1000, 0x80001000, (std::uint64_t{desc::S2AP_WO} << 6) | desc::AF);
  EXPECT_EQ(translate(pt, 0x1000, Access::Read).fault, FaultKind::Permission);
}

TEST(HwWalk, TranslateFromAWalkCacheHit) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  pt.map_page(0x00201000, 0x80001000, kRW);
  const phys_addr_t pte_table = pt.entry_pa(0x00201000, 3) & PAGE_MASK;
  const TranslateResult r = translate_from(pt, 0x00201008, Access::Read, 3, pte_table);
  EXPECT_EQ(r.fault, FaultKind::None);
  EXPECT_EQ(r.pa, 0x80001008ull);
  EXPECT_EQ(r.nvisited, 1u);
}

// Property: after thousands of random maps/unmaps (pages, 2 MiB and 1 GiB blocks,
// permission flips, whole-pmd unmaps), translate() agrees with a plain reference
// model for every probed IPA, on both geometries.
class HwWalkProperty : public ::testing::TestWithParam<std::tuple<int, std::uint32_t>> {};

TEST_P(HwWalkProperty, AgreesWithReferenceModel) {
  const auto [geo_id, seed] = GetParam();
  const Geometry geo = geo_id == 0 ? Geometry::armv7_lpae() : Geometry::armv8_4level();
  PhysMem mem;
  S2PageTable pt(mem, geo);
  struct Ref { std::uint64_t pa; unsigned shift; bool writable; };
  std::map<ipa_t, Ref> ref;  // key: mapping base IPA
  std::mt19937_64 rng(seed);
  // A small IPA window (8 GiB) so that operations collide often.
  auto find = [&](ipa_t ipa) -> const std::pair<const ipa_t, Ref>* {
    for (unsigned shift : {PAGE_SHIFT, PMD_SHIFT, PUD_SHIFT}) {
      auto it = ref.find(ipa & ~((1ull << shift) - 1));
      if (it != ref.end() && it->second.shift == shift) return &*it;
    }
    return nullptr;
  };
  auto erase_range = [&](ipa_t lo, ipa_t hi) {
    for (auto it = ref.lower_bound(lo); it != ref.end() && it->first < hi;) it = ref.erase(it);
  };
  for (int op = 0; op < 4000; ++op) {
    const ipa_t ipa = (rng() % (8ull << 30)) & PAGE_MASK;
    const int what = static_cast<int>(rng() % 100);
    const bool rw = rng() & 1;
    const std::uint64_t attrs = rw ? kRW : kRO;
    if (what < 55) {
      bool ok = false;
      const phys_addr_t pa = 0x100000000ull + (rng() % (1u << 20)) * PAGE_SIZE;
      pt.map_page(ipa, pa, attrs, &ok);
      const auto* cover = find(ipa);
      const bool blocked = cover && cover->second.shift > 12;
      EXPECT_EQ(ok, !blocked);
      if (!blocked) ref[ipa] = Ref{pa, 12, rw};
    } else if (what < 65) {
      const ipa_t base = ipa & PMD_MASK;
      const auto* cover = find(base);
      if (cover && cover->second.shift == PUD_SHIFT) continue;  // would need a table under a 1 GiB block
      erase_range(base, base + PMD_SIZE);
      const phys_addr_t pa = 0x200000000ull + (rng() % 4096) * PMD_SIZE;
      pt.map_block(base, pa, 2, attrs);
      ref[base] = Ref{pa, PMD_SHIFT, rw};
    } else if (what < 68) {
      const ipa_t base = ipa & PUD_MASK;
      erase_range(base, base + PUD_SIZE);
      pt.map_block(base, 0x4000000000ull, 1, attrs);
      ref[base] = Ref{0x4000000000ull, PUD_SHIFT, rw};
    } else if (what < 85) {
      const auto* cover = find(ipa);
      EXPECT_EQ(pt.clear_leaf(ipa) >= 0, cover != nullptr);
      if (cover) ref.erase(cover->first);
    } else if (what < 88) {
      const ipa_t base = ipa & PMD_MASK;
      const auto* cover = find(base);
      if (cover && cover->second.shift == PUD_SHIFT) continue;
      pt.clear_entry(base, 2);
      erase_range(base, base + PMD_SIZE);
    } else {
      const auto* cover = find(ipa);
      const bool ok = rw ? pt.set_writable(ipa) : pt.set_readonly(ipa);
      EXPECT_EQ(ok, cover != nullptr);
      if (cover) ref[cover->first].writable = rw;
    }
  }
  std::uint64_t pages = 0, blocks = 0;
  for (const auto& [base, r] : ref) (r.shift == 12 ? pages : blocks)++;
  EXPECT_EQ(pt.mapped_pages(), pages);
  EXPECT_EQ(pt.mapped_blocks(), blocks);
  for (int probe = 0; probe < 4000; ++probe) {
    // Half the probes on known mappings, half anywhere in the window.
    ipa_t ipa = rng() % (8ull << 30);
    if ((probe & 1) && !ref.empty()) {
      auto it = ref.lower_bound(ipa & PAGE_MASK);
      if (it == ref.end()) it = ref.begin();
      ipa = it->first + (rng() % (1ull << it->second.shift));
    }
    const auto* cover = find(ipa);
    const TranslateResult w = translate(pt, ipa, Access::Write);
    if (!cover) {
      EXPECT_EQ(w.fault, FaultKind::Translation) << std::hex << ipa;
      continue;
    }
    const Ref& r = cover->second;
    EXPECT_EQ(w.fault, r.writable ? FaultKind::None : FaultKind::Permission) << std::hex << ipa;
    EXPECT_EQ(w.pa, r.pa + (ipa - cover->first)) << std::hex << ipa;
    EXPECT_EQ(w.block_shift, r.shift);
    EXPECT_EQ(translate(pt, ipa, Access::Read).fault, FaultKind::None);
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, HwWalkProperty,
                         ::testing::Combine(::testing::Values(0, 1), ::testing::Values(1u, 2u, 3u, 42u)));

// --- prefetch_translation ------------------------------------------------------------
//
// The engine's read-ahead prefetches what translate() is about to read, so it must
// name the same descriptor translate() ends on: the leaf when the walk reaches one,
// else the descriptor that ends it, and nothing (0) for an IPA no walk reads. Its host
// word is given only for a last-level descriptor (the engine remembers that table).

namespace {
// Where translate() ends: its leaf when it finds one, else its last load (0 if none).
phys_addr_t walk_end(const S2PageTable& pt, ipa_t ipa) {
  const TranslateResult r = translate(pt, ipa, Access::Read);
  if (r.nvisited == 0) return 0;
  return r.visited[r.nvisited - 1];
}
}  // namespace

TEST(PrefetchTranslation, MappedPagesGiveTheirLeaf) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  for (ipa_t ipa : {0x0ull, 0x1000ull, 0x12345000ull, 0x123FF000ull, 0xFFFFF000ull, 0xFFFFFFF000ull})
    pt.map_page(ipa, 0x80000000ull + (ipa & 0xFFFFF000ull), kRW);
  for (ipa_t ipa : {0x0ull, 0x1008ull, 0x12345ABCull, 0x123FFFF8ull, 0xFFFFF000ull, 0xFFFFFFFFF8ull}) {
    const TranslateResult r = translate(pt, ipa, Access::Read);
    ASSERT_EQ(r.fault, FaultKind::None) << std::hex << ipa;
    const PrefetchedLeaf leaf = prefetch_translation(pt, ipa);
    EXPECT_EQ(leaf.pa, r.leaf_pa) << std::hex << ipa;
    EXPECT_EQ(r.leaf_pa, pt.entry_pa(ipa, 3)) << std::hex << ipa;
    EXPECT_EQ(leaf.word, mem.table_words(r.leaf_pa) + ((r.leaf_pa >> 3) & 511)) << std::hex << ipa;
    ASSERT_NE(leaf.word, nullptr);
    EXPECT_EQ(*leaf.word, r.leaf.raw) << std::hex << ipa;
  }
  // A read-only page and one without the access flag still end at their leaf.
  pt.map_page(0x40000000, 0x80001000, kRO);
  pt.map_page(0x40001000, 0x80002000, kRO & ~desc::AF);
  EXPECT_EQ(prefetch_translation(pt, 0x40000000).pa, translate(pt, 0x40000000, Access::Read).leaf_pa);
  EXPECT_EQ(translate(pt, 0x40001000, Access::Read).fault, FaultKind::AccessFlag);
  EXPECT_EQ(prefetch_translation(pt, 0x40001000).pa, translate(pt, 0x40001000, Access::Read).leaf_pa);
}

TEST(PrefetchTranslation, BlocksGiveTheirLeaf) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  pt.map_block(0x00400000, 0x90400000, 2, kRW);
  pt.map_block(0xC0000000, 0x100000000ull, 1, kRW);
  for (ipa_t ipa : {0x00400000ull, 0x005FFFF8ull, 0xC0000000ull, 0xC1234560ull, 0xFFFFFFF8ull}) {
    const TranslateResult r = translate(pt, ipa, Access::Read);
    ASSERT_EQ(r.fault, FaultKind::None) << std::hex << ipa;
    EXPECT_EQ(prefetch_translation(pt, ipa).pa, r.leaf_pa) << std::hex << ipa;
    EXPECT_EQ(prefetch_translation(pt, ipa).word, nullptr) << std::hex << ipa;  // not a last-level one
  }
  EXPECT_EQ(translate(pt, 0x00500000, Access::Read).level, 2);
  EXPECT_EQ(prefetch_translation(pt, 0x00500000).pa, pt.entry_pa(0x00500000, 2));
  EXPECT_EQ(prefetch_translation(pt, 0xC0200000).pa, pt.entry_pa(0xC0200000, 1));
}

TEST(PrefetchTranslation, UnmappedIpaGivesTheDescriptorThatEndsTheWalk) {
  PhysMem mem;
  S2PageTable pt(mem, Geometry::armv7_lpae());
  pt.map_page(0x00201000, 0x80001000, kRW);
  // Empty pgd entry (one load), empty pmd entry (two), empty pte (three).
  for (ipa_t ipa : {0x40000000ull, 0x00400000ull, 0x00202000ull, 0x00200FF8ull, 0xFFFFFFFFF8ull}) {
    const TranslateResult r = translate(pt, ipa, Access::Read);
    ASSERT_EQ(r.fault, FaultKind::Translation) << std::hex << ipa;
    ASSERT_GT(r.nvisited, 0u);
    EXPECT_EQ(prefetch_translation(pt, ipa).pa, r.visited[r.nvisited - 1]) << std::hex << ipa;
  }
  EXPECT_EQ(prefetch_translation(pt, 0x40000000).pa, pt.pgd_pa() + 1 * 8);
  EXPECT_EQ(prefetch_translation(pt, 0x40000000).word, nullptr);
  EXPECT_EQ(prefetch_translation(pt, 0x00400000).word, nullptr);
  EXPECT_EQ(prefetch_translation(pt, 0x00202000).pa, pt.entry_pa(0x00202000, 3));
  // An empty pte is still a last-level word in a table frame.
  EXPECT_EQ(prefetch_translation(pt, 0x00202000).word, mem.table_words(pt.entry_pa(0x00202000, 3)) + 2);
  // An invalid encoding at level 3 (0b01 is reserved there) ends the walk too.
  mem.store64(pt.entry_pa(0x00203000, 3), 0x80003000ull | 0x1 | desc::AF);
  EXPECT_EQ(translate(pt, 0x00203000, Access::Read).fault, FaultKind::Translation);
  EXPECT_EQ(prefetch_translation(pt, 0x00203000).pa, pt.entry_pa(0x00203000, 3));
}

TEST(PrefetchTranslation, OutOfRangeIpaGivesZero) {
  PhysMem mem;
  S2PageTable v7(mem, Geometry::armv7_lpae());
  v7.map_page(0, 0x80000000, kRW);
  EXPECT_EQ(prefetch_translation(v7, 0x10000000000ull).pa, 0u);  // 2^40
  EXPECT_EQ(prefetch_translation(v7, ~ipa_t{0}).pa, 0u);
  EXPECT_EQ(prefetch_translation(v7, ~ipa_t{0}).word, nullptr);
  EXPECT_EQ(translate(v7, 0x10000000000ull, Access::Read).nvisited, 0u);
  S2PageTable v8(mem, Geometry::armv8_4level());
  EXPECT_EQ(prefetch_translation(v8, 0x1000000000000ull).pa, 0u);  // 2^48
  EXPECT_NE(prefetch_translation(v8, 0xFFFFFFFFF000ull).pa, 0u);   // the last in-range page
}

// Property: on random tables of every geometry, prefetch_translation().pa names the
// descriptor translate() ends on, for mapped and unmapped IPAs alike.
class PrefetchTranslationProperty : public ::testing::TestWithParam<std::tuple<int, std::uint32_t>> {};

TEST_P(PrefetchTranslationProperty, EndsWhereTranslateEnds) {
  const auto [geo_id, seed] = GetParam();
  const Geometry geo = geo_id == 0 ? Geometry::armv7_lpae() : geo_id == 1 ? Geometry::armv8_4level() : Geometry::armv8_3level();
  PhysMem mem;
  S2PageTable pt(mem, geo);
  std::mt19937_64 rng(seed);
  // A 4 GiB window plus a few far IPAs, so that every level is sometimes empty.
  const auto draw = [&]() -> ipa_t {
    if (rng() % 16 == 0) return rng() % geo.ipa_size();
    return rng() % (4ull << 30);
  };
  for (int op = 0; op < 3000; ++op) {
    const ipa_t ipa = draw() & PAGE_MASK;
    const unsigned what = static_cast<unsigned>(rng() % 100);
    if (what < 60) {
      pt.map_page(ipa, 0x100000000ull + (rng() % (1u << 20)) * PAGE_SIZE, (rng() & 1) ? kRW : kRO);  // refused under a block
    } else if (what < 70) {
      const ipa_t base = ipa & PMD_MASK;
      if (translate(pt, base, Access::Read).block_shift == PUD_SHIFT) continue;  // would need a table under a 1 GiB block
      pt.map_block(base, 0x200000000ull + (rng() % 4096) * PMD_SIZE, 2, kRW);
    } else if (what < 72) {
      pt.map_block(ipa & PUD_MASK, 0x4000000000ull, 1, kRW);
    } else if (what < 92) {
      pt.clear_leaf(ipa);
    } else {
      pt.clear_entry(ipa & PMD_MASK, 2);
    }
  }
  for (int probe = 0; probe < 5000; ++probe) {
    const ipa_t ipa = draw() & ~ipa_t{7};
    const TranslateResult r = translate(pt, ipa, Access::Read);
    const phys_addr_t p = prefetch_translation(pt, ipa).pa;
    ASSERT_GT(r.nvisited, 0u);
    EXPECT_EQ(p, walk_end(pt, ipa)) << std::hex << ipa;
    if (r.fault != FaultKind::Translation) {
      EXPECT_EQ(p, r.leaf_pa) << std::hex << ipa;
    }
  }
  EXPECT_EQ(prefetch_translation(pt, geo.ipa_size()).pa, 0u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, PrefetchTranslationProperty,
                         ::testing::Combine(::testing::Values(0, 1, 2), ::testing::Values(1u, 2u, 7u)));
