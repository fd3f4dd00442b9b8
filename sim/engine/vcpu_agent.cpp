#include "sim/engine/vcpu_agent.h"

#include <algorithm>
#include <optional>

#include "mmu/fault_handler.h"
#include "mmu/hw_walk.h"
#include "sim/engine/run_queue.h"
#include "sim/engine/hw_dirty.h"
#include "sim/engine/timed_walk.h"
#include "sim/timing/cycle_sink.h"
#include "util/host_prefetch.h"

namespace s2sim::sim {

using mmu::Access;
using mmu::gfn_t;
using mmu::ipa_t;

namespace {

// The timeline's name for a stage-2 fault.
const char* fault_event_name(mmu::FaultKind kind, Access access) {
  switch (kind) {
    case mmu::FaultKind::Translation: return "translation fault";
    case mmu::FaultKind::AccessFlag: return "access flag fault";
    case mmu::FaultKind::Permission: return access == Access::Write ? "write-protect fault" : "permission fault";
    case mmu::FaultKind::None: break;
  }
  return "fault";
}

}  // namespace

const char* to_string(VcpuState state) {
  switch (state) {
    case VcpuState::NeedOp: return "need-op";
    case VcpuState::Halted: return "halted";
    case VcpuState::Access: return "access";
    case VcpuState::InFault: return "in-fault";
  }
  return "?";
}

VcpuAgent::VcpuAgent(RunContext& ctx, OpLookahead& ops, HostLeafPrefetch& leaf_prefetch)
    : ctx_(ctx),
      ops_(ops),
      leaf_prefetch_(leaf_prefetch),
      costs_(ctx.cfg.machine.costs),
      pgtable_(ctx.kvm.pgtable),
      slot_(ctx.slot),
      caches_(ctx.caches),
      pages_(ctx.pages),
      vmid_(ctx.kvm.options.vmid),
      tlb_(ctx.cfg.machine.tlb) {}

void VcpuAgent::step(Agent& a) {
  if (ctx_.pause_requested && state_ != VcpuState::InFault && !ctx_.locks.mmu_lock.holds(a.id)) {
    a.paused = true;
    paused_at_ = a.time;
    if (ctx_.trace) ctx_.trace->instant(a.id, "paused (vm_stop)", a.time);
    return;
  }
  switch (state_) {
    case VcpuState::InFault: return handle_fault(a);
    case VcpuState::Halted:
      state_ = VcpuState::Access;  // the burst's timer tick has come
      [[fallthrough]];
    case VcpuState::Access: return access(a);
    case VcpuState::NeedOp: break;
  }
  if (!take_op(a)) {
    a.done = true;
    return;
  }
  if (op_.sync) return guest_sync(a);
  retries_ = 0;
  state_ = VcpuState::Access;
  // Idle until the op may start (periodic workloads), then think; the access itself
  // is the next step, so that it happens at its own simulated time.
  if (op_.not_before_cycles > a.time) {
    st_.idle_cycles += op_.not_before_cycles - a.time;
    state_ = VcpuState::Halted;
    idle_from_ = a.time;
    a.time = op_.not_before_cycles;
  }
  a.time += op_.think_cycles;
  st_.busy_cycles += op_.think_cycles;
  if (op_.think_cycles || op_.not_before_cycles) return;
  access(a);
}

std::uint64_t VcpuAgent::run(Agent& a, std::uint64_t horizon, std::uint64_t max_steps) {
  std::uint64_t n = 0;
  do {
    // With run-ahead on (more than one step allowed), the operations that hit the
    // micro TLB go through run_tlb_hits, a step each; it stops before any other. It is
    // not tried while recent accesses walked: then the next one likely walks too.
    if (max_steps > 1 && state_ == VcpuState::NeedOp && !recent_walks_) {
      n = run_tlb_hits(a, horizon, max_steps, n);
      if (n != 0 && !(n < max_steps && a.time <= horizon)) break;
    }
    const bool fault = state_ == VcpuState::InFault;
    step(a);
    ++n;
    if (fault) break;
  } while (n < max_steps && a.time <= horizon && RunQueue::runnable(a));
  return n;
}

std::uint64_t VcpuAgent::run_tlb_hits(Agent& a, std::uint64_t horizon, std::uint64_t max_steps, std::uint64_t n) {
  // What step() does for an operation with no think time, no timer and no sync whose
  // access hits the micro TLB with the permission it needs, op by op in the same
  // order, with the same counts: the pause check, the operation taken (and the host
  // prefetches it announces), the TLBs' lookup, the access's one cycle, the page's
  // record. Run-ahead makes such steps back to back; here they skip step()'s state
  // machine and access()'s fault paths, which they cannot reach.
  std::uint64_t time = a.time;
  const std::uint64_t n0 = n;
  while ((n == 0 || (n < max_steps && time <= horizon)) && !ctx_.pause_requested) {
    const workloads::GuestOp* next = ops_.peek(a.index);
    if (!next || next->sync || next->think_cycles || next->not_before_cycles) break;
    const Access access = next->access;
    if (!tlb_.lookup_micro_recent_if(vmid_, next->ipa, access, [access](const TlbEntry& e) {
          return access == Access::Write ? e.writable : e.readable;
        }))
      break;
    (void)take_op(a);
    recent_walks_ = static_cast<std::uint8_t>(recent_walks_ << 1);
    retries_ = 0;
    ++time;  // the access, an L1 hit for the data
    ++n;
    completed(op_, time);
  }
  a.time = time;
  st_.busy_cycles += n - n0;  // one cycle a step
  return n;
}

void VcpuAgent::completed(const workloads::GuestOp& op, std::uint64_t now) {
  ++st_.ops;
  if (op.access == Access::Write) {
    ++st_.writes;
    const gfn_t gfn = op.ipa >> mmu::PAGE_SHIFT;
    if (slot_.contains(gfn) && pages_.record_write(gfn - slot_.base_gfn, now)) ++ctx_.res.distinct_pages_written;
  } else {
    ++st_.reads;
  }
}

bool VcpuAgent::kick_if_halted(Agent& a, std::uint64_t now) {
  if (!a.paused && ring_full_) {
    // Out of the guest since its KVM_EXIT_DIRTY_RING_FULL: it stops where it waits.
    a.waiting = false;
    a.paused = true;
    paused_at_ = a.time;
    return true;
  }
  if (a.paused || state_ != VcpuState::Halted || idle_from_ > now) return false;
  st_.idle_cycles -= a.time - now;
  a.time = now;
  a.paused = true;
  paused_at_ = now;
  return true;
}

void VcpuAgent::guest_sync(Agent& a) {
  // The ucall is an MMIO write the host kernel hands to user space (KVM_EXIT_MMIO):
  // a stage-2 abort round trip. The vCPU thread then waits in user space for the
  // next iteration, if anything drives iterations.
  a.time += costs_.stage2_abort_host;
  st_.busy_cycles += costs_.stage2_abort_host;
  ++st_.ucalls;
  if (ctx_.barrier) ctx_.barrier->arrive(a);
  else resume(a, 0);
}

void VcpuAgent::resume(Agent& a, std::uint64_t waited) {
  // Back into the guest: the KVM_RUN ioctl.
  st_.idle_cycles += waited;
  a.time += costs_.ioctl_entry;
  st_.busy_cycles += costs_.ioctl_entry;
}

bool VcpuAgent::take_op(const Agent& a) {
  return ops_.next(a.index, op_, [&](const workloads::GuestOp& op) { prefetch(op, a.core); });
}

void VcpuAgent::prefetch(const workloads::GuestOp& op, unsigned core) {
  const gfn_t gfn = op.ipa >> mmu::PAGE_SHIFT;
  // The page's record is written at the end of a successful write.
  if (op.access == Access::Write && slot_.contains(gfn)) pages_.prefetch(gfn - slot_.base_gfn);
  // The leaf descriptor, only while accesses walk: when they hit the TLBs, the walk
  // this prepares does not happen.
  if (!recent_walks_) return;
  // ... and the cache model's sets its load will search.
  if (const HostLeafPrefetch::Leaf leaf = leaf_prefetch_.prefetch(op.ipa); leaf.word) caches_.prefetch(core, leaf.pa);
}

void VcpuAgent::access(Agent& a) {
  const ipa_t ipa = op_.ipa;
  const Access access = op_.access;
  std::uint64_t cost = 1;  // the access itself, an L1 hit for the data
  mmu::FaultKind fault = mmu::FaultKind::None;
  const gfn_t gfn = ipa >> mmu::PAGE_SHIFT;

  // The TLBs count their own hits and misses (VcpuStats::tlb, read at the end).
  const TlbLookup hit = tlb_.lookup(vmid_, ipa, access);
  recent_walks_ = static_cast<std::uint8_t>((recent_walks_ << 1) | !hit.hit());
  if (hit.hit()) {
    if (hit.hit_level != TlbHitLevel::Micro) cost += costs_.micro_tlb_miss_main_hit;
    if (!(access == Access::Write ? hit.entry.writable : hit.entry.readable)) fault = mmu::FaultKind::Permission;
  } else {
    // Main TLB miss: a hardware walk through the cache model, starting below the
    // deepest table descriptor the walk cache holds.
    cost += costs_.micro_tlb_miss_main_hit;
    cost += timed_walk(tlb_, pgtable_, caches_, a.core, vmid_, ipa, access, costs_.walk_step_overhead, walk_, st_);
    fault = walk_.fault;
  }
  // With hardware dirty state a write to a writable-clean leaf does not fault.
  if (ctx_.hw_dirty && fault == mmu::FaultKind::Permission && access == Access::Write)
    if (const auto e = ctx_.hw_dirty->write_to_clean(a.index, a.core, ipa, hit.hit() ? nullptr : &walk_, cost)) {
      tlb_.fill(*e, access);
      fault = mmu::FaultKind::None;
    }

  if (fault != mmu::FaultKind::None) {
    // A stage-2 abort: trap to Hyp, exit to the host kernel and back (the paper's
    // "I/O Kernel" round trip, which includes the trap), then user_mem_abort's work
    // before it takes mmu_lock: the memory-cache top-up, the mmu_notifier_seq read,
    // gfn_to_pfn_prot with its get_user_pages and host walk (fault_handler_work).
    // Linux 3.17 / 4.0 arch/arm/kvm/mmu.c, user_mem_abort(): mmu_topup_memory_cache()
    // and gfn_to_pfn_prot() run before spin_lock(&kvm->mmu_lock). Only the table
    // update and its flush run under the lock, in the next step; then the access is
    // retried.
    const bool warmup = a.time + cost < ctx_.migration_start;  // taken before the migration started
    if (fault == mmu::FaultKind::Translation) {
      ++st_.translation_faults;
      ctx_.res.warmup.translation_faults += warmup;
    } else if (fault == mmu::FaultKind::Permission && access == Access::Write) {
      ++st_.write_protect_faults;
      ctx_.res.warmup.write_protect_faults += warmup;
    } else {
      ++st_.other_faults;
    }
    // A host-speed hint, nothing simulated: a write fault taken while the slot logs
    // sets the page's bit in the dirty bitmap (mark_page_dirty) in the next step,
    // under mmu_lock; start fetching that word now.
    if (access == Access::Write && slot_.dirty_bitmap && slot_.logging() && slot_.contains(gfn))
      util::host_prefetch_for_write(slot_.dirty_bitmap->word_address(gfn - slot_.base_gfn));
    const std::uint64_t trap = costs_.stage2_abort_host + costs_.fault_handler_work;
    fault_kind_ = fault;
    fault_begin_ = a.time + cost;
    fault_lock_wait0_ = a.lock_wait;
    a.time += cost + trap;
    st_.busy_cycles += cost + trap;
    st_.fault_cycles += trap;
    state_ = VcpuState::InFault;
    return;
  }
  a.time += cost;
  st_.busy_cycles += cost;
  completed(op_, a.time);
  state_ = VcpuState::NeedOp;
}

void VcpuAgent::handle_fault(Agent& a) {
  // The part of user_mem_abort() under mmu_lock: the acquire (spin_lock when free),
  // the table update's descriptor accesses through this core's caches and the TLB
  // maintenance it requests (charged to this vCPU by the shootdown); then the
  // release. fault_handler_work was charged before the lock, with the trap.
  const std::uint64_t t0 = a.time, wait0 = a.lock_wait;
  // spin_lock / write_lock, or read_lock where the kernel's fault path allows it.
  const LockMode mode = mmu::fault_takes_read_lock(ctx_.kvm, op_.ipa, op_.access, fault_kind_) ? LockMode::Read
                                                                                                : LockMode::Write;
  if (!ctx_.locks.take(ctx_.locks.mmu_lock, a, mode)) return;
  // What the kernel does under the lock beyond the descriptor accesses walked below
  // (the machine's fault_locked_work: on arm64 without FEAT_S2FWB,
  // stage2_map_walker_try_leaf's dcache_clean_inval_poc of the page it maps, 5.15+).
  a.time += costs_.fault_locked_work;
  CycleSink sink(caches_, a.core);
  const mmu::FaultResult fr = [&] {
    TlbShootdown::Charge charged(ctx_.shootdown, a);
    return mmu::kvm_handle_guest_abort(ctx_.kvm, op_.ipa, op_.access, &sink, static_cast<int>(a.index));
  }();
  if (ctx_.hw_dirty && op_.access == Access::Write) ctx_.hw_dirty->after_write_fault(op_.ipa);
  a.time += sink.cycles;
  ctx_.locks.release(ctx_.locks.mmu_lock, a);
  // Busy time is everything but the wait for the lock (counted in lock_wait).
  const std::uint64_t handled = a.time - t0 - (a.lock_wait - wait0);
  st_.fault_cycles += handled;
  st_.busy_cycles += handled;
  state_ = VcpuState::Access;  // retried at the next step
  if (ctx_.trace)
    ctx_.trace->complete(a.id, fault_event_name(fault_kind_, op_.access), fault_begin_, a.time,
                         {{"ipa", op_.ipa}, {"outcome", mmu::to_string(fr.outcome)},
                          {"lock_wait_cycles", a.lock_wait - fault_lock_wait0_}});
  if (fr.outcome == mmu::FaultOutcome::BlockDissolved) ++st_.split_faults;
  if (fr.outcome == mmu::FaultOutcome::Mmio) {
    // Nothing backs this IPA: an MMIO access, emulated elsewhere; the guest moves on.
    ++st_.mmio;
    state_ = VcpuState::NeedOp;
  } else if (++retries_ > kMaxFaultRetries) {
    // The fault path made no progress: a bug in the model, never a property of the
    // guest. The access is dropped, counted, and the run fails verification.
    ++st_.abandoned;
    state_ = VcpuState::NeedOp;
  }
  if (fr.ring_soft_full) {
    // KVM_REQ_DIRTY_RING_SOFT_FULL: before entering the guest again the vCPU exits
    // with KVM_EXIT_DIRTY_RING_FULL and waits in user space, off the schedule, until
    // the migration thread (or perf-test's driver) has harvested and reset the rings
    // (wake_if_ring_reset).
    ++ctx_.res.api.soft_full_exits;
    ring_full_ = true;
    a.waiting = true;
    if (ctx_.trace) ctx_.trace->instant(a.id, "KVM_EXIT_DIRTY_RING_FULL", a.time);
    if (ctx_.barrier) ctx_.barrier->wake_driver(a.time);  // perf-test's driver collects
  }
}

bool VcpuAgent::wake_if_ring_reset(Agent& a, std::uint64_t now) {
  // kvm_dirty_ring_check_request() at the next KVM_RUN: still at the soft limit, it
  // would exit again at once, so the vCPU stays out until the ring has room.
  if (!ring_full_ || a.paused || ctx_.kvm.dirty_rings[a.index].soft_full()) return false;
  ring_full_ = false;
  a.waiting = false;
  const std::uint64_t from = a.time;
  a.time = std::max(a.time, now);
  resume(a, a.time - from);
  return true;
}

const VcpuStats& VcpuAgent::finish(const Agent& a, std::uint64_t end) {
  st_.cycles = a.time;
  st_.mmu_lock_wait = a.lock_wait;
  if (a.paused) st_.paused_cycles = end - paused_at_;
  st_.tlb = tlb_.stats();
  return st_;
}

bool any_vcpu_ring_full(const std::vector<Agent>& agents, const std::vector<VcpuAgent>& vcpus) {
  for (const Agent& ag : agents)
    if (ag.kind == Agent::Kind::Vcpu && !ag.paused && vcpus[ag.index].ring_full()) return true;
  return false;
}

void wake_vcpus_after_ring_reset(std::vector<Agent>& agents, std::vector<VcpuAgent>& vcpus, RunQueue& queue,
                                 std::uint64_t now) {
  for (Agent& ag : agents)
    if (ag.kind == Agent::Kind::Vcpu && vcpus[ag.index].wake_if_ring_reset(ag, now)) queue.push(ag);
}

}  // namespace s2sim::sim
