// Simulated host physical memory: 4 KiB frames, a frame allocator, and 64-bit
// loads/stores by physical address.
//
// Page-table frames hold real descriptor words. Guest data frames are not
// materialized (only their identity is kept); a store that lands in one is kept
// in a small side table so that a later load sees it, and the caller is told the
// frame kind so it can report the hazard. Every frame knows what it is.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "mmu/types.h"
#include "util/host_prefetch.h"

namespace s2sim::mmu {

enum class FrameKind : std::uint8_t {
  Unbacked,   // outside every allocated frame (e.g. address 0)
  Free,       // allocated once, now free
  PageTable,  // a stage-2 table at some level
  GuestData,  // backs guest memory
};
const char* to_string(FrameKind k);

// What a page-table frame is: its level and the first IPA its entry 0 covers.
struct TableFrameInfo {
  level_t level = 0;
  ipa_t ipa_base = 0;
};

// Guest RAM is backed in 2 MiB chunks (as a THP-backed QEMU guest would be), so that
// a 2 MiB stage-2 block always has a physically contiguous, aligned backing.
inline constexpr unsigned kGuestChunkShift = 21;
inline constexpr std::uint64_t kGuestChunkSize = std::uint64_t{1} << kGuestChunkShift;

class PhysMem {
 public:
  // Table (and other single) frames come from `table_base` upward (DRAM at 2 GiB, as
  // on vexpress/Exynos); guest RAM chunks from `guest_base` up to 2^pa_bits.
  explicit PhysMem(phys_addr_t table_base = 0x80000000ull, phys_addr_t guest_base = 0x100000000ull,
                   unsigned pa_bits = 40);

  // Allocates `count` physically contiguous table frames, aligned to `count` pages
  // (the concatenated pgd needs 8 KiB alignment), zero-filled.
  phys_addr_t alloc_table(level_t level, ipa_t ipa_base, unsigned count = 1);
  // A 2 MiB chunk of guest RAM (512 contiguous guest data frames), 2 MiB aligned.
  // Throws std::length_error when the physical address space is exhausted.
  phys_addr_t alloc_guest_chunk();
  // `count` physically contiguous chunks (a power of two), aligned to their total
  // size: the backing of a 1 GiB block. Chunks skipped for the alignment stay unused.
  phys_addr_t alloc_guest_chunks(unsigned count);
  // One guest data frame (carved from a chunk): for tests and benchmarks.
  phys_addr_t alloc_guest_frame();
  // Frees a table frame (guest chunks are never freed).
  void free_frame(phys_addr_t pa);

  FrameKind kind(phys_addr_t pa) const;
  // Level/IPA base of a page-table frame; undefined for other kinds.
  const TableFrameInfo& table_info(phys_addr_t pa) const;

  // Raw 64-bit accesses (pa must be 8-byte aligned). Loads from non-table frames
  // return what a stray store left there, else a fixed pseudo-random word for guest
  // data and 0 elsewhere; stores to them are kept aside.
  std::uint64_t load64(phys_addr_t pa) const {
    const std::uint32_t w = info_word(pa);
    if (static_cast<FrameKind>(w >> kKindShift) == FrameKind::PageTable)
      return table(w & kSlotMask)[(pa >> 3) & (PTRS_PER_TABLE - 1)];
    return load64_other(pa, w);
  }
  void store64(phys_addr_t pa, std::uint64_t value);
  // Asks the host to bring the word behind `pa` into its cache, if it is a table
  // word, and returns that host word (null for any other frame). A hint for the
  // engine's read-ahead; changes nothing simulated.
  const std::uint64_t* prefetch64(phys_addr_t pa) const {
    const std::uint32_t w = info_word(pa);
    if (static_cast<FrameKind>(w >> kKindShift) != FrameKind::PageTable) return nullptr;
    const std::uint64_t* word = table(w & kSlotMask).data() + ((pa >> 3) & (PTRS_PER_TABLE - 1));
    util::host_prefetch(word);
    return word;
  }
  // Direct access to a table frame's 512 words (fast paths, tests, dumps).
  std::uint64_t* table_words(phys_addr_t pa);
  const std::uint64_t* table_words(phys_addr_t pa) const;

  // Accounting.
  std::uint64_t table_frames() const { return table_frames_; }
  std::uint64_t guest_chunks() const { return guest_chunks_.size(); }
  std::uint64_t stray_words() const { return stray_.size(); }
  std::size_t resident_bytes() const;  // host memory this model uses

 private:
  using Table = std::array<std::uint64_t, PTRS_PER_TABLE>;
  // One 32-bit word per allocated frame: kind in the top 2 bits, table slot below.
  static constexpr unsigned kKindShift = 30;
  static constexpr std::uint32_t kSlotMask = (1u << kKindShift) - 1;

  std::uint32_t info_word(phys_addr_t pa) const {
    const std::uint64_t idx = (pa >> PAGE_SHIFT) - base_pfn_;
    if ((pa >> PAGE_SHIFT) < base_pfn_ || idx >= frames_.size()) return guest_word(pa);
    return frames_[idx];
  }
  std::uint32_t guest_word(phys_addr_t pa) const {
    if (pa < guest_base_) return 0;
    const std::uint64_t chunk = (pa - guest_base_) >> kGuestChunkShift;
    return chunk < guest_chunks_.size() ? static_cast<std::uint32_t>(FrameKind::GuestData) << kKindShift : 0;
  }
  phys_addr_t alloc_frames(unsigned count, FrameKind kind);
  std::uint64_t load64_other(phys_addr_t pa, std::uint32_t info) const;  // not a table word

  pfn_t base_pfn_;
  phys_addr_t guest_base_, pa_limit_;
  std::vector<std::uint32_t> frames_;  // indexed by pfn - base_pfn_
  std::vector<bool> guest_chunks_;     // one per chunk handed out from guest_base_
  phys_addr_t next_guest_frame_ = 0;   // alloc_guest_frame() carving position
  std::vector<pfn_t> free_list_;       // single frames freed, reused LIFO
  // Table frames live in arenas of 512 (2 MiB), which the host is asked to back with
  // transparent huge pages: a walk-heavy run reads leaf descriptors spread over
  // megabytes of tables, and one host TLB entry per 2 MiB instead of per 4 KiB made
  // such a run over 4 GiB about 7 % faster.
  static constexpr unsigned kArenaShift = 9;
  struct ArenaFree {
    void operator()(Table* p) const;
  };
  Table& table(std::uint32_t slot) const { return arenas_[slot >> kArenaShift][slot & ((1u << kArenaShift) - 1)]; }
  std::vector<std::unique_ptr<Table[], ArenaFree>> arenas_;
  std::uint32_t table_slots_ = 0;  // slots handed out so far (freed ones are reused)
  std::vector<TableFrameInfo> table_info_;
  std::vector<std::uint32_t> free_table_slots_;
  std::unordered_map<phys_addr_t, std::uint64_t> stray_;  // stores into non-table frames
  std::uint64_t table_frames_ = 0;
};

}  // namespace s2sim::mmu
