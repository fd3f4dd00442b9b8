#include "sim/engine/engine.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "mmu/fault_handler.h"
#include "mmu/hw_walk.h"
#include "sim/timing/cycle_sink.h"
#include "util/host_prefetch.h"
#include "util/input_error.h"
#include "workloads/workload_factory.h"

namespace s2sim::sim {

using mmu::Access;
using mmu::gfn_t;
using mmu::ipa_t;

struct Engine::Agent {
  enum class Kind : std::uint8_t { Vcpu, Migration, Host } kind;
  unsigned index = 0;   // vCPU index, else 0
  unsigned core = 0;    // the core in the cache model
  int id = 0;           // position in agents_ (the tie-break)
  std::uint64_t time = 0;
  bool blocked = false, done = false, paused = false;
  std::uint64_t block_start = 0;
  std::uint64_t lock_wait = 0;
};

struct Engine::Vcpu {
  explicit Vcpu(const TlbHierarchyConfig& c) : tlb(c) {}
  TlbHierarchy tlb;
  workloads::GuestOp op{};
  bool has_op = false, ready = false, in_fault = false;
  mmu::FaultKind fault_kind = mmu::FaultKind::None;  // the fault being handled (trace)
  std::uint64_t fault_begin = 0;                     // when it was taken (trace)
  std::uint64_t fault_lock_wait0 = 0;                // the agent's lock_wait then (trace)
  std::uint8_t recent_walks = 0;  // bit i: the access i accesses ago missed the main TLB
  bool idling = false;          // waiting (halted) for a periodic burst since idle_from
  std::uint64_t idle_from = 0;
  unsigned retries = 0;
  std::uint64_t paused_at = 0;
  VcpuStats st;
};

struct Engine::Migration {
  enum class Phase : std::uint8_t { Start, Enable, EnableFlush, Round0, Round, Decide, Send, Pause, Final, FinalSend, Done };
  Phase phase = Phase::Start;
  gfn_t cursor = 0;                       // next page to copy (round 0)
  std::vector<gfn_t> pending;             // pages to send, sorted
  std::size_t send_pos = 0;
  std::unique_ptr<mmu::GetDirtyLog> call;  // the get_dirty_log in progress
  std::uint64_t call_start = 0;
  bool entered = false;              // the call's ioctl entry has been charged
  std::uint64_t lock_wait_seen = 0;  // the agent's lock_wait already put in dl_phases
  // The open get_dirty_log phase segment of the timeline: consecutive steps of one
  // phase make one event.
  int seg_phase = -1;
  std::uint64_t seg_begin = 0, seg_end = 0, seg_steps = 0, seg_dirty_words = 0;
  std::uint64_t send_begin = 0;      // when the current send phase started (timeline)
  RoundStats round;
  std::uint64_t faults_at_round_start = 0, flushes_at_round_start = 0;
  std::uint64_t pause_start = 0;
  std::uint64_t start_cycle = 0;  // when the migration thread began
  bool forced = false;
};

struct Engine::HostAgent {
  std::uint64_t period = 0;
  std::uint64_t rng = 0;
};

namespace {

std::uint64_t splitmix(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Faults one access may take in a row before the engine gives up on it (each handled
// fault changes the tables or the TLBs, so a real access needs two or three).
constexpr unsigned kMaxFaultRetries = 64;

std::uint64_t ms_to_cycles(double ms, double hz) { return static_cast<std::uint64_t>(std::llround(ms * hz / 1000.0)); }

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

// get_dirty_log steps grouped into the phases of the timeline (and of dl_phases).
enum GdlPhase : int { kGdlLock, kGdlWords, kGdlFlush, kGdlUnlock, kGdlSnapshot, kGdlCopyOut };

int gdl_phase(mmu::GetDirtyLog::Step s) {
  using S = mmu::GetDirtyLog::Step;
  switch (s) {
    case S::Word: return kGdlWords;
    case S::Flush: return kGdlFlush;
    case S::UnlockMmu:
    case S::UnlockSlots: return kGdlUnlock;
    case S::Snapshot: return kGdlSnapshot;
    case S::CopyOut: return kGdlCopyOut;
    case S::LockSlots:
    case S::Validate:
    case S::ZeroBuffer:
    case S::LockMmu:
    case S::Done: break;
  }
  return kGdlLock;
}

const char* gdl_phase_name(int phase) {
  switch (phase) {
    case kGdlWords: return "get_dirty_log: words + write-protect";
    case kGdlFlush: return "get_dirty_log: flush";
    case kGdlUnlock: return "get_dirty_log: unlock";
    case kGdlSnapshot: return "get_dirty_log: snapshot";
    case kGdlCopyOut: return "get_dirty_log: copy_to_user";
    default: return "get_dirty_log: enter + lock";
  }
}

}  // namespace

Engine::Engine(const SimConfig& cfg, Timeline* trace) : cfg_(cfg), trace_(trace) {
  mmu::KvmOptions ko;
  ko.geometry = cfg.geometry;
  ko.block_policy = cfg.block_policy;
  kvm_ = std::make_unique<mmu::Kvm>(ko, this);
  for (const auto& m : cfg.memslots) {
    const std::string err = kvm_->memslots.add(m.id, m.base_gfn, m.npages, m.hugepages, cfg.geometry.ipa_bits);
    if (!err.empty()) throw InputError(cfg.file + ": /memslots", err);
  }
  // `populate`: map each such slot the way a guest that has touched all of it would
  // have, through the write-fault path (pages, or 2 MiB blocks for a hugepage slot),
  // before simulated time starts: no cycles, no fault counted.
  for (const auto& m : cfg.memslots) {
    if (!m.populate) continue;
    for (gfn_t gfn = m.base_gfn; gfn < m.base_gfn + m.npages; ++gfn) {
      const ipa_t ipa = gfn << mmu::PAGE_SHIFT;
      if (mmu::translate(kvm_->pgtable, ipa, Access::Write).fault != mmu::FaultKind::None)
        (void)mmu::kvm_handle_guest_abort(*kvm_, ipa, Access::Write);
    }
  }
  slot_ = kvm_->memslots.by_id(cfg.migration.slot);
  walker_ = mmu::make_wp_walker(cfg.dirty_log.walker);
  caches_ = std::make_unique<CacheHierarchy>(cfg.vcpus + 2, cfg.machine.l1d, cfg.machine.l2,
                                             cfg.machine.dram_latency_cycles);

  ops_ = workloads::make_workload(cfg.workload, "/workload", workload_env(cfg));
  ops_ahead_ = std::make_unique<OpLookahead>(*ops_, cfg.vcpus);
  leaf_prefetcher_ = std::make_unique<LeafPrefetcher>(kvm_->pgtable);

  vcpus_.reserve(cfg.vcpus);
  for (unsigned i = 0; i < cfg.vcpus; ++i) {
    vcpus_.emplace_back(cfg.machine.tlb);
    agents_.push_back(Agent{Agent::Kind::Vcpu, i, i, static_cast<int>(i)});
  }
  if (cfg.migration.enabled) {
    mig_ = std::make_unique<Migration>();
    agents_.push_back(Agent{Agent::Kind::Migration, 0, cfg.vcpus, static_cast<int>(agents_.size())});
    agents_.back().time = ms_to_cycles(cfg.migration.start_ms, cfg.machine.clock_hz);
  }
  if (cfg.host.unmap_every_ms > 0) {
    host_ = std::make_unique<HostAgent>();
    host_->period = std::max<std::uint64_t>(1, ms_to_cycles(cfg.host.unmap_every_ms, cfg.machine.clock_hz));
    host_->rng = cfg.seed ^ 0x5157AB1Eull;
    agents_.push_back(Agent{Agent::Kind::Host, 0, cfg.vcpus + 1, static_cast<int>(agents_.size())});
    agents_.back().time = host_->period;
  }
  if (cfg.migration.enabled) {
    src_ = std::make_unique<PageVersions>(slot_->npages, true);
    dst_ = std::make_unique<PageVersions>(slot_->npages, false);
  } else {
    // Nothing is copied or verified: a bit per page counts the distinct pages written.
    written_.assign((slot_->npages + 63) / 64, 0);
  }
  res_.seed = cfg.seed;
  res_.walker = cfg.dirty_log.walker;
  res_.workload = ops_->describe();
  res_.migration_enabled = cfg.migration.enabled;
  res_.verify_enabled = cfg.verify.enabled && cfg.migration.enabled;
  res_.clock_hz = cfg.machine.clock_hz;
  res_.vcpu.resize(cfg.vcpus);
  if (trace_) {
    // One track per agent, tid = the agent's id (its tie-break rank).
    trace_->process_name("s2sim: " + res_.workload);
    for (const Agent& a : agents_) {
      const std::string name = a.kind == Agent::Kind::Vcpu      ? "vCPU " + std::to_string(a.index)
                               : a.kind == Agent::Kind::Migration ? std::string("migration thread")
                                                                  : std::string("host (MMU notifier unmaps)");
      trace_->thread_name(a.id, name, a.id);
    }
  }
}

Engine::~Engine() = default;

// --- TLB maintenance -------------------------------------------------------------

void Engine::flush_remote_tlbs() {
  ++res_.flush_all;
  std::uint64_t dropped = 0;
  for (auto& v : vcpus_) {
    dropped += v.tlb.invalidate_vmid(kvm_->options.vmid);
    ++v.st.flushes_received;
  }
  res_.tlb_entries_invalidated += dropped;
  if (current_) {
    if (trace_)
      trace_->instant(current_->id, "TLBIALLIS", current_->time,
                      {{"request", "kvm_flush_remote_tlbs"}, {"entries_invalidated", dropped}});
    current_->time += cfg_.machine.costs.tlbi_all_is;
  }
}

void Engine::flush_vmid_ipa(ipa_t ipa) {
  ++res_.flush_ipa;
  // ARMv7 has no stage-2 invalidate-by-IPA: __kvm_tlb_flush_vmid_ipa does TLBIALLIS
  // for the whole VMID, so every per-IPA request empties every vCPU's TLB.
  std::uint64_t dropped = 0;
  for (auto& v : vcpus_) {
    dropped += cfg_.machine.tlbi_by_ipa ? v.tlb.invalidate_ipa(kvm_->options.vmid, ipa)
                                        : v.tlb.invalidate_vmid(kvm_->options.vmid);
    ++v.st.flushes_received;
  }
  res_.tlb_entries_invalidated += dropped;
  if (current_) {
    if (trace_)
      trace_->instant(current_->id, cfg_.machine.tlbi_by_ipa ? "TLBI IPAS2E1IS" : "TLBIALLIS", current_->time,
                      {{"request", "kvm_tlb_flush_vmid_ipa"}, {"ipa", ipa}, {"entries_invalidated", dropped}});
    current_->time += cfg_.machine.tlbi_for_ipa_cycles();
  }
}

// --- locks -------------------------------------------------------------------------

bool Engine::take_lock(SimLock& lock, Agent& a) {
  if (lock.owner() == a.id) return true;  // handed over while the agent waited (charged then)
  std::uint64_t owned_at = 0;
  if (!lock.try_acquire(a.id, a.time, &owned_at)) {
    a.blocked = true;
    a.block_start = a.time;
    return false;
  }
  if (owned_at > a.time) {
    // Another agent held it until owned_at inside one of its own steps: this core
    // spun meanwhile and gets the lock the way a queued waiter does, lock_handover
    // after the release (see release_lock). It owns the lock from now on (later
    // arrivals queue behind it), but its step resumes only at that time: run now,
    // the critical section would become visible to agents whose clocks are still
    // before the acquisition.
    const std::uint64_t resume = owned_at + cfg_.machine.costs.lock_handover;
    note_lock_wait(lock, a, a.time, resume);
    a.time = resume;
    return false;
  }
  a.time += cfg_.machine.costs.spin_lock;  // uncontended: the acquire (and the later release)
  return true;
}

void Engine::release_lock(SimLock& lock, Agent& a) {
  const int next = lock.release(a.time);
  if (next == SimLock::kNone) return;
  // Hand-over: the lock line moves to the waiter's core and the waiter wakes up.
  Agent& w = agents_[static_cast<std::size_t>(next)];
  const std::uint64_t resume = std::max(w.time, a.time + cfg_.machine.costs.lock_handover);
  note_lock_wait(lock, w, w.block_start, resume);
  w.time = resume;
  w.blocked = false;
}

void Engine::note_lock_wait(const SimLock& lock, Agent& a, std::uint64_t from, std::uint64_t to) {
  a.lock_wait += to - from;
  if (&lock == &mmu_lock_) res_.mmu_lock_wait += to - from;
  if (trace_ && to > from)
    trace_->complete(a.id, &lock == &mmu_lock_ ? "mmu_lock wait" : "slots_lock wait", from, to);
}

// --- vCPUs -------------------------------------------------------------------------

void Engine::step_vcpu(Agent& a) {
  Vcpu& v = vcpus_[a.index];
  if (pause_requested_ && !v.in_fault && mmu_lock_.owner() != a.id) {
    a.paused = true;
    v.paused_at = a.time;
    if (trace_) trace_->instant(a.id, "paused (vm_stop)", a.time);
    return;
  }
  v.idling = false;
  if (v.in_fault) return vcpu_fault(a, v);
  if (!v.has_op) {
    if (!ops_ahead_->next(a.index, v.op, [&](const workloads::GuestOp& op) { prefetch_op(v, op); })) {
      a.done = true;
      return;
    }
    v.has_op = true;
    v.ready = false;
    v.retries = 0;
  }
  if (!v.ready) {
    // Idle until the op may start (periodic workloads), then think; the access itself
    // is the next step, so that it happens at its own simulated time.
    if (v.op.not_before_cycles > a.time) {
      v.st.idle_cycles += v.op.not_before_cycles - a.time;
      v.idling = true;
      v.idle_from = a.time;
      a.time = v.op.not_before_cycles;
    }
    a.time += v.op.think_cycles;
    v.st.busy_cycles += v.op.think_cycles;
    v.ready = true;
    if (v.op.think_cycles || v.op.not_before_cycles) return;
  }
  vcpu_access(a, v);
}

void Engine::prefetch_op(const Vcpu& v, const workloads::GuestOp& op) {
  const gfn_t gfn = op.ipa >> mmu::PAGE_SHIFT;
  // The page's record is written at the end of a successful write.
  if (op.access == Access::Write && slot_->contains(gfn)) {
    const std::uint64_t rel = gfn - slot_->base_gfn;
    if (src_) src_->prefetch(rel);
    else util::host_prefetch_for_write(&written_[rel / 64]);
  }
  // The leaf descriptor, only while accesses walk: when they hit the TLBs, the walk
  // this prepares does not happen.
  if (v.recent_walks) (void)leaf_prefetcher_->prefetch(op.ipa);
}

void Engine::vcpu_access(Agent& a, Vcpu& v) {
  const auto& costs = cfg_.machine.costs;
  const std::uint16_t vmid = kvm_->options.vmid;
  const ipa_t ipa = v.op.ipa;
  const Access access = v.op.access;
  std::uint64_t cost = 1;  // the access itself, an L1 hit for the data
  bool allowed = false;
  mmu::FaultKind fault = mmu::FaultKind::None;
  const gfn_t gfn = ipa >> mmu::PAGE_SHIFT;

  const TlbLookup hit = v.tlb.lookup(vmid, ipa, access);
  v.recent_walks = static_cast<std::uint8_t>((v.recent_walks << 1) | !hit.hit());
  if (hit.hit()) {
    if (hit.hit_level == TlbHitLevel::Micro) ++v.st.tlb_hits_micro;
    else { ++v.st.tlb_hits_main; cost += costs.micro_tlb_miss_main_hit; }
    allowed = access == Access::Write ? hit.entry.writable : hit.entry.readable;
    if (!allowed) fault = mmu::FaultKind::Permission;
  } else {
    // Main TLB miss: a hardware walk through the cache model, starting below the
    // deepest table descriptor the walk cache holds.
    ++v.st.tlb_misses;
    ++v.st.walks;
    cost += costs.micro_tlb_miss_main_hit;
    WalkCache* wc = v.tlb.walk_cache();
    std::optional<WalkCacheHit> wch = wc ? wc->lookup(vmid, ipa) : std::nullopt;
    const mmu::TranslateResult r = wch && kvm_->pgtable.geometry().ipa_in_range(ipa)
                                       ? mmu::translate_from(kvm_->pgtable, ipa, access, wch->level + 1, wch->next_table)
                                       : mmu::translate(kvm_->pgtable, ipa, access);
    std::uint64_t walk = 0;
    for (unsigned i = 0; i < r.nvisited; ++i) {
      const CacheAccess c = caches_->access(a.core, r.visited[i], false);
      walk += c.cycles + costs.walk_step_overhead;
      ++v.st.walk_loads[static_cast<std::size_t>(r.visited_level[i])];
      ++v.st.walk_loads_where[static_cast<std::size_t>(c.level - 1)];
      if (wc && i + 1 < r.nvisited) wc->insert(vmid, r.visited_level[i], ipa, r.visited[i + 1] & mmu::PAGE_MASK);
    }
    v.st.walk_cycles += walk;
    cost += walk;
    fault = r.fault;
    if (fault == mmu::FaultKind::None) {
      v.tlb.fill(TlbEntry::make(vmid, ipa, r.block_shift, r.pa, r.readable, r.writable), access);
      allowed = true;
    }
  }

  if (fault != mmu::FaultKind::None) {
    // A stage-2 abort: trap to Hyp, exit to the host kernel and back (the paper's
    // "I/O Kernel" round trip, which includes the trap); the handler runs under
    // mmu_lock in the next step; then the access is retried.
    if (fault == mmu::FaultKind::Translation) ++v.st.translation_faults;
    else if (fault == mmu::FaultKind::Permission && access == Access::Write) ++v.st.write_protect_faults;
    else ++v.st.other_faults;
    const std::uint64_t trap = costs.stage2_abort_host;
    v.fault_kind = fault;
    v.fault_begin = a.time + cost;
    v.fault_lock_wait0 = a.lock_wait;
    a.time += cost + trap;
    v.st.busy_cycles += cost + trap;
    v.st.fault_cycles += trap;
    v.in_fault = true;
    return;
  }
  (void)allowed;
  a.time += cost;
  v.st.busy_cycles += cost;
  ++v.st.ops;
  if (access == Access::Write) {
    ++v.st.writes;
    if (slot_->contains(gfn) && first_write(gfn - slot_->base_gfn, a.time)) ++res_.distinct_pages_written;
  } else {
    ++v.st.reads;
  }
  v.has_op = false;
}

void Engine::vcpu_fault(Agent& a, Vcpu& v) {
  // user_mem_abort() under mmu_lock: the acquire (spin_lock when free), the handler's
  // descriptor accesses through this core's caches, the TLB maintenance it requests
  // (charged to this agent by flush_*), fault_handler_work; then the release.
  const std::uint64_t t0 = a.time, wait0 = a.lock_wait;
  if (!take_lock(mmu_lock_, a)) return;
  CycleSink sink(*caches_, a.core);
  current_ = &a;
  const mmu::FaultResult fr = mmu::kvm_handle_guest_abort(*kvm_, v.op.ipa, v.op.access, &sink);
  current_ = nullptr;
  a.time += sink.cycles + cfg_.machine.costs.fault_handler_work;
  release_lock(mmu_lock_, a);
  // Busy time is everything but the wait for the lock (counted in lock_wait).
  const std::uint64_t handled = a.time - t0 - (a.lock_wait - wait0);
  v.st.fault_cycles += handled;
  v.st.busy_cycles += handled;
  v.in_fault = false;
  if (trace_)
    trace_->complete(a.id, fault_event_name(v.fault_kind, v.op.access), v.fault_begin, a.time,
                     {{"ipa", v.op.ipa}, {"outcome", mmu::to_string(fr.outcome)},
                      {"lock_wait_cycles", a.lock_wait - v.fault_lock_wait0}});
  if (fr.outcome == mmu::FaultOutcome::Mmio) {
    // Nothing backs this IPA: an MMIO access, emulated elsewhere; the guest moves on.
    ++v.st.mmio;
    v.has_op = false;
  } else if (++v.retries > kMaxFaultRetries) {
    // The fault path made no progress: a bug in the model, never a property of the
    // guest. The access is dropped, counted, and the run fails verification.
    ++v.st.abandoned;
    v.has_op = false;
  }
}

// --- host agent (MMU notifier unmaps) -------------------------------------------------

void Engine::step_host(Agent& a) {
  if (!take_lock(mmu_lock_, a)) return;
  const std::uint64_t t0 = a.time;
  const gfn_t gfn = slot_->base_gfn + splitmix(host_->rng) % slot_->npages;
  CycleSink sink(*caches_, a.core);
  current_ = &a;
  const bool did = cfg_.host.unmap == "pmd" ? mmu::kvm_unmap_pmd_range(*kvm_, gfn, &sink)
                                            : mmu::kvm_unmap_gfn(*kvm_, gfn, &sink);
  current_ = nullptr;
  res_.host_unmaps += did;
  a.time += sink.cycles;
  release_lock(mmu_lock_, a);
  if (trace_) trace_->complete(a.id, "host unmap", t0, a.time, {{"gfn", gfn}, {"unmapped", did ? 1u : 0u}});
  a.time += host_->period;
}

// --- migration ---------------------------------------------------------------------

std::uint64_t Engine::page_send_cycles() const {
  // Copying a page and sending it overlap in a pipelined sender: the slower sets the
  // pace. The link turns Gbit/s into cycles at the CPU clock.
  const double wire = 4096.0 * 8.0 / (cfg_.migration.link_gbps * 1e9) * cfg_.machine.clock_hz;
  return std::max<std::uint64_t>(cfg_.machine.costs.page_copy, static_cast<std::uint64_t>(std::llround(wire)));
}

bool Engine::first_write(std::uint64_t rel, std::uint64_t now) {
  if (src_) return src_->bump(rel, now);
  std::uint64_t& word = written_[rel / 64];
  const std::uint64_t bit = std::uint64_t{1} << (rel % 64);
  const bool first = !(word & bit);
  word |= bit;
  return first;
}

void Engine::copy_page(Agent& a, gfn_t gfn) {
  const std::uint64_t rel = gfn - slot_->base_gfn;
  dst_->set(rel, src_->get(rel));
  a.time += page_send_cycles();
  ++mig_->round.pages_sent;
}

bool Engine::dirty_log_step(Agent& a) {
  // One step of KVM_GET_DIRTY_LOG. Every cycle a step charges goes to one phase of
  // res_.dl_phases, so that the phases add up to the call's span:
  //   LockSlots   ioctl_entry once per call (entry), then slots_lock: spin_lock (lock)
  //               or the wait until its hand-over (lock_wait)
  //   Validate    free
  //   ZeroBuffer  bitmap_word_scan per word of the buffer (entry)
  //   LockMmu     spin_lock (lock), or the wait until its hand-over (lock_wait)
  //   Word        bitmap_word_scan, + atomic_xchg if the word is not zero (words), + the
  //               walker's descriptor accesses at this core's cache latencies (write_protect)
  //   Flush       tlbi_all_is if anything was dirty (flush)
  //   Unlock*     free (the release is in spin_lock)
  //   Snapshot    bitmap_word_scan + atomic_xchg (snapshot; after_wp order only)
  //   CopyOut     copy_to_user_per_byte per byte of the bitmap (copy_out)
  Migration& m = *mig_;
  mmu::GetDirtyLog& call = *m.call;
  const auto& costs = cfg_.machine.costs;
  GetDirtyLogPhases& ph = res_.dl_phases;
  using S = mmu::GetDirtyLog::Step;
  // A wait that ended in a hand-over was charged between this agent's steps.
  ph.lock_wait += a.lock_wait - m.lock_wait_seen;
  m.lock_wait_seen = a.lock_wait;

  const S step = call.next_step();
  const std::uint64_t t0 = a.time;
  if (trace_ && gdl_phase(step) != m.seg_phase) {
    trace_gdl_segment(a);
    m.seg_phase = gdl_phase(step);
    m.seg_begin = m.seg_end = t0;
  }
  auto charge = [&](std::uint64_t& phase, std::uint64_t cycles) {
    a.time += cycles;
    phase += cycles;
  };
  auto lock = [&](SimLock& l) {
    const std::uint64_t before = a.time, wait0 = a.lock_wait;
    if (!take_lock(l, a)) return false;
    const std::uint64_t waited = a.lock_wait - wait0;
    ph.lock_wait += waited;
    ph.lock += a.time - before - waited;
    m.lock_wait_seen = a.lock_wait;
    return true;
  };
  bool stepped = true;
  switch (step) {
    case S::LockSlots:
      if (!m.entered) {
        charge(ph.entry, costs.ioctl_entry);
        m.entered = true;
      }
      if (!lock(slots_lock_)) { stepped = false; break; }
      call.step();
      break;
    case S::LockMmu:
      if (!lock(mmu_lock_)) { stepped = false; break; }
      call.step();
      break;
    case S::UnlockMmu:
      call.step();
      release_lock(mmu_lock_, a);
      break;
    case S::UnlockSlots:
      call.step();
      release_lock(slots_lock_, a);
      break;
    case S::Word:
    case S::Snapshot: {
      CycleSink sink(*caches_, a.core);
      const CacheCoreStats before = caches_->stats(a.core);
      const auto info = call.step(&sink);
      const CacheCoreStats after = caches_->stats(a.core);
      const bool xchg = info.mask || info.step == S::Snapshot;
      charge(step == S::Word ? ph.words : ph.snapshot, costs.bitmap_word_scan + (xchg ? costs.atomic_xchg : 0));
      charge(ph.write_protect, sink.cycles);
      for (int l = 0; l < 4; ++l) {
        res_.dl_loads[static_cast<std::size_t>(l)] += sink.loads[static_cast<std::size_t>(l)];
        res_.dl_stores[static_cast<std::size_t>(l)] += sink.stores[static_cast<std::size_t>(l)];
      }
      // The migration thread has a core of its own: what its cache counters moved by
      // in this step is the walker's accesses.
      res_.dl_loads_where[0] += after.loads_l1 - before.loads_l1;
      res_.dl_loads_where[1] += after.loads_l2 - before.loads_l2;
      res_.dl_loads_where[2] += after.loads_dram - before.loads_dram;
      res_.dl_stores_where[0] += after.stores_l1 - before.stores_l1;
      res_.dl_stores_where[1] += after.stores_l2 - before.stores_l2;
      res_.dl_stores_where[2] += after.stores_dram - before.stores_dram;
      ++m.seg_steps;
      m.seg_dirty_words += info.mask != 0;
      break;
    }
    case S::Validate:
      call.step();
      break;
    case S::ZeroBuffer:
      charge(ph.entry, slot_->dirty_bitmap->nwords() * costs.bitmap_word_scan);
      call.step();
      break;
    case S::CopyOut:
      charge(ph.copy_out, slot_->dirty_bitmap->bytes() * costs.copy_to_user_per_byte);
      call.step();
      break;
    case S::Flush: {
      const std::uint64_t before = a.time;
      current_ = &a;
      call.step();
      current_ = nullptr;
      ph.flush += a.time - before;  // flush_remote_tlbs charged tlbi_all_is, if it flushed
      break;
    }
    case S::Done:
      break;
  }
  m.seg_end = a.time;
  if (!stepped) return false;
  res_.dl_cycles = ph.work();
  if (call.done() && trace_) {
    trace_gdl_segment(a);
    trace_->complete(a.id, "get_dirty_log", m.call_start, a.time,
                     {{"round", m.round.round}, {"pages_reported", call.pages_reported()}});
  }
  return call.done();
}

void Engine::trace_gdl_segment(Agent& a) {
  // Closes the open phase segment of the get_dirty_log timeline, if any.
  Migration& m = *mig_;
  if (m.seg_phase < 0) return;
  if (m.seg_end > m.seg_begin) {
    if (m.seg_phase == kGdlWords)
      trace_->complete(a.id, gdl_phase_name(m.seg_phase), m.seg_begin, m.seg_end,
                       {{"words", m.seg_steps}, {"dirty_words", m.seg_dirty_words}});
    else
      trace_->complete(a.id, gdl_phase_name(m.seg_phase), m.seg_begin, m.seg_end);
  }
  m.seg_phase = -1;
  m.seg_steps = m.seg_dirty_words = 0;
}

bool Engine::should_stop(unsigned round, std::uint64_t pending) {
  const StopRuleConfig& r = cfg_.migration.stop;
  if (round >= cfg_.migration.max_rounds) {
    mig_->forced = true;
    res_.stop_reason = "max_rounds (" + std::to_string(cfg_.migration.max_rounds) + ") reached";
    return true;
  }
  if (r.kind == "qemu") {
    // QEMU: go on while the pending pages would take longer than the downtime limit at
    // the bandwidth measured over the last round (the link rate before any round).
    double cycles_per_page = static_cast<double>(page_send_cycles());
    if (!res_.rounds.empty() && res_.rounds.back().pages_sent)
      cycles_per_page = static_cast<double>(res_.rounds.back().cycles) / static_cast<double>(res_.rounds.back().pages_sent);
    const double need = static_cast<double>(pending) * cycles_per_page;
    const double limit = r.downtime_limit_ms * cfg_.machine.clock_hz / 1000.0;
    if (need <= limit) {
      res_.stop_reason = "qemu: " + std::to_string(pending) + " pending pages fit the " +
                         std::to_string(static_cast<long long>(r.downtime_limit_ms)) + " ms downtime limit";
      return true;
    }
    return false;
  }
  if (r.kind == "xen") {
    const std::uint64_t prev_sent = res_.rounds.empty() ? UINT64_MAX : res_.rounds.back().pages_sent;
    if (round >= r.max_iterations) {
      mig_->forced = true;
      res_.stop_reason = "xen: " + std::to_string(r.max_iterations) + " iterations";
      return true;
    }
    if (prev_sent < r.min_pages) {
      res_.stop_reason = "xen: fewer than " + std::to_string(r.min_pages) + " pages sent in the last round";
      return true;
    }
    if (static_cast<double>(res_.pages_sent_total) > r.max_factor * static_cast<double>(slot_->npages)) {
      mig_->forced = true;
      res_.stop_reason = "xen: more than " + std::to_string(r.max_factor) + "x memory sent";
      return true;
    }
    return false;
  }
  if (pending <= r.dirty_pages) {
    res_.stop_reason = "threshold: " + std::to_string(pending) + " dirty pages <= " + std::to_string(r.dirty_pages);
    return true;
  }
  if (r.rounds && round >= r.rounds) {
    res_.stop_reason = "threshold: " + std::to_string(r.rounds) + " rounds";
    return true;
  }
  return false;
}

void Engine::finish_round(Agent& a) {
  Migration& m = *mig_;
  m.round.cycles = a.time - m.round.start_cycle;
  std::uint64_t wp_faults = 0;
  for (const auto& v : vcpus_) wp_faults += v.st.write_protect_faults;
  m.round.guest_write_faults = wp_faults - m.faults_at_round_start;
  m.round.tlb_flushes = res_.flush_all + res_.flush_ipa - m.flushes_at_round_start;
  if (trace_) {
    if (m.round.pages_sent)
      trace_->complete(a.id, "send pages", m.send_begin, a.time,
                       {{"round", m.round.round}, {"pages", m.round.pages_sent}});
    const std::string name = "round " + std::to_string(m.round.round) + (m.round.stop_and_copy ? " (stop-and-copy)" : "");
    trace_->complete(a.id, name, m.round.start_cycle, a.time,
                     {{"round", m.round.round}, {"dirty_pages", m.round.dirty_pages},
                      {"pages_sent", m.round.pages_sent}, {"write_protect_faults", m.round.guest_write_faults},
                      {"tlb_flushes", m.round.tlb_flushes}});
    trace_->counter("migration pages", a.time,
                    {{"dirty_pages", m.round.dirty_pages}, {"pages_sent", m.round.pages_sent}});
  }
  res_.pages_sent_total += m.round.pages_sent;
  res_.rounds.push_back(m.round);
  m.round = RoundStats{};
  m.round.round = static_cast<unsigned>(res_.rounds.size());
  m.round.start_cycle = a.time;
  m.faults_at_round_start = wp_faults;
  m.flushes_at_round_start = res_.flush_all + res_.flush_ipa;
}

void Engine::step_migration(Agent& a) {
  Migration& m = *mig_;
  using P = Migration::Phase;
  switch (m.phase) {
    case P::Start:
      m.start_cycle = a.time;
      // KVM_SET_USER_MEMORY_REGION with KVM_MEM_LOG_DIRTY_PAGES, then
      // kvm_mmu_wp_memory_region() under mmu_lock, walked here one 2 MiB at a time.
      a.time += cfg_.machine.costs.ioctl_entry;
      mmu::kvm_start_dirty_logging(*kvm_, slot_->id, cfg_.dirty_log.options.bits_per_long);
      m.cursor = slot_->base_gfn;
      m.round.start_cycle = a.time;
      m.phase = P::Enable;
      break;
    case P::Enable: {
      if (!take_lock(mmu_lock_, a)) return;
      const gfn_t end = std::min<gfn_t>(slot_->end_gfn(), (m.cursor | 511) + 1);
      CycleSink sink(*caches_, a.core);
      mmu::S2Walk w(kvm_->pgtable, &sink, &kvm_->hazards, "enable-logging");
      mmu::WpStats enable_stats;  // kept apart from the get_dirty_log walker's counts
      stage2_wp_range(w, m.cursor << mmu::PAGE_SHIFT, end << mmu::PAGE_SHIFT, enable_stats);
      a.time += sink.cycles;
      m.cursor = end;
      const bool last = m.cursor >= slot_->end_gfn();
      // cond_resched_lock(): with the switch on, let a waiter in between chunks.
      if (last || (cfg_.dirty_log.resched_lock && mmu_lock_.has_waiters())) release_lock(mmu_lock_, a);
      if (last) m.phase = P::EnableFlush;
      break;
    }
    case P::EnableFlush:
      current_ = &a;
      flush_remote_tlbs();
      current_ = nullptr;
      res_.enable_logging_cycles = a.time - m.round.start_cycle;
      if (trace_) trace_->complete(a.id, "enable dirty logging", m.start_cycle, a.time, {{"pages", slot_->npages}});
      m.cursor = slot_->base_gfn;
      m.send_begin = a.time;
      m.phase = P::Round0;
      break;
    case P::Round0: {
      // Round 0 sends every page while the guest runs. A run of pages never written
      // (still version 0, nothing to record) inside one 2 MiB chunk goes in one step.
      const std::uint64_t rel = m.cursor - slot_->base_gfn;
      gfn_t n = 1;
      if (!src_->chunk_touched(rel)) {
        const gfn_t chunk_end = std::min<gfn_t>(slot_->end_gfn(), slot_->base_gfn + ((rel / 512) + 1) * 512);
        n = chunk_end - m.cursor;
        a.time += n * page_send_cycles();
        m.round.pages_sent += n;
      } else {
        copy_page(a, m.cursor);
      }
      m.cursor += n;
      if (m.cursor >= slot_->end_gfn()) {
        m.round.dirty_pages = slot_->npages;
        finish_round(a);
        m.phase = P::Round;
      }
      break;
    }
    case P::Round:
    case P::Final:
      if (!m.call) {
        m.call = std::make_unique<mmu::GetDirtyLog>(*kvm_, slot_->id, *walker_, cfg_.dirty_log.options);
        m.call_start = a.time;
        m.entered = false;
        m.lock_wait_seen = a.lock_wait;
        m.seg_phase = -1;
      }
      if (!dirty_log_step(a)) break;
      {
        ++res_.get_dirty_log_calls;
        res_.pages_reported += m.call->pages_reported();
        res_.wp += m.call->wp_stats();
        m.round.get_dirty_log_cycles += a.time - m.call_start;
        const std::vector<gfn_t> reported = m.call->dirty_gfns();
        if (cfg_.verify.invariants) check_invariants(reported);
        std::vector<gfn_t> merged;
        std::set_union(m.pending.begin(), m.pending.end(), reported.begin(), reported.end(), std::back_inserter(merged));
        m.pending.swap(merged);
        // The round's dirty pages: what is now to be sent. For stop-and-copy that is
        // the union of the last pre-copy report and the final one (a page in both
        // counts once), never more than the slot.
        m.round.dirty_pages = m.pending.size();
        m.call.reset();
        m.send_pos = 0;
        m.send_begin = a.time;
        m.phase = m.phase == P::Final ? P::FinalSend : P::Decide;
      }
      break;
    case P::Decide:
      if (should_stop(m.round.round, m.pending.size())) {
        pause_requested_ = true;
        m.pause_start = a.time;
        m.phase = P::Pause;
      } else {
        m.send_begin = a.time;
        m.phase = P::Send;
      }
      break;
    case P::Send:
    case P::FinalSend:
      if (m.send_pos < m.pending.size()) {
        copy_page(a, m.pending[m.send_pos++]);
        break;
      }
      m.pending.clear();
      if (m.phase == P::FinalSend) {
        m.round.stop_and_copy = true;
        res_.downtime_pages = m.round.pages_sent;
        finish_round(a);
        res_.downtime_cycles = a.time - m.pause_start;
        res_.converged = !m.forced;
        res_.migration_cycles = a.time - m.start_cycle;
        if (res_.verify_enabled) verify();
        m.phase = P::Done;
        a.done = true;
      } else {
        finish_round(a);
        m.phase = P::Round;
      }
      break;
    case P::Pause: {
      // vm_stop(): wait until every vCPU has left the guest.
      std::uint64_t latest = a.time;
      for (const auto& ag : agents_) {
        if (ag.kind != Agent::Kind::Vcpu || ag.done) continue;
        Vcpu& v = vcpus_[ag.index];
        if (!ag.paused && v.idling && v.idle_from <= a.time) {
          // Halted waiting for its next burst: the stop request kicks it out at once.
          v.st.idle_cycles -= ag.time - a.time;
          agents_[static_cast<std::size_t>(ag.id)].time = a.time;
          agents_[static_cast<std::size_t>(ag.id)].paused = true;
          v.paused_at = a.time;
        }
        if (!ag.paused) {
          // Not stopped yet: come back when it has run (it stops at its next step).
          // A vCPU queued for mmu_lock runs no earlier than the lock's owner.
          std::uint64_t runs_at = ag.time;
          if (ag.blocked && mmu_lock_.owner() != SimLock::kNone)
            runs_at = std::max(runs_at, agents_[static_cast<std::size_t>(mmu_lock_.owner())].time);
          a.time = std::max(a.time, runs_at) + 1;
          return;
        }
        latest = std::max(latest, v.paused_at);
      }
      a.time = latest;
      if (trace_) trace_->complete(a.id, "vm_stop", m.pause_start, a.time);
      m.phase = P::Final;
      break;
    }
    case P::Done:
      a.done = true;
      break;
  }
}

void Engine::check_invariants(const std::vector<gfn_t>& reported) {
  // Every page is dirty in the bitmap just returned or in the live bitmap, or else
  // write-protected in the tables with no writable TLB entry for it on any vCPU.
  auto dirty = [&](gfn_t g) {
    return std::binary_search(reported.begin(), reported.end(), g) ||
           slot_->dirty_bitmap->test(g - slot_->base_gfn);
  };
  auto violation = [&](gfn_t g, const std::string& why) {
    ++res_.invariant_violations;
    if (res_.first_invariant_violations.size() < 8)
      res_.first_invariant_violations.push_back("gfn " + std::to_string(g) + ": " + why + " at cycle " +
                                                std::to_string(agents_[static_cast<std::size_t>(vcpus_.size())].time));
  };
  const ipa_t lo = slot_->base_gfn << mmu::PAGE_SHIFT, hi = slot_->end_gfn() << mmu::PAGE_SHIFT;
  kvm_->pgtable.for_each_leaf([&](ipa_t ipa, mmu::level_t level, mmu::phys_addr_t, mmu::S2Desc d) {
    if (!d.writable()) return;
    const ipa_t end = ipa + mmu::Geometry::level_size(level);
    for (ipa_t p = std::max(ipa, lo); p < std::min(end, hi); p += mmu::PAGE_SIZE)
      if (!dirty(p >> mmu::PAGE_SHIFT)) violation(p >> mmu::PAGE_SHIFT, "writable in the tables but not dirty");
  });
  for (std::size_t i = 0; i < vcpus_.size(); ++i) {
    std::vector<TlbEntry> entries = vcpus_[i].tlb.main().entries();
    for (Access acc : {Access::Read, Access::Write})
      if (const Tlb* t = vcpus_[i].tlb.micro(acc)) {
        auto more = t->entries();
        entries.insert(entries.end(), more.begin(), more.end());
      }
    for (const auto& e : entries) {
      if (!e.writable) continue;
      for (ipa_t p = std::max(e.ipa_base(), lo); p < std::min(e.ipa_base() + e.size(), hi); p += mmu::PAGE_SIZE)
        if (!dirty(p >> mmu::PAGE_SHIFT))
          violation(p >> mmu::PAGE_SHIFT, "writable TLB entry on vCPU " + std::to_string(i) + " but not dirty");
    }
  }
}

void Engine::verify() {
  // After stop-and-copy every page at the destination must hold the last version
  // written at the source. A mismatch is a lost write.
  for (std::uint64_t rel = 0; rel < slot_->npages; ++rel) {
    if (!src_->chunk_touched(rel)) {
      rel |= PageVersions::kChunk - 1;  // nothing ever written in this chunk
      continue;
    }
    ++res_.checked_pages;
    const std::uint32_t s = src_->get(rel), d = dst_->get(rel);
    if (s == d) continue;
    ++res_.lost_writes;
    if (res_.first_lost.size() < 10) {
      LostWrite lw{slot_->base_gfn + rel, s, d, src_->last_write(rel), 0};
      for (const auto& r : res_.rounds)
        if (r.start_cycle <= lw.last_write_cycle) lw.round = r.round;
      res_.first_lost.push_back(lw);
    }
  }
  res_.checked_pages = slot_->npages;
}

RunProgress Engine::progress_now(std::uint64_t now) const {
  RunProgress p;
  p.simulated_seconds = static_cast<double>(now) / cfg_.machine.clock_hz;
  const workloads::ReadProgress read = ops_->read_progress();
  if (read.total != 0) p.fraction = std::min(1.0, static_cast<double>(read.done) / static_cast<double>(read.total));
  if (mig_) {
    p.migrating = mig_->phase != Migration::Phase::Start;
    p.round = mig_->round.round;
  }
  return p;
}

RunResult Engine::run(const std::function<void(const RunProgress&)>& progress) {
  std::uint64_t steps = 0;
  for (;;) {
    Agent* next = nullptr;
    for (auto& a : agents_) {
      if (a.done || a.blocked || a.paused) continue;
      if (a.kind == Agent::Kind::Host && (mig_ ? mig_->phase == Migration::Phase::Done : false)) continue;
      if (!next || a.time < next->time) next = &a;  // ties: the lower id, met first
    }
    if (!next) break;
    if (mig_ && mig_->phase == Migration::Phase::Done) break;
    if (!mig_ && next->kind == Agent::Kind::Host) {
      bool vcpus_left = false;
      for (const auto& a : agents_) vcpus_left |= a.kind == Agent::Kind::Vcpu && !a.done;
      if (!vcpus_left) break;
    }
    switch (next->kind) {
      case Agent::Kind::Vcpu: step_vcpu(*next); break;
      case Agent::Kind::Migration: step_migration(*next); break;
      case Agent::Kind::Host: step_host(*next); break;
    }
    if (progress && (++steps & 0xFFFF) == 0) progress(progress_now(next->time));
  }
  for (const auto& a : agents_)
    if (a.blocked) throw std::logic_error("simulation deadlock: an agent waits on a lock nobody releases");

  // Totals.
  std::uint64_t end = 0;
  for (const auto& a : agents_) end = std::max(end, a.time);
  res_.total_cycles = end;
  for (std::size_t i = 0; i < vcpus_.size(); ++i) {
    VcpuStats& s = vcpus_[i].st;
    const Agent& a = agents_[i];
    s.cycles = a.time;
    s.mmu_lock_wait = a.lock_wait;
    if (a.paused) s.paused_cycles = end - vcpus_[i].paused_at;
    res_.ops += s.ops;
    res_.reads += s.reads;
    res_.writes += s.writes;
    res_.tlb_hits += s.tlb_hits_micro + s.tlb_hits_main;
    res_.tlb_misses += s.tlb_misses;
    res_.translation_faults += s.translation_faults;
    res_.write_protect_faults += s.write_protect_faults;
    res_.mmio_aborts += s.mmio;
    res_.abandoned_accesses += s.abandoned;
    res_.vcpu[i] = s;
  }
  for (std::size_t k = 0; k < mmu::kHazardKinds; ++k) res_.hazards[k] = kvm_->hazards.count(static_cast<mmu::HazardKind>(k));
  res_.first_hazards = kvm_->hazards.first();
  res_.trace_lines_skipped = ops_->skipped_lines();
  res_.trace_regions_mapped = ops_->mapped_regions();
  return res_;
}

}  // namespace s2sim::sim
