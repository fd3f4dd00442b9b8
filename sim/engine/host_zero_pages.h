// A zero-filled array of `n` T reserved as host address space and committed by the
// host kernel one 4 KiB page at a time, on the first write to it (an anonymous
// private mapping: untouched pages read as zeros and cost no memory). For per-page
// state over a whole memslot, which a run may touch only sparsely.
//
// Transparent huge pages are declined at first, so that a sparse run commits 4 KiB
// per page it writes, not 2 MiB. The owner, which knows how densely it writes, asks
// for a 2 MiB region it fills to be backed by one huge page (`back_with_huge_page`):
// a dense run's random accesses then cost one host TLB entry per 2 MiB, not per
// 4 KiB. The mapping is 2 MiB aligned so that its regions are the host's.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>

namespace s2sim::sim {

template <typename T>
class HostZeroPages {
  static_assert(std::is_trivial_v<T>, "the pages start as zero bytes");

 public:
  static constexpr unsigned kHugeShift = 21;  // a 2 MiB host huge page (x86-64, arm64 4K)
  static constexpr std::size_t kHugeBytes = std::size_t{1} << kHugeShift;

  explicit HostZeroPages(std::size_t n) : bytes_(n * sizeof(T)) {
    if (bytes_ == 0) return;
    // Reserve one huge page more than asked and start at the first 2 MiB boundary.
    reserved_ = bytes_ + kHugeBytes;
    void* p = mmap(nullptr, reserved_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    base_ = p;
    const auto at = (reinterpret_cast<std::uintptr_t>(p) + kHugeBytes - 1) & ~std::uintptr_t{kHugeBytes - 1};
    data_ = reinterpret_cast<T*>(at);
    (void)madvise(data_, bytes_, MADV_NOHUGEPAGE);  // a hint: without it the pages are still zeros
  }
  ~HostZeroPages() {
    if (base_) munmap(base_, reserved_);
  }
  HostZeroPages(const HostZeroPages&) = delete;
  HostZeroPages& operator=(const HostZeroPages&) = delete;

  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }

  // The 2 MiB host region holding element `i`.
  static std::size_t region_of(std::size_t i) { return i * sizeof(T) >> kHugeShift; }
  std::size_t regions() const { return (bytes_ + kHugeBytes - 1) >> kHugeShift; }

  // Asks the host kernel to back `region` with one huge page from now on and to
  // gather the 4 KiB pages it already committed there into it (MADV_COLLAPSE, Linux
  // 6.1 and later). A hint: on a kernel without it, or with no huge page free, the
  // region stays in 4 KiB pages and reads the same. False for the last region when
  // the array ends inside it (a huge page there would reach past the array).
  bool back_with_huge_page(std::size_t region) {
    const std::size_t offset = region << kHugeShift;
    if (offset >= bytes_ || bytes_ - offset < kHugeBytes) return false;
    char* start = reinterpret_cast<char*>(data_) + offset;
    (void)madvise(start, kHugeBytes, MADV_HUGEPAGE);
    (void)madvise(start, kHugeBytes, kMadvCollapse);
    return true;
  }

 private:
  // Linux's MADV_COLLAPSE (uapi asm-generic/mman-common.h), which glibc's <sys/mman.h>
  // may not name; an older kernel answers EINVAL.
  static constexpr int kMadvCollapse = 25;

  std::size_t bytes_;
  std::size_t reserved_ = 0;
  void* base_ = nullptr;
  T* data_ = nullptr;
};

}  // namespace s2sim::sim
