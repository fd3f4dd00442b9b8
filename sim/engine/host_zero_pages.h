// A zero-filled array of `n` T reserved as host address space and committed by the
// host kernel one 4 KiB page at a time, on the first write to it (an anonymous
// private mapping: untouched pages read as zeros and cost no memory). For per-page
// state over a whole memslot, which a run may touch only sparsely. Transparent huge
// pages are declined so that a sparse run commits 4 KiB per page it writes, not 2 MiB.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <type_traits>

namespace s2sim::sim {

template <typename T>
class HostZeroPages {
  static_assert(std::is_trivial_v<T>, "the pages start as zero bytes");

 public:
  explicit HostZeroPages(std::size_t n) : bytes_(n * sizeof(T)) {
    if (bytes_ == 0) return;
    void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    (void)madvise(p, bytes_, MADV_NOHUGEPAGE);  // a hint: without it the pages are still zeros
    data_ = static_cast<T*>(p);
  }
  ~HostZeroPages() {
    if (data_) munmap(data_, bytes_);
  }
  HostZeroPages(const HostZeroPages&) = delete;
  HostZeroPages& operator=(const HostZeroPages&) = delete;

  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }

 private:
  std::size_t bytes_;
  T* data_ = nullptr;
};

}  // namespace s2sim::sim
