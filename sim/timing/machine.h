// The machine: clock, TLB and cache geometry, and the named cycle costs of everything
// the simulator charges time for. Loaded from JSON (configs/machines/*.json or an
// inline "machine" object); every value carries the source it came from, and the
// fully resolved machine is written back with each result so a run can be replayed.
//
// JSON shape (every key optional; a missing key takes the Cortex-A15 default, in the
// way ChampSim fills a config; unknown keys are errors with a "did you mean"):
//
//   { "name": "cortex-a15", "comment": "...", "source": "...",
//     "clock": {"hz": 1.7e9, "source": "..."},
//     "tlb": { "micro_load":  {"entries": 32,  "ways": 32, "source": "..."},
//              "micro_store": {"entries": 32,  "ways": 32, "source": "..."},
//              "micro_data":  null,
//              "main":        {"entries": 512, "ways": 4,  "source": "..."},
//              "walk_cache":  {"entries": 16,  "ways": 16, "source": "..."} },
//     "tlbi_by_ipa": {"value": false, "source": "..."},
//     "caches": { "l1d": {"size_kib": 32, "ways": 2, "line_bytes": 64, "latency_cycles": 4, "source": "..."},
//                 "l2":  {"size_kib": 1024, "ways": 16, "line_bytes": 64, "latency_cycles": 21, "source": "..."},
//                 "dram": {"latency_cycles": 208, "source": "..."} },
//     "costs": { "trap_to_hyp": {"cycles": 27, "source": "..."}, ... } }
//
// Shorthands: a cost may be a bare number of cycles, "clock" a bare number of Hz and
// "tlbi_by_ipa" a bare boolean (convenient with --set); a TLB-like structure may be
// null to leave it out ("main" excepted). An object that sets a value but gives no
// "source" records "user-supplied (no source given)". "comment" is allowed in every
// object and ignored; the top-level "source" too.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/timing/cache_model.h"
#include "sim/timing/clock.h"
#include "sim/timing/tlb.h"

namespace s2sim::sim {

// Cycle costs charged by the engine, at the machine's clock. See cost_fields() for a
// one-line description of each, and the machine files for their sources.
struct Costs {
  std::uint64_t micro_tlb_miss_main_hit = 0;
  std::uint64_t walk_step_overhead = 0;
  std::uint64_t trap_to_hyp = 0;
  std::uint64_t stage2_abort_host = 0;
  std::uint64_t fault_handler_work = 0;
  std::uint64_t tlbi_all_is = 0;
  std::uint64_t tlbi_ipa_is = 0;
  std::uint64_t spin_lock = 0;
  std::uint64_t lock_handover = 0;
  std::uint64_t atomic_xchg = 0;
  std::uint64_t bitmap_word_scan = 0;
  std::uint64_t copy_to_user_per_byte = 0;
  std::uint64_t page_copy = 0;
  std::uint64_t ioctl_entry = 0;

  friend bool operator==(const Costs&, const Costs&) = default;
};

// One named cost: its JSON key, the member holding it, and what it covers.
struct CostField {
  const char* name;
  std::uint64_t Costs::*member;
  const char* description;
};
// All costs, in declaration order (drives the loader, to_json and reports).
std::span<const CostField> cost_fields();

struct MachineConfig {
  std::string name;
  double clock_hz = 0;
  TlbHierarchyConfig tlb;
  // Whether the architecture can invalidate stage-2 TLB entries by IPA (ARMv8 TLBI
  // IPAS2E1IS). ARMv7 cannot: every per-IPA flush KVM/ARM asks for is a TLBIALLIS of
  // the whole VMID on all cores.
  bool tlbi_by_ipa = false;
  CacheLevelConfig l1d, l2;
  // Total cost of an access that misses L1 and L2, the L2 lookup included.
  std::uint64_t dram_latency_cycles = 0;
  Costs costs;
  // Where each value comes from, keyed by its JSON pointer relative to the machine
  // object: "/clock", "/tlb/main", "/tlbi_by_ipa", "/caches/l1d", "/caches/dram",
  // "/costs/trap_to_hyp", ... (no entry for a TLB structure that is left out).
  std::map<std::string, std::string> sources;

  // The source recorded for `pointer`, or "" if none.
  std::string source_of(const std::string& pointer) const;
  // Empty if the machine is usable, else what is wrong (the loader reports the same
  // problems with their JSON pointers; this is the check for machines built in code).
  std::string validate() const;

  // What one per-IPA TLB invalidation costs here: by IPA where the architecture has
  // it, else the whole-VMID broadcast that ARMv7 KVM/ARM falls back to.
  std::uint64_t tlbi_for_ipa_cycles() const { return tlbi_by_ipa ? costs.tlbi_ipa_is : costs.tlbi_all_is; }
  Clock clock() const { return Clock(clock_hz); }

  friend bool operator==(const MachineConfig&, const MachineConfig&) = default;
};

// The built-in default: Cortex-A15 (Exynos 5250) running KVM/ARM on ARMv7 LPAE, with
// the same values and sources as configs/machines/cortex-a15.json.
MachineConfig cortex_a15();

// Reads the machine object `obj`, found in `file` at JSON pointer `pointer` ("" for
// the root). Missing keys keep the Cortex-A15 default. Throws InputError naming the
// file and the pointer of the offending value.
MachineConfig load_machine(const nlohmann::json& obj, const std::string& file, const std::string& pointer);

// The fully resolved machine in the loader's shape, sources included:
// load_machine(to_json(m), ...) == m for any loaded machine.
nlohmann::json to_json(const MachineConfig& machine);

}  // namespace s2sim::sim
