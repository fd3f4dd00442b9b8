#include "mmu/phys_mem.h"

#include <sys/mman.h>

#include <cassert>
#include <cstdlib>
#include <new>
#include <stdexcept>

namespace s2sim::mmu {

const char* to_string(FrameKind k) {
  switch (k) {
    case FrameKind::Unbacked: return "unbacked";
    case FrameKind::Free: return "free";
    case FrameKind::PageTable: return "page-table";
    case FrameKind::GuestData: return "guest-data";
  }
  return "?";
}

// Frame info word encoding: kind 0 = never allocated (Unbacked).
static constexpr std::uint32_t encode(FrameKind k, std::uint32_t slot, unsigned shift) {
  return (static_cast<std::uint32_t>(k) << shift) | slot;
}

void PhysMem::ArenaFree::operator()(Table* p) const { std::free(p); }

PhysMem::PhysMem(phys_addr_t table_base, phys_addr_t guest_base, unsigned pa_bits)
    : base_pfn_(table_base >> PAGE_SHIFT),
      guest_base_(guest_base),
      pa_limit_(pa_bits >= 64 ? ~phys_addr_t{0} : (phys_addr_t{1} << pa_bits)) {}

phys_addr_t PhysMem::alloc_frames(unsigned count, FrameKind kind) {
  if (count == 1 && !free_list_.empty()) {
    const pfn_t pfn = free_list_.back();
    free_list_.pop_back();
    return pfn << PAGE_SHIFT;
  }
  // Bump allocation, aligned to `count` frames (count is a power of two).
  std::uint64_t idx = frames_.size();
  const std::uint64_t pfn0 = base_pfn_ + idx;
  const std::uint64_t aligned = (pfn0 + count - 1) & ~static_cast<std::uint64_t>(count - 1);
  for (std::uint64_t p = pfn0; p < aligned; ++p) {
    frames_.push_back(encode(FrameKind::Free, 0, kKindShift));  // padding frames stay free
    free_list_.push_back(p);
  }
  idx = frames_.size();
  if (((base_pfn_ + idx + count) << PAGE_SHIFT) > guest_base_)
    throw std::length_error("simulated physical memory for page tables is exhausted");
  frames_.resize(idx + count, encode(kind, 0, kKindShift));
  return (base_pfn_ + idx) << PAGE_SHIFT;
}

phys_addr_t PhysMem::alloc_table(level_t level, ipa_t ipa_base, unsigned count) {
  assert(count >= 1 && (count & (count - 1)) == 0);
  const phys_addr_t pa = alloc_frames(count, FrameKind::PageTable);
  for (unsigned i = 0; i < count; ++i) {
    std::uint32_t slot;
    if (!free_table_slots_.empty()) {
      slot = free_table_slots_.back();
      free_table_slots_.pop_back();
      table(slot).fill(0);
    } else {
      slot = table_slots_;
      if (slot > kSlotMask) throw std::length_error("too many page-table frames");
      if ((slot >> kArenaShift) == arenas_.size()) {
        constexpr std::size_t kBytes = sizeof(Table) << kArenaShift;
        void* p = std::aligned_alloc(kBytes, kBytes);
        if (!p) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
        (void)madvise(p, kBytes, MADV_HUGEPAGE);  // only a hint: 4 KiB pages work too
#endif
        arenas_.emplace_back(static_cast<Table*>(p));
      }
      ++table_slots_;
      table(slot).fill(0);
      table_info_.emplace_back();
    }
    // Each page of a concatenated table covers the next 512 entries' worth of IPA.
    const unsigned shift = PAGE_SHIFT + 9u * static_cast<unsigned>(kMaxLevel - level);
    table_info_[slot] = TableFrameInfo{level, ipa_base + (static_cast<ipa_t>(i) * PTRS_PER_TABLE << shift)};
    const phys_addr_t fpa = pa + static_cast<phys_addr_t>(i) * PAGE_SIZE;
    frames_[(fpa >> PAGE_SHIFT) - base_pfn_] = encode(FrameKind::PageTable, slot, kKindShift);
    // A table frame reused from a freed guest frame must not see old stray stores.
    if (!stray_.empty())
      for (unsigned w = 0; w < PTRS_PER_TABLE; ++w) stray_.erase(fpa + 8u * w);
  }
  table_frames_ += count;
  return pa;
}

phys_addr_t PhysMem::alloc_guest_chunk() {
  const phys_addr_t pa = guest_base_ + guest_chunks_.size() * kGuestChunkSize;
  if (pa + kGuestChunkSize > pa_limit_) throw std::length_error("simulated physical memory for guest RAM is exhausted");
  guest_chunks_.push_back(true);
  return pa;
}

phys_addr_t PhysMem::alloc_guest_chunks(unsigned count) {
  assert(count >= 1 && (count & (count - 1)) == 0);
  const std::uint64_t align = std::uint64_t{count} * kGuestChunkSize;
  while (((guest_base_ + guest_chunks_.size() * kGuestChunkSize) & (align - 1)) != 0) {
    if (guest_base_ + (guest_chunks_.size() + 1) * kGuestChunkSize > pa_limit_) break;
    guest_chunks_.push_back(true);  // an alignment gap: backed, never handed out
  }
  const phys_addr_t first = alloc_guest_chunk();
  for (unsigned i = 1; i < count; ++i) alloc_guest_chunk();
  return first;
}

phys_addr_t PhysMem::alloc_guest_frame() {
  if ((next_guest_frame_ & (kGuestChunkSize - 1)) == 0) next_guest_frame_ = alloc_guest_chunk();
  const phys_addr_t pa = next_guest_frame_;
  next_guest_frame_ += PAGE_SIZE;
  return pa;
}

void PhysMem::free_frame(phys_addr_t pa) {
  const std::uint32_t w = info_word(pa);
  const auto k = static_cast<FrameKind>(w >> kKindShift);
  if (k == FrameKind::PageTable) {
    free_table_slots_.push_back(w & kSlotMask);
    --table_frames_;
  } else {
    return;  // guest chunks are never freed; unbacked or free frames are ignored
  }
  frames_[(pa >> PAGE_SHIFT) - base_pfn_] = encode(FrameKind::Free, 0, kKindShift);
  free_list_.push_back(pa >> PAGE_SHIFT);
}

FrameKind PhysMem::kind(phys_addr_t pa) const { return static_cast<FrameKind>(info_word(pa) >> kKindShift); }

const TableFrameInfo& PhysMem::table_info(phys_addr_t pa) const {
  return table_info_[info_word(pa) & kSlotMask];
}

std::uint64_t PhysMem::load64_other(phys_addr_t pa, std::uint32_t w) const {
  auto it = stray_.find(pa & ~phys_addr_t{7});
  if (it != stray_.end()) return it->second;
  if (static_cast<FrameKind>(w >> kKindShift) != FrameKind::GuestData) return 0;
  // Guest data is not materialized, but it is not zero either: a walker that reads
  // a guest frame as a table must meet words that look like valid descriptors about
  // half the time, as it would in real guest memory. A fixed mix of the address
  // (splitmix64 finalizer) keeps this deterministic.
  std::uint64_t z = (pa & ~phys_addr_t{7}) + 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void PhysMem::store64(phys_addr_t pa, std::uint64_t value) {
  const std::uint32_t w = info_word(pa);
  if (static_cast<FrameKind>(w >> kKindShift) == FrameKind::PageTable) {
    table(w & kSlotMask)[(pa >> 3) & (PTRS_PER_TABLE - 1)] = value;
    return;
  }
  stray_[pa & ~phys_addr_t{7}] = value;
}

std::uint64_t* PhysMem::table_words(phys_addr_t pa) {
  const std::uint32_t w = info_word(pa);
  if (static_cast<FrameKind>(w >> kKindShift) != FrameKind::PageTable) return nullptr;
  return table(w & kSlotMask).data();
}

const std::uint64_t* PhysMem::table_words(phys_addr_t pa) const {
  return const_cast<PhysMem*>(this)->table_words(pa);
}

std::size_t PhysMem::resident_bytes() const {
  return frames_.capacity() * sizeof(std::uint32_t) + free_list_.capacity() * sizeof(pfn_t) + guest_chunks_.size() / 8 +
         arenas_.size() * (sizeof(Table) << kArenaShift) + table_info_.capacity() * sizeof(TableFrameInfo) +
         stray_.size() * 32;
}

}  // namespace s2sim::mmu
