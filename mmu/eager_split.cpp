#include "mmu/eager_split.h"

#include <algorithm>

#include "mmu/granule.h"
#include "mmu/kvm_errno.h"

namespace s2sim::mmu {

SplitStats& SplitStats::operator+=(const SplitStats& o) {
  chunks += o.chunks;
  topups += o.topups;
  pages_topped_up += o.pages_topped_up;
  blocks_split_1g += o.blocks_split_1g;
  blocks_split_2m += o.blocks_split_2m;
  tables_allocated += o.tables_allocated;
  tlbi_ipa += o.tlbi_ipa;
  enomem = enomem || o.enomem;
  return *this;
}

std::uint64_t kvm_mmu_split_nr_page_tables(std::uint64_t range) {
  const std::uint64_t pud = Geometry::level_size(1), pmd = Geometry::level_size(2);
  return (range + pud - 1) / pud + (range + pmd - 1) / pmd;
}

bool kvm_is_block_size_supported(std::uint64_t size) {
  const std::uint64_t supported = Geometry::level_size(3) | Geometry::level_size(2) | Geometry::level_size(1);
  return size != 0 && (size & (size - 1)) == 0 && (size & supported) != 0;
}

namespace {

// __stage2_range_addr_end(addr, end, size): the next `size` boundary after addr,
// clamped to end (written to be correct when the boundary wraps).
ipa_t range_addr_end(ipa_t addr, ipa_t end, std::uint64_t size) {
  const ipa_t boundary = (addr + size) & ~(size - 1);
  return boundary - 1 < end - 1 ? boundary : end;
}

}  // namespace

EagerSplit::EagerSplit(Kvm& kvm, ipa_t addr, ipa_t end)
    : kvm_(kvm), addr_(addr), end_(end), chunk_(kvm.caps.eager_split_chunk) {
  done_ = chunk_ == 0 || addr >= end;  // chunk size 0: eager splitting is off
}

bool EagerSplit::split_block(ipa_t ipa, level_t level, S2Desc block, SplitStats& st, AccessSink* sink) {
  S2PageTable& pt = kvm_.pgtable;
  const std::uint64_t size = Geometry::level_size(level);
  const ipa_t base = ipa & ~(size - 1);
  // stage2_block_get_nr_page_tables(): a 1 GiB block mapped down to ptes needs
  // 1 + 512 pages; with fewer in the cache it becomes one table of 2 MiB blocks.
  const std::uint64_t full = level == 1 ? 1 + PTRS_PER_TABLE : 1;
  const bool force_pte = kvm_.split_page_cache >= full;
  const std::uint64_t nr = force_pte ? full : 1;
  if (kvm_.split_page_cache < nr) return false;  // -ENOMEM

  const std::uint64_t attrs = block.raw & ~(desc::OA_MASK_48 | desc::TYPE_MASK);
  const phys_addr_t pa = block.output_address(kvm_.options.geometry.oa_mask());
  // stage2_try_break_pte(): the block becomes invalid and, being a valid leaf, its
  // IPA is invalidated on every PE before the table goes in (stage2_make_pte).
  pt.clear_entry(base, level, sink);
  kvm_.tlb->flush_vmid_ipa(base);
  ++st.tlbi_ipa;
  if (level == 2 || force_pte) {
    for (std::uint64_t off = 0; off < size; off += PAGE_SIZE) pt.map_page(base + off, pa + off, attrs, nullptr, sink);
  } else {
    const std::uint64_t pmd = Geometry::level_size(2);
    for (std::uint64_t off = 0; off < size; off += pmd) pt.map_block(base + off, pa + off, 2, attrs, sink);
  }
  kvm_.split_page_cache -= nr;
  st.tables_allocated += nr;
  ++(level == 1 ? st.blocks_split_1g : st.blocks_split_2m);
  return true;
}

// kvm_pgtable_stage2_split() over one chunk: every block leaf met, in IPA order. A
// 1 GiB block split into 2 MiB blocks is visited again, and those split in turn.
void EagerSplit::split_range(ipa_t addr, ipa_t end, SplitStats& st, AccessSink* sink) {
  ipa_t ipa = addr;
  while (ipa < end) {
    const S2Lookup r = kvm_.pgtable.lookup(ipa);
    if (r.out_of_range) return;
    if (r.mapped && r.level < kMaxLevel) {
      if (!split_block(ipa, r.level, r.desc, st, sink)) {
        result_ = -kENOMEM;
        st.enomem = true;
        return;
      }
      if (r.level == 1) continue;  // walk into the new table
    }
    // No block below this point before the end of the entry the walk stopped at
    // (a pte table holds none).
    const std::uint64_t skip = Geometry::level_size(std::min<level_t>(r.level, 2));
    ipa = std::min(end, (ipa & ~(skip - 1)) + skip);
  }
}

EagerSplit::ChunkInfo EagerSplit::step(AccessSink* sink) {
  ChunkInfo info;
  if (done_) return info;
  // need_split_memcache_topup_or_resched(): fewer free pages than a chunk may need.
  const std::uint64_t capacity = kvm_mmu_split_nr_page_tables(chunk_);
  if (kvm_.split_page_cache < capacity) {
    // write_unlock; cond_resched; __kvm_mmu_topup_memory_cache(cache, capacity,
    // capacity); write_lock. A short top-up is -ENOMEM: splitting stops there.
    const std::uint64_t got = std::min(capacity - kvm_.split_page_cache, kvm_.split_topup_budget);
    kvm_.split_page_cache += got;
    kvm_.split_topup_budget -= got;
    info.topped_up = true;
    ++info.delta.topups;
    info.delta.pages_topped_up += got;
    if (kvm_.split_page_cache < capacity) {
      result_ = -kENOMEM;
      info.delta.enomem = true;
      done_ = true;
      stats_ += info.delta;
      return info;
    }
  }
  const ipa_t next = range_addr_end(addr_, end_, chunk_);
  info.addr = addr_;
  info.end = next;
  ++info.delta.chunks;
  split_range(addr_, next, info.delta, sink);
  stats_ += info.delta;
  addr_ = next;
  if (result_ != 0 || addr_ == end_) done_ = true;
  return info;
}

int EagerSplit::run(AccessSink* sink) {
  while (!done_) step(sink);
  return result_;
}

int kvm_mmu_split_huge_pages(Kvm& kvm, ipa_t addr, ipa_t end, SplitStats* stats, AccessSink* sink) {
  EagerSplit split(kvm, addr, end);
  const int r = split.run(sink);
  if (stats) *stats += split.stats();
  return r;
}

int kvm_mmu_split_memory_region(Kvm& kvm, unsigned slot_id, SplitStats* stats, AccessSink* sink) {
  const Memslot* slot = kvm.memslots.by_id(slot_id);
  if (!slot) return -kEINVAL;
  return kvm_mmu_split_huge_pages(kvm, slot->base_gfn << PAGE_SHIFT, slot->end_gfn() << PAGE_SHIFT, stats, sink);
}

}  // namespace s2sim::mmu
