// The write-protect walkers run once per non-zero bitmap word under mmu_lock, so their
// hot path must not allocate: no heap traffic inside the spinlocked section in the
// kernel, and no allocator noise in s2sim-bench's host timings. This test replaces the
// global operator new of this test executable with a counting one, warms every walker
// up, then runs many calls and expects the count not to move.
#include <gtest/gtest.h>

#include <atomic>
#include <bit>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "mmu/descriptor.h"
#include "mmu/dirty_log.h"
#include "mmu/fault_handler.h"
#include "mmu/granule.h"
#include "mmu/kvm.h"
#include "mmu/wp_walker.h"

namespace {
std::atomic<std::uint64_t> g_allocations{0};
}  // namespace

// Replacements of the global allocation functions ([new.delete.single]). The array and
// nothrow forms of libstdc++ call these, so counting here counts every new-expression.
// GCC, inlining these into new-expressions, sees malloc paired with operator delete
// and warns (-Wmismatched-new-delete); the pairing is by construction our own.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace s2sim::mmu {
namespace {

constexpr gfn_t kBaseGfn = 0x80000;  // IPA 2 GiB, 2 MiB aligned
constexpr std::uint64_t kRegions = 6;

struct WalkerSlot {
  std::unique_ptr<Kvm> kvm;
  std::vector<std::uint64_t*> leaves;  // every leaf descriptor of the slot
  std::vector<gfn_t> words;            // gfn offsets of the slot's full bitmap words
  std::vector<std::uint64_t> masks;
};

// A slot of kRegions x 2 MiB (plus `offset` pages of misalignment), every page or
// 2 MiB region mapped read/write by write faults, then logging enabled.
WalkerSlot make_setup(gfn_t offset, bool hugepages, unsigned bits) {
  WalkerSlot s;
  KvmOptions opts;
  opts.block_policy = BlockPolicy::Keep;
  s.kvm = std::make_unique<Kvm>(opts);
  Kvm& kvm = *s.kvm;
  const gfn_t base = kBaseGfn + offset;
  const std::uint64_t npages = kRegions * PMD_PAGES;
  EXPECT_EQ(kvm.memslots.add(0, base, npages, hugepages, opts.geometry.ipa_bits), "");
  for (gfn_t g = base; g < base + npages;) {
    const FaultResult r = kvm_handle_guest_abort(kvm, g << PAGE_SHIFT, Access::Write);
    g = r.outcome == FaultOutcome::MappedBlock ? pmd_end_gfn(g) : g + 1;
  }
  EXPECT_EQ(kvm_enable_dirty_logging(kvm, 0, bits), 0);
  for (gfn_t g = base; g < base + npages; ++g) {
    const S2Lookup r = kvm.pgtable.lookup(g << PAGE_SHIFT);
    EXPECT_TRUE(r.mapped);
    s.leaves.push_back(kvm.mem.table_words(r.desc_pa & PAGE_MASK) + ((r.desc_pa & ~PAGE_MASK) >> 3));
  }
  const std::uint64_t all = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
  const std::uint64_t patterns[] = {all, 1, 1 | (std::uint64_t{1} << (bits - 1)), 0x9248924892489248ull & all};
  for (std::uint64_t w = 0; (w + 1) * bits <= npages; ++w) {
    s.words.push_back(w * bits);
    s.masks.push_back(patterns[w % 4]);
  }
  return s;
}

void rearm(const WalkerSlot& s) {
  for (std::uint64_t* d : s.leaves) *d |= desc::L_PTE_S2_RDWR;
}

std::uint64_t run_rounds(WalkerSlot& s, WpWalker& walker, unsigned bits, int rounds, CountingSink& sink) {
  Kvm& kvm = *s.kvm;
  const Memslot& slot = *kvm.memslots.by_id(0);
  WpStats stats;
  for (int r = 0; r < rounds; ++r) {
    rearm(s);
    for (std::size_t i = 0; i < s.words.size(); ++i) {
      S2Walk w(kvm.pgtable, &sink, &kvm.hazards, walker.name());
      walker.write_protect_masked(w, slot, s.words[i], s.masks[i], bits, stats);
    }
  }
  return stats.ptes_write_protected + stats.blocks_write_protected;
}

TEST(WpWalkerAllocations, MaskedWriteProtectAllocatesNothing) {
  for (const std::string& name : wp_walker_names()) {
    for (const unsigned bits : {32u, 64u}) {
      for (const gfn_t offset : {gfn_t{0}, gfn_t{16}}) {
        for (const bool hugepages : {false, true}) {
          if (hugepages && name == "v4") continue;  // v4 follows blocks as tables: a hazard, tested elsewhere
          SCOPED_TRACE(name + " bits=" + std::to_string(bits) + " offset=" + std::to_string(offset) +
                       (hugepages ? " blocks" : " pages"));
          WalkerSlot s = make_setup(offset, hugepages, bits);
          std::unique_ptr<WpWalker> walker = make_wp_walker(name);
          ASSERT_NE(walker, nullptr);
          CountingSink sink;
          run_rounds(s, *walker, bits, 2, sink);  // warm-up

          const std::uint64_t before = g_allocations.load(std::memory_order_relaxed);
          const std::uint64_t protected_leaves = run_rounds(s, *walker, bits, 50, sink);
          const std::uint64_t after = g_allocations.load(std::memory_order_relaxed);

          EXPECT_EQ(after - before, 0u);
          EXPECT_GT(protected_leaves, 0u);  // the calls did real work
          EXPECT_EQ(s.kvm->hazards.total(), 0u);
        }
      }
    }
  }
}

TEST(WpWalkerAllocations, Stage2WpRangeAllocatesNothing) {
  WalkerSlot s = make_setup(16, false, 32);
  Kvm& kvm = *s.kvm;
  const Memslot& slot = *kvm.memslots.by_id(0);
  WpStats stats;
  const std::uint64_t before = g_allocations.load(std::memory_order_relaxed);
  for (int r = 0; r < 20; ++r) {
    rearm(s);
    S2Walk w(kvm.pgtable, nullptr, &kvm.hazards, "range");
    stage2_wp_range(w, slot.base_gfn << PAGE_SHIFT, slot.end_gfn() << PAGE_SHIFT, stats);
  }
  const std::uint64_t after = g_allocations.load(std::memory_order_relaxed);
  EXPECT_EQ(after - before, 0u);
  EXPECT_EQ(stats.ptes_write_protected, 20u * slot.npages);
}

TEST(WpWalkerAllocations, CounterSeesAllocations) {
  // The replacement is in effect: a vector's buffer is counted.
  static std::vector<int>* volatile escape;  // keeps the new-expression from being elided
  const std::uint64_t before = g_allocations.load(std::memory_order_relaxed);
  escape = new std::vector<int>(100);
  const std::uint64_t after = g_allocations.load(std::memory_order_relaxed);
  delete escape;
  EXPECT_GE(after - before, 2u);
}

}  // namespace
}  // namespace s2sim::mmu
