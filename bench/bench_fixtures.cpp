#include "bench/bench_fixtures.h"

#include <stdexcept>

#include "mmu/descriptor.h"
#include "mmu/dirty_log.h"
#include "mmu/fault_handler.h"

namespace s2sim::bench {

using namespace s2sim::mmu;

const char* to_string(Alignment a) { return a == Alignment::Aligned ? "aligned" : "crossing"; }
const char* to_string(Mapping m) { return m == Mapping::Pages ? "pages" : "blocks"; }

const char* to_string(MaskPattern p) {
  switch (p) {
    case MaskPattern::Full: return "full";
    case MaskPattern::Single: return "single";
    case MaskPattern::Far2: return "far2";
    case MaskPattern::Rand25: return "rand25";
  }
  return "?";
}

std::unique_ptr<SlotFixture> build_fixture(const SlotSpec& spec) {
  auto f = std::make_unique<SlotFixture>();
  f->spec = spec;
  KvmOptions opts;
  opts.block_policy = BlockPolicy::Keep;
  f->kvm = std::make_unique<Kvm>(opts);
  Kvm& kvm = *f->kvm;
  const bool huge = spec.mapping == Mapping::Blocks;
  if (std::string e = kvm.memslots.add(kSlotId, spec.base_gfn, spec.npages, huge, opts.geometry.ipa_bits); !e.empty())
    throw std::runtime_error("bench fixture: " + e);

  // The guest touches all of its RAM with writes before migration starts: one write
  // fault per page (per 2 MiB region where a block fits).
  const gfn_t end = spec.base_gfn + spec.npages;
  for (gfn_t gfn = spec.base_gfn; gfn < end;) {
    const FaultResult r = kvm_handle_guest_abort(kvm, gfn << PAGE_SHIFT, Access::Write);
    if (r.outcome == FaultOutcome::MappedBlock) gfn = pmd_end_gfn(gfn);
    else if (r.outcome == FaultOutcome::MappedPage) ++gfn;
    else throw std::runtime_error(std::string("bench fixture: unexpected fault outcome ") + mmu::to_string(r.outcome));
  }
  if (spec.logging && kvm_enable_dirty_logging(kvm, kSlotId, spec.bits_per_long) != 0)
    throw std::runtime_error("bench fixture: kvm_enable_dirty_logging failed");
  return f;
}

SlotFixture& fixture(const SlotSpec& spec) {
  // Benchmarks run one at a time on the main thread; no locking needed.
  static std::vector<std::unique_ptr<SlotFixture>> cache;
  for (auto& f : cache)
    if (f->spec == spec) return *f;
  cache.push_back(build_fixture(spec));
  return *cache.back();
}

std::uint64_t* leaf_descriptor(Kvm& kvm, gfn_t gfn) {
  const S2Lookup r = kvm.pgtable.lookup(gfn << PAGE_SHIFT);
  if (!r.mapped) return nullptr;
  return kvm.mem.table_words(r.desc_pa & PAGE_MASK) + ((r.desc_pa & ~PAGE_MASK) >> 3);
}

const std::vector<std::uint64_t*>& slot_leaves(SlotFixture& f) {
  if (!f.leaves.empty()) return f.leaves;
  Memslot& slot = f.slot();
  std::vector<std::uint64_t*>& leaves = f.leaves;
  leaves.resize(slot.npages);
  std::uint64_t* pte_table = nullptr;  // the pte table of the current pmd region, if any
  for (std::uint64_t i = 0; i < slot.npages; ++i) {
    const gfn_t gfn = slot.base_gfn + i;
    // One lookup per pmd region when it holds a pte table: the rest is pointer
    // arithmetic, which keeps a 1M-page slot at a few milliseconds.
    const std::uint64_t index = pte_index(gfn << PAGE_SHIFT);
    if (pte_table && index != 0) {
      leaves[i] = pte_table + index;
      continue;
    }
    const S2Lookup r = f.kvm->pgtable.lookup(gfn << PAGE_SHIFT);
    if (!r.mapped) throw std::runtime_error("bench fixture: gfn " + std::to_string(gfn) + " is not mapped");
    leaves[i] = f.kvm->mem.table_words(r.desc_pa & PAGE_MASK) + ((r.desc_pa & ~PAGE_MASK) >> 3);
    pte_table = r.level == kMaxLevel ? leaves[i] - index : nullptr;
  }
  return leaves;
}

void make_writable(std::uint64_t* const* leaves, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) *leaves[i] |= desc::L_PTE_S2_RDWR;
}

void make_writable(const std::vector<std::uint64_t*>& leaves) { make_writable(leaves.data(), leaves.size()); }

void set_dirty(Memslot& slot, const std::vector<std::uint64_t>& rel_gfns) {
  for (const std::uint64_t rel : rel_gfns) slot.dirty_bitmap->set(rel);
}

std::vector<std::uint64_t> dirty_pattern(std::uint64_t npages, unsigned percent, std::uint64_t seed) {
  std::vector<std::uint64_t> rel;
  if (percent >= 100) {
    rel.resize(npages);
    for (std::uint64_t i = 0; i < npages; ++i) rel[i] = i;
    return rel;
  }
  workloads::Rng rng(seed);
  const double p = percent / 100.0;
  rel.reserve(static_cast<std::size_t>(static_cast<double>(npages) * p * 1.1) + 16);
  for (std::uint64_t i = 0; i < npages; ++i)
    if (rng.uniform01() < p) rel.push_back(i);
  return rel;
}

std::uint64_t pattern_mask(MaskPattern p, unsigned bits_per_long, workloads::Rng& rng) {
  const std::uint64_t all = bits_per_long >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits_per_long) - 1;
  switch (p) {
    case MaskPattern::Full: return all;
    case MaskPattern::Single: return 1;
    case MaskPattern::Far2: return 1 | (std::uint64_t{1} << (bits_per_long - 1));
    case MaskPattern::Rand25:
      for (;;) {
        // Two uniform bits per position: both set with probability 1/4.
        const std::uint64_t m = rng.next() & rng.next() & all;
        if (m) return m;
      }
  }
  return all;
}

std::vector<Window> pick_windows(SlotFixture& f, unsigned bits_per_long, std::size_t count) {
  Memslot& slot = f.slot();
  const level_t want = f.spec.mapping == Mapping::Pages ? kMaxLevel : 2;
  std::vector<Window> out;
  // Every pmd boundary inside the slot, in order; for each, the bitmap word that
  // starts there (aligned) or the word holding the page just below it (crossing).
  const bool aligned_slot = pmd_aligned(slot.base_gfn);
  const gfn_t first_boundary = aligned_slot ? slot.base_gfn : pmd_end_gfn(slot.base_gfn);
  for (gfn_t b = first_boundary; b < slot.end_gfn() && out.size() < count; b += PMD_PAGES) {
    const gfn_t anchor = aligned_slot ? b : b - 1;
    if (anchor < slot.base_gfn) continue;
    const gfn_t word = (anchor - slot.base_gfn) / bits_per_long;
    const gfn_t first = slot.base_gfn + word * bits_per_long, last = first + bits_per_long - 1;
    if (last >= slot.end_gfn()) break;
    bool ok = true;
    for (gfn_t g = first; g <= last && ok; ++g) {
      const S2Lookup r = f.kvm->pgtable.lookup(g << PAGE_SHIFT);
      ok = r.mapped && r.level == want;
    }
    if (!ok) continue;
    out.push_back(Window{word * bits_per_long, crosses_pmd(first, bits_per_long)});
  }
  return out;
}

}  // namespace s2sim::bench
