// A memslot's dirty bitmap as KVM keeps it: BITS_PER_LONG-bit words (32 on ARMv7,
// 64 on arm64), sized like kvm_dirty_bitmap_bytes(), allocated twice over so that
// the second half is the snapshot buffer get_dirty_log copies out
// (kvm_vm_ioctl_get_dirty_log, virt/kvm/kvm_main.c).
#pragma once

#include <cstdint>
#include <vector>

namespace s2sim::mmu {

class DirtyBitmap {
 public:
  DirtyBitmap(std::uint64_t npages, unsigned bits_per_long);

  unsigned bits_per_long() const { return bits_per_long_; }
  std::uint64_t npages() const { return npages_; }
  std::uint64_t nwords() const { return nwords_; }
  // kvm_dirty_bitmap_bytes(): ALIGN(npages, BITS_PER_LONG) / 8.
  std::uint64_t bytes() const { return nwords_ * bits_per_long_ / 8; }

  // mark_page_dirty: set_bit_le(rel_gfn) — one atomic in the kernel, one step here.
  void set(std::uint64_t rel_gfn) { words_[rel_gfn / bits_per_long_] |= std::uint64_t{1} << (rel_gfn % bits_per_long_); }
  // The word set(rel_gfn) writes: for a host prefetch, which nothing simulated sees.
  const std::uint64_t* word_address(std::uint64_t rel_gfn) const { return &words_[rel_gfn / bits_per_long_]; }
  bool test(std::uint64_t rel_gfn) const { return (words_[rel_gfn / bits_per_long_] >> (rel_gfn % bits_per_long_)) & 1; }
  std::uint64_t word(std::uint64_t i) const { return words_[i]; }
  // xchg(&dirty_bitmap[i], 0): returns the word and clears it.
  std::uint64_t xchg_word(std::uint64_t i) {
    const std::uint64_t m = words_[i];
    words_[i] = 0;
    return m;
  }
  // atomic_long_fetch_andnot(mask, &dirty_bitmap[i]) (kvm_clear_dirty_log_protect):
  // clears `mask` in the word and returns the word as it was.
  std::uint64_t fetch_andnot(std::uint64_t i, std::uint64_t mask) {
    const std::uint64_t old = words_[i];
    words_[i] = old & ~mask;
    return old;
  }
  // bitmap_set(dirty_bitmap, 0, npages): KVM_DIRTY_LOG_INITIALLY_SET at allocation
  // (kvm_alloc_dirty_bitmap's caller, kvm_prepare_memory_region, 5.x+).
  void set_all();
  // The snapshot buffer (second half): what copy_to_user hands to user space.
  std::uint64_t& buffer_word(std::uint64_t i) { return words_[nwords_ + i]; }
  std::uint64_t buffer_word(std::uint64_t i) const { return words_[nwords_ + i]; }
  void clear_buffer();
  std::uint64_t count_set() const;  // live bits

 private:
  std::uint64_t npages_;
  unsigned bits_per_long_;
  std::uint64_t nwords_;
  std::vector<std::uint64_t> words_;  // [0, nwords) live bitmap, [nwords, 2*nwords) buffer
};

}  // namespace s2sim::mmu
