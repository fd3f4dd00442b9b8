#include "sim/labs/lab5_find_the_bug/scenario.h"

#include <algorithm>
#include <stdexcept>

#include "mmu/dirty_log.h"
#include "mmu/fault_handler.h"
#include "mmu/granule.h"
#include "sim/labs/lab_text.h"

namespace s2sim::sim::lab::bug {

namespace {

using mmu::gfn_t;
using mmu::PMD_PAGES;
using workloads::Rng;

// A 2 MiB region start in the first 4 GiB of IPA, never at a 1 GiB boundary (so
// that next's pmd hangs off the same level-1 entry: wp_v4.cpp note 3 is another lab).
gfn_t draw_region(Rng& rng) {
  for (;;) {
    // A pmd region number from 1 GiB (PTRS_PER_PMD regions a GiB) up.
    const gfn_t r = mmu::PTRS_PER_PMD + rng.below(1500);
    if (r % mmu::PTRS_PER_PMD != 0 && (r + 1) % mmu::PTRS_PER_PMD != 0) return r * PMD_PAGES;
  }
}

std::vector<unsigned> draw_bits(Rng& rng, unsigned lo, unsigned hi, unsigned n) {
  n = std::min(n, hi - lo);
  std::vector<unsigned> bits;
  while (bits.size() < n) {
    const unsigned b = lo + static_cast<unsigned>(rng.below(hi - lo));
    if (std::find(bits.begin(), bits.end(), b) == bits.end()) bits.push_back(b);
  }
  std::sort(bits.begin(), bits.end());
  return bits;
}

}  // namespace

const char* hazard_name(Bug b) {
  switch (b) {
    case Bug::NonPresent:
      return "walk_non_present";
    case Bug::Block:
      return "block_as_table";
    case Bug::WrongTable:
      return "wrong_table_wp";
  }
  return "";
}

Scenario draw_scenario(Rng& rng) {
  Scenario s;
  s.bug = static_cast<Bug>(rng.below(3));
  using K = Event::Kind;
  switch (s.bug) {
    case Bug::NonPresent: {
      // Slot base a multiple of 32 pages: no window crosses a pmd, crosses_pmd is false.
      const gfn_t region = draw_region(rng);
      const std::uint64_t k = rng.below(16), j = rng.below(16);
      s.base = region - 32 * k;
      // One more 2 MiB at the top: the guest also uses the next region of the same GiB
      // (draw_region keeps both inside one), so the unmap empties the pmd alone and
      // unmap_pmds() keeps the pmd table and the level-1 entry.
      s.npages = 32 * k + 2 * PMD_PAGES + 32 * rng.below(16);
      s.gfn_offset = 32 * k + 32 * j;
      const gfn_t w0 = s.window_first();
      s.events.push_back({K::EnableLogging});
      s.events.push_back({K::Read, region + PMD_PAGES});
      s.events.push_back({K::Read, w0, kBitsPerLong});  // the guest reads the window: read-only ptes
      for (unsigned b : draw_bits(rng, 0, kBitsPerLong, 2 + static_cast<unsigned>(rng.below(5))))
        s.events.push_back({K::Write, w0 + b});
      s.events.push_back({K::UnmapPmd, w0 + rng.below(kBitsPerLong)});
      break;
    }
    case Bug::Block: {
      // A hugepage slot of whole 2 MiB regions; one is mapped by a block before logging.
      const gfn_t region = draw_region(rng);
      const std::uint64_t m = rng.below(2), regions = m + 1 + rng.below(3);
      s.base = region - PMD_PAGES * m;
      s.npages = PMD_PAGES * regions;
      s.hugepages = true;
      const std::uint64_t j = rng.below(PMD_PAGES / kBitsPerLong);
      s.gfn_offset = PMD_PAGES * m + kBitsPerLong * j;
      s.events.push_back({K::TouchBeforeLogging, region + rng.below(PMD_PAGES)});
      s.events.push_back({K::EnableLogging});
      s.events.push_back({K::Write, region + rng.below(PMD_PAGES)});
      break;
    }
    case Bug::WrongTable: {
      // The window straddles the pmd boundary b: `before` pages below it.
      const gfn_t b = draw_region(rng);
      const unsigned before = 1 + static_cast<unsigned>(rng.below(kBitsPerLong - 1));
      const gfn_t w0 = b - before;
      const std::uint64_t k = rng.below(8);
      s.base = w0 - 32 * k;
      s.gfn_offset = 32 * k;
      std::vector<unsigned> bits =
          draw_bits(rng, 0, before, 1 + static_cast<unsigned>(rng.below(std::min(before, 3u))));
      for (unsigned x : draw_bits(rng, before, kBitsPerLong, 1 + static_cast<unsigned>(rng.below(3))))
        bits.push_back(x);
      const gfn_t first = w0 + bits.front();
      const gfn_t run = first + PMD_PAGES - rng.below(8);  // pages the guest also writes, 2 MiB on
      s.npages = (run + 16) - s.base + 32 * rng.below(8);
      s.events.push_back({K::EnableLogging});
      for (unsigned x : bits) s.events.push_back({K::Write, w0 + x});
      s.events.push_back({K::Write, run, 12});
      s.events.push_back({K::UnmapPmd, first});
      break;
    }
  }
  return s;
}

std::string event_text(const Event& e, const Scenario& s) {
  switch (e.kind) {
    case Event::Kind::TouchBeforeLogging:
      return "the guest wrote gfn " + hex(e.gfn) +
             " before logging: the hugepage slot let the fault handler map its whole 2 MiB region [" +
             hex(mmu::pmd_base_gfn(e.gfn)) + ", " + hex(mmu::pmd_end_gfn(e.gfn)) + ") with one read/write block";
    case Event::Kind::EnableLogging:
      return std::string("dirty logging was enabled on the slot: every mapping write-protected") +
             (s.bug == Bug::Block ? " (the block whole)" : "") + ", TLBs flushed";
    case Event::Kind::Read:
      return "the guest read gfns " + hex(e.gfn) + " to " + hex(e.gfn + e.count - 1) + ": read-only ptes";
    case Event::Kind::Write:
      if (s.bug == Bug::Block)
        return "the guest wrote gfn " + hex(e.gfn) +
               ": with block_policy keep the fault makes the whole block read/write and marks all its 512 pages "
               "dirty";
      return e.count == 1 ? "the guest wrote gfn " + hex(e.gfn) + ": write fault, pte read/write, bit set"
                          : "the guest wrote gfns " + hex(e.gfn) + " to " + hex(e.gfn + e.count - 1) +
                                ": write faults, ptes read/write, bits set";
    case Event::Kind::UnmapPmd:
      return "the host unmapped the 2 MiB region [" + hex(mmu::pmd_base_gfn(e.gfn)) + ", " +
             hex(mmu::pmd_end_gfn(e.gfn)) +
             ") (MMU notifier -> unmap_stage2_range: pmd cleared, its pte table freed); the dirty bits stay set";
  }
  return "";
}

Vm::Vm(const Scenario& s) : kvm(options(s)) {
  const std::string err = kvm.memslots.add(0, s.base, s.npages, s.hugepages, kvm.options.geometry.ipa_bits);
  if (!err.empty()) throw std::logic_error("lab 5 memslot: " + err);
  for (const Event& e : s.events) {
    switch (e.kind) {
      case Event::Kind::TouchBeforeLogging:
        if (mmu::kvm_handle_guest_abort(kvm, ipa_of(e.gfn), mmu::Access::Write).outcome !=
            mmu::FaultOutcome::MappedBlock)
          throw std::logic_error("lab 5: no block mapped");
        break;
      case Event::Kind::EnableLogging:
        if (mmu::kvm_enable_dirty_logging(kvm, 0, kBitsPerLong) != 0) throw std::logic_error("lab 5: logging");
        break;
      case Event::Kind::Read:
      case Event::Kind::Write:
        for (gfn_t g = e.gfn; g < e.gfn + e.count; ++g)
          mmu::kvm_handle_guest_abort(kvm, ipa_of(g),
                                      e.kind == Event::Kind::Read ? mmu::Access::Read : mmu::Access::Write);
        break;
      case Event::Kind::UnmapPmd:
        if (!mmu::kvm_unmap_pmd_range(kvm, e.gfn)) throw std::logic_error("lab 5: nothing to unmap");
        break;
    }
  }
  slot = kvm.memslots.by_id(0);
}

mmu::KvmOptions Vm::options(const Scenario& s) {
  mmu::KvmOptions o;
  if (s.bug == Bug::Block) o.block_policy = mmu::BlockPolicy::Keep;
  return o;
}

}  // namespace s2sim::sim::lab::bug
