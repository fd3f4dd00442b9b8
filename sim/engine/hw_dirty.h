// Hardware dirty state in the cycle engine (mmu/dbm.h has the architecture):
//
//   the vCPU side   a write that meets a permission fault on a writable-clean leaf
//                   (DBM set, S2AP[1] clear) does not trap: the walker reads the
//                   descriptors again through the cache model (after a TLB hit too,
//                   since the update is an atomic read-modify-write of the descriptor in
//                   memory), stores it with S2AP[1] set and, with HDBSS, appends the
//                   page to the vCPU's buffer. A full buffer is a data abort with
//                   ESR ISS2.HDBSSF: the trap, the drain into the dirty bitmap, the retry.
//   the sync        kvm_arch_sync_dirty_log at the start of KVM_GET_DIRTY_LOG: DBM
//                   scans the slot's leaf ptes a pmd at a time under mmu_lock, marking
//                   and cleaning each writable one in a single atomic update; HDBSS kicks
//                   every vCPU and drains its buffer (HACDBS too). With MANUAL_PROTECT2
//                   (GET does not flush) the DBM scan ends with kvm_flush_remote_tlbs.
//   the walker      with DBM the scan is the only cleaner: GET and CLEAR protect nothing
//                   (hw_dirty_walker). A write-protect walk over [ffs, fls] would also
//                   clean pages between the set bits that the hardware dirtied after the
//                   scan, and their writes would be lost. With HDBSS such a write is in a
//                   buffer already, so write-protection cleans, as the series does.
//                   With HACDBS the pages GET (or CLEAR) harvests are cleaned by the
//                   hardware from a list instead (mmu/hacdbs.h; costs in
//                   hw_dirty_hacdbs.cpp); an error leaves the rest to write-protection.
//
// Costs: the walk and descriptor store at the cache model's latencies; each HDBSS entry
// a store at its own line of the buffer (assumption: the buffer is ordinary cacheable
// memory); each atomic of the scan and drain (the cmpxchg that cleans, set_bit_le of
// mark_page_dirty) atomic_xchg; a buffer-full abort stage2_abort_host (as any stage-2
// abort taken to the host); a kick of a vCPU at sync ioctl_entry (assumption: the
// request and the vCPU's exit and re-entry cost about what a system call does).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "mmu/dbm.h"
#include "mmu/hacdbs.h"
#include "mmu/hw_walk.h"
#include "mmu/wp_walker.h"
#include "sim/engine/agent.h"
#include "sim/engine/run_context.h"
#include "sim/timing/tlb.h"

namespace s2sim::sim {

class HwDirtyUnit {
 public:
  HwDirtyUnit(RunContext& ctx, unsigned vcpus);

  mmu::HwDirty mode() const { return mode_; }

  // vCPU `vcpu` (on `core`) wrote `ipa` and met a permission fault; `walked` is the
  // walk the access made (null after a TLB hit). If the leaf is writable-clean the
  // hardware dirties it: its cycles are added to `cost` and the TLB entry to fill is
  // returned. Otherwise nothing changes and the fault stands.
  std::optional<TlbEntry> write_to_clean(unsigned vcpu, unsigned core, mmu::ipa_t ipa,
                                         const mmu::TranslateResult* walked, std::uint64_t& cost);
  // After a write fault was handled while logging: DBM on the now writable pte.
  void after_write_fault(mmu::ipa_t ipa);

  mmu::HdbssBuffer& buffer(unsigned vcpu) { return buffers_[vcpu]; }
  unsigned vcpus() const { return static_cast<unsigned>(buffers_.size()); }

  // With HACDBS: the list walker GET and CLEAR clean with (hw_dirty_walker), and the
  // cycles its work since the last call costs the core that ran it, beyond the
  // descriptor accesses its sink priced (hw_dirty_hacdbs.cpp). 0 without HACDBS.
  void attach(mmu::HacdbsWalker* w) { hacdbs_ = w; }
  std::uint64_t charge_hacdbs(unsigned core);

 private:
  RunContext& ctx_;
  mmu::HwDirty mode_;
  std::uint64_t vtcr_;
  std::vector<mmu::HdbssBuffer> buffers_;
  mmu::HacdbsWalker* hacdbs_ = nullptr;
  mmu::HacdbsStats charged_;  // the walker's counters already charged
};

// kvm_arch_sync_dirty_log() on the caller's clock, a step at a time: true when done.
class TimedHwDirtySync {
 public:
  TimedHwDirtySync(RunContext& ctx, HwDirtyUnit& unit);
  bool step(Agent& a);

 private:
  RunContext& ctx_;
  HwDirtyUnit& unit_;
  mmu::gfn_t cursor_;
  unsigned next_vcpu_ = 0;
  bool cleaned_ = false;
  bool done_ = false;
};

// The walker GET and CLEAR use under ctx's dirty_log.hw_dirty: `w` itself, with DBM one
// that protects nothing (the scan cleans), with HACDBS the list walker falling back on `w`.
std::unique_ptr<mmu::WpWalker> hw_dirty_walker(RunContext& ctx, std::unique_ptr<mmu::WpWalker> w);

}  // namespace s2sim::sim
