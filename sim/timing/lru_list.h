// The replacement state of a set-associative structure with true LRU: the TLBs, the
// walk cache and the data caches' tag arrays all use it.
//
// Their replacement rule is: take the lowest-numbered free way of the set if there is
// one, else the least recently used valid way. Kept as one stamp per way, that rule
// costs a scan of every way, with a data-dependent branch per way, on each fill: the
// most expensive step of a walk-heavy run, where every access refills a 32-way micro
// TLB. Kept as a doubly linked list of the valid ways (most recent first) and a bitmap
// of the free ones, it costs O(1): the victim is the list's tail or the bitmap's lowest
// bit. The order is the same as the stamps', so which entry is replaced never changes.
//
// Ways are named by their slot, set * ways + way, as the owners index their storage.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>


namespace s2sim::sim {

class LruList {
 public:
  LruList(std::size_t sets, unsigned ways)
      : ways_(ways),
        words_per_set_((ways + 63) / 64),
        head_(sets, kNone),
        tail_(sets, kNone),
        links_(sets * ways),
        free_(sets * words_per_set_) {
    clear();
  }

  unsigned ways() const { return ways_; }
  bool is_free(std::size_t set, std::size_t slot) const {
    const std::size_t way = slot - set * ways_;
    return (free_[set * words_per_set_ + way / 64] >> (way % 64)) & 1;
  }

  // The slot a fill of `set` takes: its lowest free way, else its LRU way.
  std::size_t victim(std::size_t set) const {
    const std::size_t free = first_free(set);
    return free != kNoSlot ? free : tail_[set];
  }

  // victim(set), made the most recently used valid way: what a fill does. (touch()
  // would do the same with more tests; this is every fill's path.)
  std::size_t take_victim(std::size_t set) {
    if (const std::size_t free = first_free(set); free != kNoSlot) {
      flip_free(set, free);
      push_front(set, free);
      return free;
    }
    const std::size_t slot = tail_[set];
    if (head_[set] != slot) {
      // Unlink the tail (it has a predecessor: the set holds two or more valid ways).
      tail_[set] = links_[slot].prev;
      links_[tail_[set]].next = kNone;
      push_front(set, slot);
    }
    return slot;
  }

  // `slot` (valid or free) becomes the most recently used valid way of `set`.
  void touch(std::size_t set, std::size_t slot) {
    if (head_[set] == slot) return;
    if (is_free(set, slot)) {
      flip_free(set, slot);
    } else {
      unlink(set, slot);
    }
    push_front(set, slot);
  }

  // Valid `slot` becomes free.
  void release(std::size_t set, std::size_t slot) {
    unlink(set, slot);
    flip_free(set, slot);
  }

  // Every way becomes free.
  void clear() {
    std::fill(head_.begin(), head_.end(), kNone);
    std::fill(tail_.begin(), tail_.end(), kNone);
    const std::size_t sets = head_.size();
    for (std::size_t s = 0; s < sets; ++s) {
      std::uint64_t* words = &free_[s * words_per_set_];
      for (std::size_t w = 0; w < words_per_set_; ++w) {
        const unsigned left = ways_ - static_cast<unsigned>(w) * 64;
        words[w] = left >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << left) - 1;
      }
    }
  }

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;
  struct Link {
    std::uint32_t prev = kNone, next = kNone;  // towards the head (more recent), the tail
  };

  static constexpr std::size_t kNoSlot = SIZE_MAX;
  // The set's lowest free way, or kNoSlot.
  std::size_t first_free(std::size_t set) const {
    const std::uint64_t* words = &free_[set * words_per_set_];
    for (std::size_t w = 0; w < words_per_set_; ++w) {
      if (words[w]) return set * ways_ + w * 64 + static_cast<std::size_t>(std::countr_zero(words[w]));
    }
    return kNoSlot;
  }
  void flip_free(std::size_t set, std::size_t slot) {
    const std::size_t way = slot - set * ways_;
    free_[set * words_per_set_ + way / 64] ^= std::uint64_t{1} << (way % 64);
  }
  // Links `slot` (in no list) in front of `set`'s list.
  void push_front(std::size_t set, std::size_t slot) {
    Link& l = links_[slot];
    l.prev = kNone;
    l.next = head_[set];
    if (l.next != kNone) links_[l.next].prev = static_cast<std::uint32_t>(slot);
    else tail_[set] = static_cast<std::uint32_t>(slot);
    head_[set] = static_cast<std::uint32_t>(slot);
  }
  void unlink(std::size_t set, std::size_t slot) {
    const Link l = links_[slot];
    if (l.prev != kNone) links_[l.prev].next = l.next;
    else head_[set] = l.next;
    if (l.next != kNone) links_[l.next].prev = l.prev;
    else tail_[set] = l.prev;
  }

  unsigned ways_;
  std::size_t words_per_set_;
  std::vector<std::uint32_t> head_, tail_;  // per set: most and least recently used slot
  std::vector<Link> links_;                 // per slot, meaningful while the way is valid
  std::vector<std::uint64_t> free_;         // per set: one bit per way, set while free
};

}  // namespace s2sim::sim
