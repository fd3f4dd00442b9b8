// The four write-protect walker classes (see wp_walker.h for what each models).
#pragma once

#include "mmu/wp_walker.h"

namespace s2sim::mmu {

class NaiveWalker final : public WpWalker {
 public:
  const char* name() const override { return "naive"; }
  void write_protect_masked(S2Walk& w, const Memslot& slot, gfn_t gfn_offset, std::uint64_t mask,
                            unsigned bits_per_long, WpStats& stats) override;
};

class V4Walker final : public WpWalker {
 public:
  const char* name() const override { return "v4"; }
  void write_protect_masked(S2Walk& w, const Memslot& slot, gfn_t gfn_offset, std::uint64_t mask,
                            unsigned bits_per_long, WpStats& stats) override;
};

class V4FixedWalker final : public WpWalker {
 public:
  const char* name() const override { return "v4-fixed"; }
  void write_protect_masked(S2Walk& w, const Memslot& slot, gfn_t gfn_offset, std::uint64_t mask,
                            unsigned bits_per_long, WpStats& stats) override;
};

class RangeWalker final : public WpWalker {
 public:
  const char* name() const override { return "range"; }
  void write_protect_masked(S2Walk& w, const Memslot& slot, gfn_t gfn_offset, std::uint64_t mask,
                            unsigned bits_per_long, WpStats& stats) override;
};

}  // namespace s2sim::mmu
