// What HACDBS's work costs the core of the thread that runs get_dirty_log or
// clear_dirty_log (mmu/hacdbs.h has the hardware and the RFC's software). The
// descriptor loads of the hardware's stage-2 walks and its cleaning stores go through
// the call's access sink like any walker's; this adds, per step:
//   - mask_to_hdbss's store of each entry into the list page (a cache store at its line);
//   - the PE's read of each entry (a cache load at its line);
//   - walk_step_overhead per descriptor the hardware walks read (assumption: the PE's
//     own work per descriptor is what a vCPU's hardware walk costs, as for DBM updates);
//   - per list handed to the hardware, stage2_abort_host (assumption: programming
//     HCR_EL2.VM, VTTBR, HACDBSCONS_EL2 and HACDBSBR_EL2, the WFI and the HACDBSIRQ taken
//     at EL2 cost what a stage-2 abort to the VHE host and back does; nothing is
//     published for it).
// The thread waits for each list (the RFC's dirty_bit_clear sleeps in WFI until
// HACDBSIRQ), so all of it is on its clock, under mmu_lock.
#include "sim/engine/hw_dirty.h"

namespace s2sim::sim {

namespace {

// Where the n-th entry written (or read) lands in the list page, which the RFC reuses
// for every list; the page is below the HDBSS buffers (hw_dirty.cpp).
constexpr mmu::phys_addr_t hacdbs_entry_pa(std::uint64_t n) {
  return mmu::hacdbs::kRfcListPa + (n % mmu::hacdbs::kRfcListEntries) * 8;
}

}  // namespace

std::uint64_t HwDirtyUnit::charge_hacdbs(unsigned core) {
  if (!hacdbs_) return 0;
  const mmu::HacdbsStats& now = hacdbs_->stats();
  const Costs& c = ctx_.cfg.machine.costs;
  std::uint64_t cycles = 0;
  for (std::uint64_t i = charged_.entries_listed; i < now.entries_listed; ++i)
    cycles += ctx_.caches.access(core, hacdbs_entry_pa(i), true).cycles;
  for (std::uint64_t i = charged_.entries_read; i < now.entries_read; ++i)
    cycles += ctx_.caches.access(core, hacdbs_entry_pa(i), false).cycles;
  cycles += (now.desc_loads - charged_.desc_loads) * c.walk_step_overhead;
  cycles += (now.rounds - charged_.rounds) * c.stage2_abort_host;
  HwDirtyStats& st = ctx_.res.hw_dirty;
  st.hacdbs_rounds += now.rounds - charged_.rounds;
  st.hacdbs_entries += now.entries_listed - charged_.entries_listed;
  st.hacdbs_cleaned += now.cleaned - charged_.cleaned;
  st.hacdbs_already_clean += now.already_clean - charged_.already_clean;
  st.hacdbs_errors += now.errors - charged_.errors;
  st.hacdbs_fallback_pages += now.fallback_pages - charged_.fallback_pages;
  st.hacdbs_cycles += cycles;
  charged_ = now;
  return cycles;
}

}  // namespace s2sim::sim
