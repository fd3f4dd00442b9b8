#include "sim/config/memory_estimate.h"

#include <algorithm>

namespace s2sim::sim {

namespace {

// Every cache line costs its tag, fingerprint and two LRU links (20 bytes); every
// TLB or walk-cache entry its entry, fingerprint and links (about 40).
constexpr std::uint64_t kLineBytes = 20, kTlbEntryBytes = 40;
// A vCPU agent: its VcpuAgent (state, current op, statistics), its scheduling entry
// and its share of the op look-ahead; a generous round figure.
constexpr std::uint64_t kVcpuAgentBytes = 4096;

std::uint64_t slot_bytes(const SimConfig& cfg) {
  // Per slot, always: the dirty bitmap and its snapshot buffer (2 bits a page) and the
  // per-2 MiB bookkeeping (backing chunk, source and destination version chunks).
  // Per page written: dense, 8 bytes of pte plus its share of table frames, 4 of
  // source version, 4 of last-write time and 4 of destination version; sparse, each
  // written page may pull in a whole 512-page version chunk and pte table (~12 KiB).
  // A generator's writes are bounded by ops x vCPUs; a trace's are not known.
  std::uint64_t pages = 0, fixed = std::uint64_t{64} << 20;
  bool populated = false;
  for (const auto& m : cfg.memslots) {
    pages += m.npages;
    populated |= m.populate;
    fixed += m.npages / 4 + (m.npages / 512 + 1) * 24;
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
  const std::uint64_t slots = slot_bytes(cfg), model = estimate_model_bytes(cfg), vcpus = estimate_vcpu_bytes(cfg);
  if (model >= slots && model >= vcpus) return "/machine";
  return vcpus > slots ? "/vcpus" : "/memslots";
}

std::uint64_t estimate_memory_bytes(const SimConfig& cfg) {
  return slot_bytes(cfg) + estimate_model_bytes(cfg) + estimate_vcpu_bytes(cfg);
}

}  // namespace s2sim::sim
