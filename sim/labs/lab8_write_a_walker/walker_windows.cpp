// Lab 8's direct checks: one kvm_mmu_write_protect_pt_masked call at a time on
// hand-built tables around 2 MiB boundaries (walker_grade.h says what is checked).
#include <bit>
#include <cstdio>
#include <memory>
#include <stdexcept>

#include "mmu/granule.h"
#include "mmu/kvm.h"
#include "sim/labs/lab8_write_a_walker/walker_cases.h"
#include "sim/labs/lab8_write_a_walker/walker_grade.h"

namespace s2sim::sim::lab::walker {

using mmu::gfn_t;
using mmu::PMD_PAGES;

const char* state_name(State s) {
  switch (s) {
    case State::Full: return "every page mapped";
    case State::Holes: return "every 5th page unmapped";
    case State::GapFirst: return "no pmd for the window's first page";
    case State::GapLast: return "no pmd for the window's last page";
    case State::BlockFirst: return "a 2 MiB block maps the window's first page";
    case State::BlockLast: return "a 2 MiB block maps the window's last page";
  }
  return "";
}

std::string Case::text() const {
  char buf[200];
  std::snprintf(buf, sizeof buf, "slot base_gfn 0x%llx, %u-bit word %llu (gfns 0x%llx-0x%llx), %s",
                static_cast<unsigned long long>(base), bpl, static_cast<unsigned long long>(word),
                static_cast<unsigned long long>(first()), static_cast<unsigned long long>(last()),
                state_name(state));
  return buf;
}

CaseVm::CaseVm(const Case& c) : kvm(mmu::KvmOptions{}) {
  const std::string err = kvm.memslots.add(0, c.base, kSlotPages, false, kvm.options.geometry.ipa_bits);
  if (!err.empty()) throw std::logic_error("lab 8 memslot: " + err);
  slot = kvm.memslots.by_id(0);
  const gfn_t gap = c.state == State::GapFirst ? mmu::pmd_region(c.first())
                    : c.state == State::GapLast ? mmu::pmd_region(c.last())
                                                : ~gfn_t{0};
  const gfn_t block = c.state == State::BlockFirst ? mmu::pmd_region(c.first())
                      : c.state == State::BlockLast ? mmu::pmd_region(c.last())
                                                    : ~gfn_t{0};
  const std::uint64_t rw = mmu::desc::PAGE_S2_ATTRS | mmu::desc::L_PTE_S2_RDWR;
  if (block != ~gfn_t{0}) {
    const gfn_t first = block * PMD_PAGES;
    kvm.pgtable.map_block(first << mmu::PAGE_SHIFT, kvm.gfn_to_pa(*slot, first), 2, rw);
  }
  for (gfn_t g = c.lo(); g <= c.hi(); ++g) {
    if (mmu::pmd_region(g) == gap || mmu::pmd_region(g) == block) continue;
    if (c.state == State::Holes && g % 5 == 0) continue;
    kvm.pgtable.map_page(g << mmu::PAGE_SHIFT, kvm.gfn_to_pa(*slot, g), rw);
  }
}

void CaseVm::reset(gfn_t lo, gfn_t hi) {
  for (gfn_t g = lo; g <= hi; ++g) {
    const mmu::S2Lookup l = at(g);
    if (l.mapped && mmu::kvm_s2pte_readonly(l.desc))
      kvm.pgtable.mem().store64(l.desc_pa, mmu::kvm_set_s2pte_writable(l.desc).raw);
  }
}

std::vector<std::uint64_t> masks_for(unsigned bpl, gfn_t word) {
  const std::uint64_t all = bpl == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bpl) - 1;
  const std::uint64_t top = std::uint64_t{1} << (bpl - 1);
  // A scattered mask that moves with the word: a fixed mix of its index.
  std::uint64_t z = (word + 1) * 0x9E3779B97F4A7C15ull;
  z ^= z >> 29;
  const std::uint64_t scattered = (z >> 7) & all & ~std::uint64_t{1};  // bit 0 clear: starts inside the word
  return {all, top, 1, top | 1, (z & all) | 1, scattered ? scattered : top};
}

namespace {

constexpr std::size_t kKeep = 5;  // failures and hazards described in full

std::string hex(gfn_t g) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(g));
  return buf;
}

// One call of `walker` on a fresh VM of case `c` with `mask`; counts what is wrong into `m`.
void check_call(const Case& c, std::uint64_t mask, mmu::WpWalker& walker, CaseVm& vm, WindowMeasure& m,
                mmu::CountingSink& sink) {
  vm.kvm.hazards.clear();
  mmu::WpStats stats;
  {
    mmu::S2Walk w(vm.kvm.pgtable, &sink, &vm.kvm.hazards, walker.name());
    w.track_mask(c.first(), c.bpl);
    walker.write_protect_masked(w, *vm.slot, c.word * c.bpl, mask, c.bpl, stats);
    w.report_abandoned(mask);
  }
  ++m.calls;
  const gfn_t from = c.first() + static_cast<unsigned>(std::countr_zero(mask));
  const gfn_t to = c.first() + 63 - static_cast<unsigned>(std::countl_zero(mask));
  for (gfn_t g = c.lo(); g <= c.hi(); ++g) {
    const mmu::S2Lookup l = vm.at(g);
    if (!l.mapped) continue;
    const bool ro = mmu::kvm_s2pte_readonly(l.desc);
    const bool in_mask = g >= c.first() && g <= c.last() && ((mask >> (g - c.first())) & 1);
    std::string what;
    if (in_mask && !ro)
      what = "gfn " + hex(g) + " (bit " + std::to_string(g - c.first()) + ") left writable";
    else if (ro && l.level == mmu::kMaxLevel && (g < from || g > to))
      what = "gfn " + hex(g) + " protected, outside the mask's [__ffs, __fls]";
    if (what.empty()) continue;
    ++m.failures;
    if (m.first_failures.size() < kKeep)
      m.first_failures.push_back(what + ": " + c.text() + ", mask " + hex(mask));
  }
  const std::uint64_t hz = vm.kvm.hazards.total();
  m.hazards += hz;
  for (const mmu::Hazard& h : vm.kvm.hazards.first()) {
    if (m.first_hazards.size() >= kKeep) break;
    m.first_hazards.push_back(std::string(mmu::to_string(h.kind)) + " at IPA " + hex(h.ipa) + " (level " +
                              std::to_string(h.level) + "): " + c.text() + ", mask " + hex(mask));
  }
}

}  // namespace

WindowMeasure measure_windows(const WalkerFactory& make) {
  WindowMeasure m;
  const std::unique_ptr<mmu::WpWalker> walker = make();
  const std::unique_ptr<mmu::WpWalker> v4 = mmu::make_wp_walker("v4");
  for (const gfn_t base : kBases)
    for (const unsigned bpl : {32u, 64u})
      for (gfn_t word = 0; word < kSlotPages / bpl; ++word)
        for (const State s : kStates) {
          const Case c{base, bpl, word, s};
          auto vm = std::make_unique<CaseVm>(c);
          CaseVm v4_vm(c);
          for (const std::uint64_t mask : masks_for(bpl, word)) {
            mmu::CountingSink sink;
            const std::uint64_t hazards_before = m.hazards;
            check_call(c, mask, *walker, *vm, m, sink);
            if (s == State::Full) {
              m.upper_loads += sink.upper_level_loads();
              mmu::CountingSink v4_sink;
              mmu::S2Walk w(v4_vm.kvm.pgtable, &v4_sink, nullptr, "v4");
              mmu::WpStats stats;
              v4->write_protect_masked(w, *v4_vm.slot, word * bpl, mask, bpl, stats);
              m.v4_upper_loads += v4_sink.upper_level_loads();
              v4_vm.reset(c.lo(), c.hi());
            }
            // A walker that wrote where it should not have leaves tables no reset restores.
            if (m.hazards != hazards_before)
              vm = std::make_unique<CaseVm>(c);
            else
              vm->reset(c.lo(), c.hi());
          }
        }
  return m;
}

}  // namespace s2sim::sim::lab::walker
