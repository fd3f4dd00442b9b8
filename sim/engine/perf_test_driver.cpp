#include "sim/engine/perf_test_driver.h"

#include <stdexcept>
#include <string>

#include "mmu/dirty_log.h"
#include "sim/engine/hw_dirty.h"
#include "sim/engine/invariant_checker.h"
#include "sim/engine/vcpu_agent.h"

namespace s2sim::sim {

namespace {

void check_workload(const SimConfig& cfg, unsigned iterations) {
  const nlohmann::json& w = cfg.workload;
  if (!w.is_object() || w.value("kind", std::string()) != "memstress")
    throw std::invalid_argument("the perf-test driver needs the memstress workload");
  // memstress's default is 2, as is dirty_log_perf_test's.
  const std::uint64_t n = w.contains("iterations") ? w["iterations"].get<std::uint64_t>() : 2;
  if (n != iterations)
    throw std::invalid_argument("the memstress workload runs " + std::to_string(n) + " iterations, the driver " +
                                std::to_string(iterations));
  if (cfg.migration.enabled) throw std::invalid_argument("perf-test runs without the migration thread");
}

}  // namespace

PerfTestDriver::PerfTestDriver(RunContext& ctx, const PerfTestOptions& opts, Agent& a, std::vector<Agent>& agents,
                               std::vector<VcpuAgent>& vcpus, RunQueue& queue)
    : ctx_(ctx),
      opts_(opts),
      agents_(agents),
      vcpus_(vcpus),
      queue_(queue),
      barrier_(ctx.cfg.vcpus, a, queue),
      walker_(hw_dirty_walker(ctx, ctx.cfg.dirty_log.make_walker
                                                                 ? ctx.cfg.dirty_log.make_walker()
                                                                 : mmu::make_wp_walker(ctx.cfg.dirty_log.walker))) {
  if (!walker_) throw std::invalid_argument("unknown walker \"" + ctx.cfg.dirty_log.walker + "\"");
  check_workload(ctx.cfg, opts.iterations);
  for (const VcpuAgent& v : vcpus_) tlbs_.push_back(&v.tlb());
  ctx_.barrier = &barrier_;
  ctx_.res.perf = PerfTestResult{};
}

PerfTestDriver::~PerfTestDriver() {
  if (ctx_.barrier == &barrier_) ctx_.barrier = nullptr;
}

PerfTestDriver::Counters PerfTestDriver::counters() const {
  Counters c;
  for (const VcpuAgent& v : vcpus_) {
    c.translation += v.stats().translation_faults;
    c.write_protect += v.stats().write_protect_faults;
    c.split += v.stats().split_faults;
  }
  c.mmu_lock_wait = ctx_.locks.mmu_lock_wait();
  c.hw_updates = ctx_.res.hw_dirty.hw_updates;
  c.hdbss_full_traps = ctx_.res.hw_dirty.hdbss_full_traps;
  c.hacdbs_cleaned = ctx_.res.hw_dirty.hacdbs_cleaned;
  c.flushes = ctx_.shootdown.stats();
  return c;
}

void PerfTestDriver::step(Agent& a) {
  PerfTestResult& out = ctx_.res.perf;
  switch (phase_) {
    case Phase::Populate:
      if (!barrier_.all_arrived()) return barrier_.wait(a);
      out.populate_cycles = barrier_.last_arrival();
      if (ctx_.trace) ctx_.trace->complete(a.id, "populate (iteration 0)", 0, barrier_.last_arrival());
      enable_.emplace(ctx_, a);
      phase_ = Phase::Enable;
      return;
    case Phase::Enable:
      if (!enable_->step(a)) return;
      out.enable_logging_cycles = a.time - enable_->start();
      if (ctx_.trace) ctx_.trace->complete(a.id, "enable dirty logging", enable_->start(), a.time);
      enable_.reset();
      return start_iteration(a);
    case Phase::Dirty:
      // A vCPU out on KVM_EXIT_DIRTY_RING_FULL woke the driver: collect, and again
      // while one is still out (it filled its ring after this collection's harvest).
      if (ring_ || any_vcpu_ring_full(agents_, vcpus_)) {
        if (!ring_collect_step(a) || any_vcpu_ring_full(agents_, vcpus_)) return;
      }
      if (!barrier_.all_arrived()) return barrier_.wait(a);
      it_.dirty_memory_cycles = barrier_.last_arrival() - iteration_start_;
      if (ctx_.trace)
        ctx_.trace->complete(a.id, "iteration " + std::to_string(iteration_) + " dirty memory", iteration_start_,
                             barrier_.last_arrival());
      phase_ = ctx_.kvm.caps.dirty_ring_entries ? Phase::Collect : Phase::Get;
      return;
    case Phase::Collect: {
      if (!ring_) collect_start_ = a.time;
      if (!ring_collect_step(a)) return;
      it_.ring_collect_cycles = a.time - collect_start_;
      return end_iteration(a);
    }
    case Phase::Get:
      return get_dirty_log_step(a);
    case Phase::Clear:
      return clear_dirty_log_step(a);
    case Phase::Disable:
      return disable(a);
    case Phase::Done:
      a.done = true;
      return;
  }
}

void PerfTestDriver::start_iteration(Agent& a) {
  // clock_gettime(), then iteration++: every vCPU spinning in user space sees it.
  ++iteration_;
  iteration_start_ = a.time;
  at_start_ = counters();
  soft_full_at_start_ = ctx_.res.api.soft_full_exits;
  it_ = PerfIteration{};
  it_.iteration = iteration_;
  barrier_.release(agents_, a.time, [&](Agent& v, std::uint64_t waited) { vcpus_[v.index].resume(v, waited); });
  phase_ = Phase::Dirty;
  barrier_.wait(a);
}

void PerfTestDriver::get_dirty_log_step(Agent& a) {
  if (!get_) get_.emplace(ctx_, *walker_, a);
  if (!get_->step(a, iteration_)) return;
  RunResult& res = ctx_.res;
  const mmu::GetDirtyLog& call = get_->call();
  ++res.get_dirty_log_calls;
  res.pages_reported += call.pages_reported();
  res.wp += call.wp_stats();
  it_.get_dirty_log_cycles = a.time - get_->start();
  it_.dirty_pages = call.pages_reported();
  // Under manual protect GET only snapshots (pages stay writable until CLEAR), so the
  // invariant "dirty, or write-protected with no writable TLB entry" is not one GET
  // establishes; it is checked in -g mode only.
  if (ctx_.cfg.verify.invariants && !ctx_.kvm.caps.manual_protect)
    check_dirty_log_invariant(ctx_.kvm, ctx_.slot, call.dirty_gfns(), tlbs_, a.time, res);
  if (ctx_.kvm.caps.manual_protect) {
    // The selftest hands the whole bitmap back at once (memstress_clear_dirty_log).
    clear_.emplace(ctx_, *walker_, whole_slot_clear_args(ctx_.slot, call.user_bitmap(), ctx_.cfg.dirty_log.options.bits_per_long), a);
    get_.reset();
    phase_ = Phase::Clear;
    return;
  }
  get_.reset();
  end_iteration(a);
}

void PerfTestDriver::clear_dirty_log_step(Agent& a) {
  if (!clear_->step(a)) return;
  it_.clear_dirty_log_cycles = a.time - clear_->start();
  clear_.reset();
  end_iteration(a);
}

bool PerfTestDriver::ring_collect_step(Agent& a) {
  if (!ring_) ring_.emplace(ctx_, *walker_, a);
  if (!ring_->step(a)) return false;
  it_.dirty_pages += ring_->harvested().size();
  ++it_.ring_collections;
  // After the pass every vCPU waits at GUEST_SYNC: each page it dirtied was in a ring
  // harvested now or before, and is write-protected again.
  if (phase_ == Phase::Collect && ctx_.cfg.verify.invariants)
    check_dirty_log_invariant(ctx_.kvm, ctx_.slot, ring_->harvested(), tlbs_, a.time, ctx_.res);
  ring_.reset();
  wake_vcpus_after_ring_reset(agents_, vcpus_, queue_, a.time);
  return true;
}

void PerfTestDriver::end_iteration(Agent& a) {
  const Counters now = counters();
  it_.split_faults = now.split - at_start_.split;
  it_.translation_faults = now.translation - at_start_.translation;
  it_.write_protect_faults = now.write_protect - at_start_.write_protect - it_.split_faults;
  it_.mmu_lock_wait_cycles = now.mmu_lock_wait - at_start_.mmu_lock_wait;
  it_.soft_full_exits = ctx_.res.api.soft_full_exits - soft_full_at_start_;
  it_.hw_updates = now.hw_updates - at_start_.hw_updates;
  it_.hdbss_full_traps = now.hdbss_full_traps - at_start_.hdbss_full_traps;
  it_.hacdbs_cleaned = now.hacdbs_cleaned - at_start_.hacdbs_cleaned;
  // Maintenance requests: inner shareable (kvm_flush_remote_tlbs, the per-IPA flush)
  // or local (the 6.5+ relaxation's __kvm_tlb_flush_vmid_ipa_nsh).
  const TlbShootdownStats flushes = now.flushes - at_start_.flushes;
  it_.tlbi_broadcast = flushes.flush_all + flushes.flush_ipa;
  it_.tlbi_local = flushes.flush_ipa_local;
  ctx_.res.perf.iterations.push_back(it_);
  if (iteration_ < opts_.iterations) return start_iteration(a);
  phase_ = Phase::Disable;
}

void PerfTestDriver::disable(Agent& a) {
  const std::uint64_t t0 = a.time;
  a.time += ctx_.cfg.machine.costs.ioctl_entry;
  mmu::kvm_disable_dirty_logging(ctx_.kvm, ctx_.slot.id);
  ctx_.res.perf.disable_logging_cycles = a.time - t0;
  ctx_.res.perf.hw_dirty = ctx_.res.hw_dirty;
  if (ctx_.trace) ctx_.trace->complete(a.id, "disable dirty logging", t0, a.time);
  phase_ = Phase::Done;
  a.done = true;
}

}  // namespace s2sim::sim
