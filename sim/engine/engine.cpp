#include "sim/engine/engine.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "mmu/fault_handler.h"
#include "mmu/hw_walk.h"
#include "mmu/kernel_profile.h"
#include "mmu/kvm.h"
#include "sim/engine/dirty_log_api.h"
#include "sim/engine/host_agent.h"
#include "sim/engine/host_leaf_prefetch.h"
#include "sim/engine/hw_dirty.h"
#include "sim/engine/lock_arbiter.h"
#include "sim/engine/migration_agent.h"
#include "sim/engine/op_lookahead.h"
#include "sim/engine/perf_test_driver.h"
#include "sim/engine/run_context.h"
#include "sim/engine/run_queue.h"
#include "sim/engine/tlb_shootdown.h"
#include "sim/engine/vcpu_agent.h"
#include "sim/engine/verifier.h"
#include "sim/timing/cache_model.h"
#include "util/input_error.h"
#include "workloads/workload_factory.h"

namespace s2sim::sim {

using mmu::Access;
using mmu::gfn_t;
using mmu::ipa_t;

Engine::Engine(const SimConfig& cfg, Timeline* trace, const PerfTestOptions* perf) : cfg_(cfg), trace_(trace) {
  // The kernel profile decides the fault path, the mmu_lock kind and the flush
  // instructions; the dirty_log keys (block_policy here, the GET_DIRTY_LOG options in
  // cfg_.dirty_log) were resolved against it by parse_config.
  const mmu::KernelProfile profile = mmu::kernel_profile_or_default(cfg_.kernel);
  mmu::KvmOptions ko = mmu::kvm_options_from_profile(profile, cfg_.geometry);
  ko.block_policy = cfg_.block_policy;
  shootdown_ = std::make_unique<TlbShootdown>(cfg_.machine, ko.vmid, trace_, kernel_flush_by_ipa(profile, cfg_.machine));
  kvm_ = std::make_unique<mmu::Kvm>(ko, shootdown_.get());
  // The dirty-log APIs the config asks for, enabled as QEMU does (dirty_log_api.h)
  // before any memslot or vCPU; the profile decides which exist (ko.apis).
  enable_dirty_log_caps(*kvm_, cfg_);
  if (perf) {
    // The request runs on the config's kernel (an empty name means that one).
    PerfTestRequest req = perf->request;
    if (req.kernel.empty()) req.kernel = profile.name;
    if (req.kernel != profile.name)
      throw std::invalid_argument("perf-test asks for kernel " + req.kernel + ", the config names " + profile.name);
    if (const std::string why = perf_test_unavailable(req); !why.empty()) throw std::invalid_argument(why);
    // What user space enables before it creates memslots and vCPUs.
    if (const std::string err = perf_test_enable_caps(*kvm_, req); !err.empty()) throw std::invalid_argument(err);
  }
  for (const auto& m : cfg_.memslots) {
    const std::string err = kvm_->memslots.add(m.id, m.base_gfn, m.npages, m.hugepages, cfg_.geometry.ipa_bits);
    if (!err.empty()) throw InputError(cfg_.file + ": /memslots", err);
  }
  // `populate`: map each such slot the way a guest that has touched all of it would
  // have, through the write-fault path (pages, or 2 MiB blocks for a hugepage slot),
  // before simulated time starts: no cycles, no fault counted (no agent is charged).
  for (const auto& m : cfg_.memslots) {
    if (!m.populate) continue;
    for (gfn_t gfn = m.base_gfn; gfn < m.base_gfn + m.npages; ++gfn) {
      const ipa_t ipa = gfn << mmu::PAGE_SHIFT;
      if (mmu::translate(kvm_->pgtable, ipa, Access::Write).fault != mmu::FaultKind::None)
        (void)mmu::kvm_handle_guest_abort(*kvm_, ipa, Access::Write);
    }
  }
  mmu::Memslot& slot = *kvm_->memslots.by_id(cfg_.migration.slot);
  caches_ = std::make_unique<CacheHierarchy>(cfg_.vcpus + 2, cfg_.machine.l1d, cfg_.machine.l2,
                                             cfg_.machine.dram_latency_cycles);
  ops_ = workloads::make_workload(cfg_.workload, "/workload", workload_env(cfg_));
  ops_ahead_ = std::make_unique<OpLookahead>(*ops_, cfg_.vcpus);
  leaf_prefetch_ = std::make_unique<HostLeafPrefetch>(kvm_->pgtable);

  // The agents' scheduling state, by id (the tie-break): vCPUs, the migration thread,
  // the host. Each has a core of its own in the cache model.
  const bool host = cfg_.host.unmap_every_ms > 0;
  agents_.reserve(cfg_.vcpus + 2);
  for (unsigned i = 0; i < cfg_.vcpus; ++i) agents_.push_back(Agent{Agent::Kind::Vcpu, i, i, static_cast<int>(i)});
  if (cfg_.migration.enabled) {
    agents_.push_back(Agent{Agent::Kind::Migration, 0, cfg_.vcpus, static_cast<int>(agents_.size())});
    agents_.back().time = cfg_.machine.clock().ms_to_cycles(cfg_.migration.start_ms);
  } else if (perf) {
    agents_.push_back(Agent{Agent::Kind::PerfTest, 0, cfg_.vcpus, static_cast<int>(agents_.size())});
  }
  if (host) agents_.push_back(Agent{Agent::Kind::Host, 0, cfg_.vcpus + 1, static_cast<int>(agents_.size())});

  queue_ = std::make_unique<RunQueue>(agents_);
  vcpus_left_ = cfg_.vcpus;
  locks_ = std::make_unique<LockArbiter>(
      agents_, cfg_.machine.costs, trace_, queue_.get(),
      ko.mmu_lock == mmu::MmuLockKind::Rwlock ? LockKind::ReadWrite : LockKind::Exclusive);
  pages_ = std::make_unique<LostWriteVerifier>(slot.npages, cfg_.migration.enabled);
  res_.seed = cfg_.seed;
  res_.walker = cfg_.dirty_log.walker;
  res_.dirty_log_api = cfg_.dirty_log.api;
  res_.workload = ops_->describe();
  res_.migration_enabled = cfg_.migration.enabled;
  res_.verify_enabled = cfg_.verify.enabled && cfg_.migration.enabled;
  res_.clock_hz = cfg_.machine.clock_hz;
  res_.vcpu.resize(cfg_.vcpus);
  ctx_ = std::make_unique<RunContext>(
      RunContext{cfg_, *kvm_, slot, *caches_, *locks_, *shootdown_, *pages_, trace_, res_});
  if (cfg_.migration.enabled) ctx_->migration_start = cfg_.machine.clock().ms_to_cycles(cfg_.migration.start_ms);
  if (cfg_.dirty_log.hw_dirty != mmu::HwDirty::None) {
    // The scan and the drains feed the dirty bitmap; a ring-only VM has none.
    if (!kvm_->caps.use_dirty_bitmap() || kvm_->caps.dirty_ring_entries != 0)
      throw std::invalid_argument("dirty_log.hw_dirty is modelled with the dirty bitmap, not the dirty ring");
    hw_dirty_ = std::make_unique<HwDirtyUnit>(*ctx_, cfg_.vcpus);
    ctx_->hw_dirty = hw_dirty_.get();
  }

  vcpus_.reserve(cfg_.vcpus);  // never reallocated: the shootdown holds their TLBs
  for (unsigned i = 0; i < cfg_.vcpus; ++i) {
    (void)mmu::kvm_create_vcpu(*kvm_);  // its dirty ring, with dirty_log.api "ring"
    vcpus_.emplace_back(*ctx_, *ops_ahead_, *leaf_prefetch_);
  }
  for (VcpuAgent& v : vcpus_) shootdown_->attach(v.tlb());
  if (cfg_.migration.enabled) {
    migration_ = std::make_unique<MigrationAgent>(*ctx_, agents_, vcpus_, *queue_);
  }
  if (perf) {
    if (cfg_.migration.enabled) throw std::invalid_argument("perf-test runs without the migration thread");
    // Its API comes from its own flags; nothing here would harvest a ring or CLEAR.
    if (cfg_.dirty_log.api != "get" || cfg_.dirty_log.eager_split_chunk != 0)
      throw std::invalid_argument("perf-test picks its dirty-log API from its flags, not dirty_log.api or "
                                  "dirty_log.eager_split_chunk");
    perf_ = std::make_unique<PerfTestDriver>(*ctx_, *perf, agents_[cfg_.vcpus], agents_, vcpus_, *queue_);
  }
  if (host) {
    host_ = std::make_unique<HostAgent>(*ctx_);
    agents_.back().time = host_->period();
  }
  if (trace_) {
    // One track per agent, tid = the agent's id (its tie-break rank).
    trace_->process_name("s2sim: " + res_.workload);
    for (const Agent& a : agents_) {
      const std::string name = a.kind == Agent::Kind::Vcpu        ? "vCPU " + std::to_string(a.index)
                               : a.kind == Agent::Kind::Migration ? std::string("migration thread")
                               : a.kind == Agent::Kind::PerfTest  ? std::string("perf-test main thread")
                                                                  : std::string("host (MMU notifier unmaps)");
      trace_->thread_name(a.id, name, a.id);
      if (a.kind == Agent::Kind::Migration) trace_->keep_track(a.id);
    }
    if (migration_) {
      const int rounds = MigrationAgent::rounds_track(agents_.size());
      trace_->thread_name(rounds, "migration rounds", rounds);
      trace_->keep_track(rounds);
    }
  }
}

Engine::~Engine() = default;

bool Engine::over() const {
  // Once the migration is over nothing else matters: the host stops unmapping and the
  // vCPUs stay paused.
  return (migration_ && migration_->done()) || (perf_ && perf_->done());
}

bool Engine::may_step(const Agent& a) const {
  // Without migration the run ends with the guest: the host alone does not go on.
  return migration_ || a.kind != Agent::Kind::Host || vcpus_left_ != 0;
}

Agent* Engine::next_agent() {
  if (over()) return nullptr;
  Agent* next = queue_->pop();  // the earliest clock; ties: the lower id
  return next && may_step(*next) ? next : nullptr;
}

RunProgress Engine::progress_now(std::uint64_t now) const {
  RunProgress p;
  p.simulated_seconds = cfg_.machine.clock().seconds(now);
  const workloads::ReadProgress read = ops_->read_progress();
  if (read.total != 0) p.fraction = std::min(1.0, static_cast<double>(read.done) / static_cast<double>(read.total));
  if (migration_) {
    p.migrating = migration_->phase() != MigrationAgent::Phase::Start;
    p.round = migration_->round();
  }
  return p;
}

std::uint64_t Engine::step(Agent& a, std::uint64_t max_steps) {
  switch (a.kind) {
    case Agent::Kind::Vcpu: {
      const std::uint64_t n = vcpus_[a.index].run(a, run_ahead_ ? queue_->horizon(a) : 0, run_ahead_ ? max_steps : 1);
      // Only an agent's own step finishes it.
      if (a.done) --vcpus_left_;
      return n;
    }
    case Agent::Kind::Migration: migration_->step(a); break;
    case Agent::Kind::PerfTest: perf_->step(a); break;
    case Agent::Kind::Host: host_->step(a); break;
  }
  return 1;
}

RunResult Engine::run(const std::function<void(const RunProgress&)>& progress) {
  constexpr std::uint64_t kProgressEvery = 0x10000;  // steps
  std::uint64_t steps = 0;
  queue_->push_all();
  while (Agent* next = next_agent()) {
    // Run-ahead: while the agent just stepped would come out of the queue again, it
    // is stepped again at once. Progress is reported after the same steps either way.
    do {
      steps += step(*next, progress ? kProgressEvery - steps % kProgressEvery : UINT64_MAX);
      if (progress && steps % kProgressEvery == 0) progress(progress_now(next->time));
    } while (run_ahead_ && !over() && RunQueue::runnable(*next) && may_step(*next) && queue_->runs_first(*next));
    queue_->push(*next);  // its clock moved: back in the queue unless it blocked, paused or finished
  }
  for (const Agent& a : agents_)
    if (a.blocked) throw std::logic_error("simulation deadlock: an agent waits on a lock nobody releases");
  if (perf_ && !perf_->done())
    throw std::logic_error("simulation deadlock: the vCPUs ended before the perf-test driver's last iteration");
  collect_totals();
  return res_;
}

void Engine::collect_totals() {
  std::uint64_t end = 0;
  for (const Agent& a : agents_) end = std::max(end, a.time);
  res_.total_cycles = end;
  for (std::size_t i = 0; i < vcpus_.size(); ++i) {
    const VcpuStats& s = vcpus_[i].finish(agents_[i], end);
    res_.ops += s.ops;
    res_.reads += s.reads;
    res_.writes += s.writes;
    res_.tlb_hits += s.tlb.hits();
    res_.tlb_misses += s.tlb.misses;
    res_.tlb_entries_invalidated += s.tlb.entries_invalidated;
    res_.translation_faults += s.translation_faults;
    res_.write_protect_faults += s.write_protect_faults;
    res_.mmio_aborts += s.mmio;
    res_.abandoned_accesses += s.abandoned;
    res_.vcpu[i] = s;
  }
  res_.flush_all = shootdown_->stats().flush_all;
  res_.flush_ipa = shootdown_->stats().flush_ipa;
  res_.mmu_lock_wait = locks_->mmu_lock_wait();
  for (std::size_t k = 0; k < mmu::kHazardKinds; ++k) res_.hazards[k] = kvm_->hazards.count(static_cast<mmu::HazardKind>(k));
  res_.first_hazards = kvm_->hazards.first();
  note_guest_finished();
  res_.trace_lines_skipped = ops_->skipped_lines();
  res_.trace_regions_mapped = ops_->mapped_regions();
}

void Engine::note_guest_finished() {
  // Finished: every vCPU ran out of operations (none was stopped for stop-and-copy
  // with work left), the last one at guest_finished_cycles.
  res_.guest_finished = !agents_.empty();
  for (const Agent& a : agents_) {
    if (a.kind != Agent::Kind::Vcpu) continue;
    if (!a.done) res_.guest_finished = false;
    else res_.guest_finished_cycles = std::max(res_.guest_finished_cycles, a.time);
  }
  if (!res_.guest_finished) {
    res_.guest_finished_cycles = 0;
    return;
  }
  for (const RoundStats& rd : res_.rounds)
    if (res_.guest_finished_cycles >= rd.start_cycle) res_.guest_finished_round = static_cast<int>(rd.round);
}

}  // namespace s2sim::sim
