#include "mmu/dirty_bitmap.h"

#include <bit>
#include <stdexcept>

namespace s2sim::mmu {

static unsigned checked_width(unsigned bits_per_long) {
  if (bits_per_long != 32 && bits_per_long != 64) throw std::invalid_argument("bits_per_long must be 32 or 64");
  return bits_per_long;
}

DirtyBitmap::DirtyBitmap(std::uint64_t npages, unsigned bits_per_long)
    : npages_(npages), bits_per_long_(checked_width(bits_per_long)), nwords_((npages + bits_per_long_ - 1) / bits_per_long_) {
  words_.assign(2 * nwords_, 0);
}

void DirtyBitmap::clear_buffer() {
  for (std::uint64_t i = 0; i < nwords_; ++i) words_[nwords_ + i] = 0;
}

void DirtyBitmap::set_all() {
  for (std::uint64_t i = 0; i < nwords_; ++i) {
    const std::uint64_t left = npages_ - i * bits_per_long_;
    words_[i] = left >= bits_per_long_ ? ~std::uint64_t{0} >> (64 - bits_per_long_) : (std::uint64_t{1} << left) - 1;
  }
}

std::uint64_t DirtyBitmap::count_set() const {
  std::uint64_t n = 0;
  for (std::uint64_t i = 0; i < nwords_; ++i) n += static_cast<std::uint64_t>(std::popcount(words_[i]));
  return n;
}

}  // namespace s2sim::mmu
