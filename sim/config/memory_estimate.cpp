#include "sim/config/memory_estimate.h"

#include <algorithm>

#include "workloads/trace_demux.h"

namespace s2sim::sim {

namespace {

// Each workload (a phases workload and every phase in it) holds its spec, its
// description and a lane per vCPU: measured, 50,000 phases of 64 vCPUs take 455 MiB,
// about 1 KiB + 140 bytes a vCPU each. A trace's demultiplexer may also queue up to
// read_ahead_ops operations (workloads/trace_demux.h), each a GuestOp in a deque:
// about 48 bytes. Nesting is bounded by util/strict_json.h's depth limit.
std::uint64_t workload_bytes(const nlohmann::json& spec, unsigned vcpus) {
  if (!spec.is_object()) return 0;
  std::uint64_t bytes = 1024 + std::uint64_t{160} * vcpus;
  if (spec.contains("kind") && spec["kind"] == "trace") {
    std::uint64_t ops = workloads::kDefaultReadAheadOps;
    if (spec.contains("read_ahead_ops") && spec["read_ahead_ops"].is_number_unsigned())
      ops = spec["read_ahead_ops"].get<std::uint64_t>();
    bytes += ops > (UINT64_MAX >> 8) ? UINT64_MAX >> 2 : ops * 48;
  }
  if (spec.contains("phases") && spec["phases"].is_array())
    for (const auto& phase : spec["phases"]) bytes = std::min(UINT64_MAX >> 2, bytes + workload_bytes(phase, vcpus));
  return bytes;
}


// Every cache line costs its tag, fingerprint and two LRU links (20 bytes); every
// TLB or walk-cache entry its entry, fingerprint and links (about 40).
constexpr std::uint64_t kLineBytes = 20, kTlbEntryBytes = 40;
// A vCPU agent: its VcpuAgent (state, current op, statistics), its scheduling entry
// and its share of the op look-ahead; a generous round figure.
constexpr std::uint64_t kVcpuAgentBytes = 4096;

std::uint64_t slot_bytes(const SimConfig& cfg) {
  // Per slot, always: estimate_slot_bytes.
  // Per page written: dense, 8 bytes of pte plus its share of table frames, 4 of
  // source version, 4 of last-write time and 4 of destination version; sparse, each
  // written page may pull in a whole host page of version records and a pte table
  // (~12 KiB with what surrounds them).
  // A generator's writes are bounded by ops x vCPUs; a trace's are not known.
  std::uint64_t pages = 0, fixed = std::uint64_t{64} << 20;
  bool populated = false;
  for (const auto& m : cfg.memslots) {
    pages += m.npages;
    populated |= m.populate;
    fixed += estimate_slot_bytes(m.npages);
  }
  std::uint64_t touched = pages;
  // Compare with == rather than value("kind", ""): a non-string kind must reach the
  // workload factory's error, not throw a type_error here.
  if (!populated && cfg.workload.is_object() && !(cfg.workload.contains("kind") && cfg.workload["kind"] == "trace") &&
      cfg.workload.contains("ops") &&
      cfg.workload["ops"].is_number_unsigned()) {
    const std::uint64_t ops = cfg.workload["ops"].get<std::uint64_t>();
    if (ops < pages / cfg.vcpus) touched = ops * cfg.vcpus;
  }
  const std::uint64_t dense = pages * 20;
  const std::uint64_t sparse = touched > UINT64_MAX / 12288 ? UINT64_MAX : touched * 12288;
  return fixed + std::min(dense, sparse);
}

}  // namespace

std::uint64_t estimate_workload_bytes(const SimConfig& cfg) { return workload_bytes(cfg.workload, cfg.vcpus); }

std::uint64_t estimate_slot_bytes(std::uint64_t npages) {
  // Measured: a 2^30-page slot with a thousand writes peaks at 850 MiB resident, about
  // 0.75 byte a page (dirty bitmap and its snapshot, the migration's bitmaps, chunk
  // tables) beside the 24 bytes of each 2 MiB chunk's bookkeeping.
  return npages / 4 * 3 + (npages / 512 + 1) * 24;
}

std::uint64_t estimate_model_bytes(const SimConfig& cfg) {
  const MachineConfig& m = cfg.machine;
  return (m.l1d.lines() * 2 + m.l2.lines()) * kLineBytes;
}

std::uint64_t estimate_vcpu_bytes(const SimConfig& cfg) {
  const MachineConfig& m = cfg.machine;
  std::uint64_t entries = m.tlb.main.entries;
  for (const auto* t : {&m.tlb.micro_load, &m.tlb.micro_store, &m.tlb.micro_data, &m.tlb.walk_cache})
    if (*t) entries += (*t)->entries;
  return cfg.vcpus * (m.l1d.lines() * kLineBytes + entries * kTlbEntryBytes + kVcpuAgentBytes);
}

std::string estimate_blame(const SimConfig& cfg) {
  const std::uint64_t slots = slot_bytes(cfg), model = estimate_model_bytes(cfg), vcpus = estimate_vcpu_bytes(cfg),
                      workload = estimate_workload_bytes(cfg);
  if (workload >= slots && workload >= model && workload >= vcpus) return "/workload";
  if (model >= slots && model >= vcpus) return "/machine";
  return vcpus > slots ? "/vcpus" : "/memslots";
}

std::uint64_t estimate_memory_bytes(const SimConfig& cfg) {
  return slot_bytes(cfg) + estimate_model_bytes(cfg) + estimate_vcpu_bytes(cfg) + estimate_workload_bytes(cfg);
}

}  // namespace s2sim::sim
