#include "sim/engine/migration_agent.h"

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string>

#include "mmu/dirty_log.h"
#include "sim/engine/hw_dirty.h"
#include "sim/engine/invariant_checker.h"
#include "sim/engine/vcpu_agent.h"

namespace s2sim::sim {

using mmu::gfn_t;

namespace {

std::unique_ptr<mmu::WpWalker> checked_walker(const DirtyLogConfig& d) {
  std::unique_ptr<mmu::WpWalker> w = d.make_walker ? d.make_walker() : mmu::make_wp_walker(d.walker);
  if (!w) throw std::invalid_argument("unknown walker \"" + d.walker + "\"");
  return w;
}

// Copying a page and sending it overlap in a pipelined sender: the slower sets the
// pace. The link turns Gbit/s into cycles at the CPU clock.
std::uint64_t page_send_cycles(const SimConfig& cfg) {
  const std::uint64_t wire = cfg.machine.clock().seconds_to_cycles(4096.0 * 8.0 / (cfg.migration.link_gbps * 1e9));
  return std::max<std::uint64_t>(cfg.machine.costs.page_copy, wire);
}

MigrationAgent::Api api_of(const std::string& name) {
  return name == "clear" ? MigrationAgent::Api::Clear
         : name == "ring" ? MigrationAgent::Api::Ring
                          : MigrationAgent::Api::Get;
}

}  // namespace

MigrationAgent::MigrationAgent(RunContext& ctx, std::vector<Agent>& agents, std::vector<VcpuAgent>& vcpus,
                               RunQueue& queue)
    : ctx_(ctx),
      agents_(agents),
      vcpus_(vcpus),
      queue_(queue),
      walker_(hw_dirty_walker(ctx, checked_walker(ctx.cfg.dirty_log))),
      stop_rule_(make_stop_rule(ctx.cfg.migration.stop, ctx.cfg.machine.clock())),
      page_send_cycles_(page_send_cycles(ctx.cfg)),
      api_(api_of(ctx.cfg.dirty_log.api)) {
  for (const VcpuAgent& v : vcpus_) tlbs_.push_back(&v.tlb());
}

MigrationAgent::~MigrationAgent() = default;

void MigrationAgent::step(Agent& a) {
  using P = Phase;
  switch (phase_) {
    case P::Start:
      start_cycle_ = a.time;
      // Round 0 counts from here: what the guest did before is its warm-up.
      note_warmup(a.time);
      round_.start_cycle = a.time;
      enable_.emplace(ctx_, a);
      phase_ = P::Enable;
      break;
    case P::Enable:
      if (!enable_->step(a)) return;
      // The ioctl that turns logging on to the end of its flush: the span the report,
      // the result JSON and the timeline's "enable dirty logging" all give (what
      // dirty_log_perf_test times as "Enabling dirty logging time").
      ctx_.res.enable_logging_cycles = a.time - start_cycle_;
      if (ctx_.trace)
        ctx_.trace->complete(a.id, "enable dirty logging", start_cycle_, a.time, {{"pages", ctx_.slot.npages}});
      enable_.reset();
      cursor_ = ctx_.slot.base_gfn;
      send_begin_ = a.time;
      phase_ = P::Round0;
      break;
    case P::Round0:
      send_round0_pages(a);
      break;
    case P::Round:
    case P::Final:
      sync_step(a);
      break;
    case P::Decide:
      decide(a);
      break;
    case P::Send:
    case P::FinalSend:
      send_step(a);
      break;
    case P::Pause:
      if (!all_vcpus_stopped(a)) return;
      if (ctx_.trace) ctx_.trace->complete(a.id, "vm_stop", pause_start_, a.time);
      phase_ = P::Final;
      break;
    case P::Done:
      a.done = true;
      break;
  }
}

void MigrationAgent::send_round0_pages(Agent& a) {
  // Round 0 sends every page while the guest runs. A run of pages never written
  // (still version 0, nothing to record) inside one 2 MiB chunk (and one CLEAR chunk)
  // goes in one step.
  if (!serve_rings(a) || !clear_before_send(a, cursor_, true)) return;
  const mmu::Memslot& slot = ctx_.slot;
  const std::uint64_t rel = cursor_ - slot.base_gfn;
  gfn_t n = 1;
  if (!ctx_.pages.chunk_written(rel)) {
    gfn_t chunk_end = std::min<gfn_t>(slot.end_gfn(), slot.base_gfn + ((rel / 512) + 1) * 512);
    if (api_ == Api::Clear) {
      const unsigned shift = ctx_.cfg.dirty_log.clear_bitmap_shift;
      chunk_end = std::min<gfn_t>(chunk_end, slot.base_gfn + (((rel >> shift) + 1) << shift));
    }
    n = chunk_end - cursor_;
    a.time += n * page_send_cycles_;
    round_.pages_sent += n;
  } else {
    copy_page(a, cursor_);
  }
  cursor_ += n;
  if (cursor_ >= slot.end_gfn()) {
    round_.dirty_pages = slot.npages;
    finish_round(a);
    phase_ = Phase::Round;
  }
}

void MigrationAgent::sync_step(Agent& a) {
  if (api_ != Api::Ring) return get_dirty_log_step(a);
  // QEMU's kvm_dirty_ring_reap(); at stop-and-copy the bitmap too (RING_WITH_BITMAP:
  // kvm_log_sync_global with last_stage).
  if (!ring_synced_) {
    if (!ring_collect_step(a)) return;
    ring_synced_ = true;
    if (phase_ == Phase::Round) {
      std::vector<gfn_t> reported;
      reported.swap(collected_);
      ring_synced_ = false;
      return sync_done(a, reported);
    }
  }
  get_dirty_log_step(a);
}

void MigrationAgent::get_dirty_log_step(Agent& a) {
  if (!call_) call_.emplace(ctx_, *walker_, a);
  if (!call_->step(a, round_.round)) return;
  RunResult& res = ctx_.res;
  const mmu::GetDirtyLog& call = call_->call();
  ++res.get_dirty_log_calls;
  res.pages_reported += call.pages_reported();
  res.wp += call.wp_stats();
  round_.get_dirty_log_cycles += a.time - call_->start();
  std::vector<gfn_t> reported = call.dirty_gfns();
  call_.reset();
  if (api_ == Api::Ring) {
    std::vector<gfn_t> merged;
    std::set_union(reported.begin(), reported.end(), collected_.begin(), collected_.end(), std::back_inserter(merged));
    reported.swap(merged);
    collected_.clear();
    ring_synced_ = false;
  }
  sync_done(a, reported);
}

void MigrationAgent::sync_done(Agent& a, const std::vector<gfn_t>& reported) {
  if (ctx_.cfg.verify.invariants) check_invariant(a.time, reported);
  std::vector<gfn_t> merged;
  std::set_union(pending_.begin(), pending_.end(), reported.begin(), reported.end(), std::back_inserter(merged));
  pending_.swap(merged);
  // The round's dirty pages: what is now to be sent. For stop-and-copy that is the
  // union of the last pre-copy report and the final one (a page in both counts
  // once), never more than the slot.
  round_.dirty_pages = pending_.size();
  send_pos_ = 0;
  clear_next_chunk_ = 0;
  send_begin_ = a.time;
  phase_ = phase_ == Phase::Final ? Phase::FinalSend : Phase::Decide;
}

void MigrationAgent::decide(Agent& a) {
  const RunResult& res = ctx_.res;
  const MigrationProgress progress{round_.round, pending_.size(), &res.rounds, res.pages_sent_total,
                                   ctx_.slot.npages, page_send_cycles_};
  const StopDecision d = decide_stop(*stop_rule_, ctx_.cfg.migration.max_rounds, progress);
  if (!d.stop) {
    send_begin_ = a.time;
    phase_ = Phase::Send;
    return;
  }
  // A guest whose every vCPU ran out of work stops dirtying memory: whatever the rule
  // says then, the migration did not converge.
  ctx_.res.stop_reason = guest_finished() ? kStopGuestFinished : d.kind;
  ctx_.res.stop_detail = d.reason;
  ctx_.pause_requested = true;
  pause_start_ = a.time;
  phase_ = Phase::Pause;
}

void MigrationAgent::send_step(Agent& a) {
  if (send_pos_ < pending_.size()) {
    if (!serve_rings(a) || !clear_before_send(a, pending_[send_pos_], false)) return;
    copy_page(a, pending_[send_pos_++]);
    return;
  }
  pending_.clear();
  if (phase_ != Phase::FinalSend) {
    finish_round(a);
    phase_ = Phase::Round;
    return;
  }
  RunResult& res = ctx_.res;
  round_.stop_and_copy = true;
  res.downtime_pages = round_.pages_sent;
  finish_round(a);
  res.downtime_cycles = a.time - pause_start_;
  res.converged = res.stop_reason == kStopConverged;
  res.migration_cycles = a.time - start_cycle_;
  if (res.verify_enabled) ctx_.pages.verify(ctx_.slot, res);
  phase_ = Phase::Done;
  a.done = true;
}

void MigrationAgent::note_warmup(std::uint64_t now) {
  // The vCPUs counted the faults they took before `now` (by when each was taken);
  // the flushes so far are the warm-up's.
  WarmupStats& w = ctx_.res.warmup;
  w.cycles = now;
  flushes_at_round_start_ = ctx_.shootdown.stats();
  w.tlb_flushes = flushes_at_round_start_.requests();
  faults_at_round_start_ = w.write_protect_faults;
}

bool MigrationAgent::guest_finished() const {
  for (const Agent& ag : agents_)
    if (ag.kind == Agent::Kind::Vcpu && !ag.done) return false;
  return true;
}

bool MigrationAgent::all_vcpus_stopped(Agent& a) {
  // vm_stop(): wait until every vCPU has left the guest.
  std::uint64_t latest = a.time;
  for (Agent& ag : agents_) {
    if (ag.kind != Agent::Kind::Vcpu || ag.done) continue;
    VcpuAgent& v = vcpus_[ag.index];
    // Halted waiting for its next burst: the stop request kicks it out at once.
    v.kick_if_halted(ag, a.time);
    if (!ag.paused) {
      // Not stopped yet: come back when it has run (it stops at its next step).
      // A vCPU queued for mmu_lock runs no earlier than the lock's holders.
      std::uint64_t runs_at = ag.time;
      if (ag.blocked)
        for (const int h : ctx_.locks.mmu_lock.holders())
          runs_at = std::max(runs_at, agents_[static_cast<std::size_t>(h)].time);
      a.time = std::max(a.time, runs_at) + 1;
      return false;
    }
    latest = std::max(latest, v.paused_at());
  }
  a.time = latest;
  return true;
}

bool MigrationAgent::clear_before_send(Agent& a, gfn_t gfn, bool whole_chunk) {
  if (api_ != Api::Clear) return true;
  const mmu::Memslot& slot = ctx_.slot;
  const unsigned shift = ctx_.cfg.dirty_log.clear_bitmap_shift;
  const std::uint64_t chunk = (gfn - slot.base_gfn) >> shift;
  if (!clear_) {
    if (chunk < clear_next_chunk_) return true;
    // QEMU hands back the bits it collected for the chunk: all of them in round 0
    // (its bitmap starts all dirty), else the pages the last sync reported in it.
    const std::uint64_t first = chunk << shift;
    const std::uint64_t num = std::min<std::uint64_t>(std::uint64_t{1} << shift, slot.npages - first);
    mmu::ClearDirtyLogArgs args;
    if (whole_chunk) {
      args.slot = slot.id;
      args.first_page = first;
      args.num_pages = num;
      args.bitmap.assign((num + 63) / 64, ~std::uint64_t{0});
      if (num % 64) args.bitmap.back() = (std::uint64_t{1} << (num % 64)) - 1;
    } else {
      const auto lo = std::lower_bound(pending_.begin(), pending_.end(), slot.base_gfn + first);
      const auto hi = std::lower_bound(lo, pending_.end(), slot.base_gfn + first + num);
      args = mmu::clear_args_for(slot, first, num, std::vector<gfn_t>(lo, hi));
    }
    clear_.emplace(ctx_, *walker_, std::move(args), a);
  }
  if (!clear_->step(a)) return false;
  clear_.reset();
  clear_next_chunk_ = chunk + 1;
  if (ctx_.cfg.verify.invariants) check_invariant(a.time, pending_);
  return true;
}

bool MigrationAgent::serve_rings(Agent& a) {
  if (api_ != Api::Ring) return true;
  if (!ring_ && !any_vcpu_ring_full(agents_, vcpus_)) return true;
  (void)ring_collect_step(a);  // the collection takes this step; sending resumes after it
  return false;
}

bool MigrationAgent::ring_collect_step(Agent& a) {
  if (!ring_) ring_.emplace(ctx_, *walker_, a);
  if (!ring_->step(a)) return false;
  const std::vector<gfn_t>& got = ring_->harvested();
  std::vector<gfn_t> merged;
  std::set_union(collected_.begin(), collected_.end(), got.begin(), got.end(), std::back_inserter(merged));
  collected_.swap(merged);
  ring_.reset();
  wake_vcpus_after_ring_reset(agents_, vcpus_, queue_, a.time);
  // (A sync checks once it has all it reports: sync_done.)
  if (ctx_.cfg.verify.invariants && phase_ != Phase::Round && phase_ != Phase::Final) {
    std::vector<gfn_t> known;
    std::set_union(collected_.begin(), collected_.end(), pending_.begin() + static_cast<std::ptrdiff_t>(send_pos_),
                   pending_.end(), std::back_inserter(known));
    check_invariant(a.time, known);
  }
  return true;
}

void MigrationAgent::check_invariant(std::uint64_t now, const std::vector<gfn_t>& known) {
  check_dirty_log_invariant(ctx_.kvm, ctx_.slot, known, tlbs_, now, ctx_.res);
}

void MigrationAgent::copy_page(Agent& a, gfn_t gfn) {
  ctx_.pages.copy(gfn - ctx_.slot.base_gfn);
  a.time += page_send_cycles_;
  ++round_.pages_sent;
}

std::uint64_t MigrationAgent::write_protect_faults() const {
  std::uint64_t n = 0;
  for (const VcpuAgent& v : vcpus_) n += v.stats().write_protect_faults;
  return n;
}

void MigrationAgent::finish_round(Agent& a) {
  RunResult& res = ctx_.res;
  round_.cycles = a.time - round_.start_cycle;
  const std::uint64_t wp_faults = write_protect_faults();
  const TlbShootdownStats flushes = ctx_.shootdown.stats();
  round_.guest_write_faults = wp_faults - faults_at_round_start_;
  round_.tlb_flushes = (flushes - flushes_at_round_start_).requests();
  round_.api = res.api - api_at_round_start_;
  if (Timeline* trace = ctx_.trace) {
    if (round_.pages_sent)
      trace->complete(a.id, "send pages", send_begin_, a.time, {{"round", round_.round}, {"pages", round_.pages_sent}});
    const std::string name = "round " + std::to_string(round_.round) + (round_.stop_and_copy ? " (stop-and-copy)" : "");
    trace->complete(rounds_track(agents_.size()), name, round_.start_cycle, a.time,
                    {{"round", round_.round}, {"dirty_pages", round_.dirty_pages},
                     {"pages_sent", round_.pages_sent}, {"write_protect_faults", round_.guest_write_faults},
                     {"tlb_flushes", round_.tlb_flushes}});
    trace->counter("migration pages", a.time, {{"dirty_pages", round_.dirty_pages}, {"pages_sent", round_.pages_sent}});
  }
  res.pages_sent_total += round_.pages_sent;
  res.rounds.push_back(round_);
  round_ = RoundStats{};
  round_.round = static_cast<unsigned>(res.rounds.size());
  round_.start_cycle = a.time;
  faults_at_round_start_ = wp_faults;
  flushes_at_round_start_ = flushes;
  api_at_round_start_ = res.api;
}

}  // namespace s2sim::sim
