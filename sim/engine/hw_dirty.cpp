#include "sim/engine/hw_dirty.h"

#include <algorithm>

#include "mmu/granule.h"
#include "sim/timing/cycle_sink.h"

namespace s2sim::sim {

using mmu::gfn_t;
using mmu::ipa_t;

namespace {

// Where each vCPU's HDBSS buffer sits for the cache model: a 2 MiB-aligned region
// each, at the top of the 40-bit physical space, which simulated table frames never
// reach (only the buffer's lines are looked up, nothing is stored there).
constexpr mmu::phys_addr_t kHdbssBase = 0xFF00000000ull;
constexpr mmu::phys_addr_t hdbss_entry_pa(unsigned vcpu, std::uint64_t index) {
  return kHdbssBase + (mmu::phys_addr_t{vcpu} << 21) + index * 8;
}

// The DBM mode's walker for GET and CLEAR: the scan has cleaned already.
class NoProtectWalker final : public mmu::WpWalker {
 public:
  explicit NoProtectWalker(std::unique_ptr<mmu::WpWalker> base) : base_(std::move(base)) {}
  const char* name() const override { return base_->name(); }
  void write_protect_masked(mmu::S2Walk&, const mmu::Memslot&, gfn_t, std::uint64_t, unsigned,
                            mmu::WpStats& stats) override {
    ++stats.calls;
  }

 private:
  std::unique_ptr<mmu::WpWalker> base_;
};

}  // namespace

std::unique_ptr<mmu::WpWalker> hw_dirty_walker(RunContext& ctx, std::unique_ptr<mmu::WpWalker> w) {
  if (!w) return w;
  switch (ctx.cfg.dirty_log.hw_dirty) {
    case mmu::HwDirty::Dbm: return std::make_unique<NoProtectWalker>(std::move(w));
    case mmu::HwDirty::Hacdbs: {
      auto h = std::make_unique<mmu::HacdbsWalker>(ctx.kvm, std::move(w));
      if (ctx.hw_dirty) ctx.hw_dirty->attach(h.get());
      return h;
    }
    case mmu::HwDirty::None:
    case mmu::HwDirty::Hdbss: break;
  }
  return w;
}

HwDirtyUnit::HwDirtyUnit(RunContext& ctx, unsigned vcpus)
    : ctx_(ctx), mode_(ctx.cfg.dirty_log.hw_dirty), vtcr_(mmu::vtcr_hw_bits(mode_)) {
  if (mode_ == mmu::HwDirty::Hdbss || mode_ == mmu::HwDirty::Hacdbs)
    buffers_.assign(vcpus, mmu::HdbssBuffer(ctx.cfg.dirty_log.hdbss_bytes));
}

std::optional<TlbEntry> HwDirtyUnit::write_to_clean(unsigned vcpu, unsigned core, ipa_t ipa,
                                                    const mmu::TranslateResult* walked, std::uint64_t& cost) {
  const Costs& c = ctx_.cfg.machine.costs;
  std::uint64_t cycles = 0;
  mmu::TranslateResult fresh;
  if (!walked) {
    // The TLB said read-only: the walker reads the descriptors again for its update.
    fresh = mmu::translate(ctx_.kvm.pgtable, ipa, mmu::Access::Write);
    for (unsigned i = 0; i < fresh.nvisited; ++i)
      cycles += ctx_.caches.access(core, fresh.visited[i], false).cycles + c.walk_step_overhead;
    walked = &fresh;
  }
  const std::optional<mmu::S2Desc> upd = mmu::hw_update(walked->leaf, mmu::Access::Write, walked->fault, vtcr_);
  if (!upd) {
    cost += cycles;  // the walk happened; the fault stands
    return std::nullopt;
  }
  HwDirtyStats& st = ctx_.res.hw_dirty;
  const ipa_t leaf_ipa = ipa & ~((ipa_t{1} << walked->block_shift) - 1);
  if (!buffers_.empty()) {
    mmu::HdbssBuffer& buf = buffers_[vcpu];
    if (buf.full()) {
      // HDBSSF: the abort to the host, which drains the buffer; then the retried write.
      cycles += c.stage2_abort_host;
      for (std::uint64_t i = 0; i < buf.index(); ++i)
        cycles += ctx_.caches.access(core, hdbss_entry_pa(vcpu, i), false).cycles + c.atomic_xchg;
      st.hdbss_drained += buf.drain(ctx_.kvm, ctx_.slot, static_cast<int>(vcpu));
      ++st.hdbss_full_traps;
    }
    cycles += ctx_.caches.access(core, hdbss_entry_pa(vcpu, buf.index()), true).cycles;
    buf.append(leaf_ipa, walked->level);
    ++st.hdbss_appends;
  }
  // The atomic update of the descriptor (its line is in L1 after the walk).
  cycles += ctx_.caches.access(core, walked->leaf_pa, true).cycles;
  ctx_.kvm.pgtable.mem().store64(walked->leaf_pa, upd->raw);
  ++st.hw_updates;
  st.hw_update_cycles += cycles;
  cost += cycles;
  return TlbEntry::make(ctx_.kvm.options.vmid, ipa, walked->block_shift, walked->pa, true, true);
}

void HwDirtyUnit::after_write_fault(ipa_t ipa) {
  if (ctx_.slot.logging() && ctx_.slot.contains(ipa >> mmu::PAGE_SHIFT)) mmu::dbm_arm_after_write_fault(ctx_.kvm, ipa);
}

TimedHwDirtySync::TimedHwDirtySync(RunContext& ctx, HwDirtyUnit& unit)
    : ctx_(ctx), unit_(unit), cursor_(ctx.slot.base_gfn) {}

bool TimedHwDirtySync::step(Agent& a) {
  if (done_) return true;
  const Costs& c = ctx_.cfg.machine.costs;
  HwDirtyStats& st = ctx_.res.hw_dirty;
  const std::uint64_t t0 = a.time;
  if (unit_.mode() == mmu::HwDirty::Dbm) {
    if (cursor_ < ctx_.slot.end_gfn()) {
      // One pmd's ptes under mmu_lock (write), then the lock is let go: the RFC's scan
      // drops it between chunks so that faults get in.
      if (!ctx_.locks.take(ctx_.locks.mmu_lock, a)) return false;
      const gfn_t end = std::min<gfn_t>(ctx_.slot.end_gfn(), mmu::pmd_end_gfn(cursor_));
      CycleSink sink(ctx_.caches, a.core);
      const mmu::DbmScanStats s = mmu::dbm_scan_clean(ctx_.kvm, ctx_.slot, cursor_, end, &sink);
      a.time += sink.cycles + (s.ptes_cleaned + s.blocks_protected + s.pages_dirty) * c.atomic_xchg;
      ctx_.locks.release(ctx_.locks.mmu_lock, a);
      st.ptes_scanned += s.ptes_scanned;
      st.ptes_cleaned += s.ptes_cleaned;
      st.blocks_protected += s.blocks_protected;
      cleaned_ = cleaned_ || s.ptes_cleaned || s.blocks_protected;
      cursor_ = end;
    } else {
      // Cleaned entries may still be writable in a TLB. Without manual protect GET's
      // own flush (it finds those pages dirty) comes before the ioctl returns.
      if (cleaned_ && ctx_.kvm.caps.manual_protect) {
        TlbShootdown::Charge charged(ctx_.shootdown, a);
        ctx_.kvm.tlb->flush_remote_tlbs();
      }
      done_ = true;
    }
  } else {
    if (next_vcpu_ < unit_.vcpus()) {
      // Kick one vCPU; its buffer is drained into the dirty bitmap (vcpu_put).
      mmu::HdbssBuffer& buf = unit_.buffer(next_vcpu_);
      a.time += c.ioctl_entry;
      for (std::uint64_t i = 0; i < buf.index(); ++i)
        a.time += ctx_.caches.access(a.core, hdbss_entry_pa(next_vcpu_, i), false).cycles + c.atomic_xchg;
      st.hdbss_drained += buf.drain(ctx_.kvm, ctx_.slot, static_cast<int>(next_vcpu_));
      ++next_vcpu_;
    } else {
      done_ = true;
    }
  }
  if (done_) ++st.syncs;
  st.sync_cycles += a.time - t0;
  return done_;
}

}  // namespace s2sim::sim
