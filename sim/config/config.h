// A run's configuration: parsed strictly from JSON (every error names the file and
// the JSON pointer), filled with defaults, and written back fully resolved into every
// result so that any run can be replayed from its result file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mmu/dirty_log.h"
#include "mmu/geometry.h"
#include "mmu/kvm.h"
#include "sim/timing/machine.h"
#include "workloads/guest_op.h"

namespace s2sim::sim {

struct MemslotConfig {
  unsigned id = 0;
  mmu::gfn_t base_gfn = 0;
  std::uint64_t npages = 0;
  bool hugepages = false;
  // Map every page of the slot before the run starts, the way the guest touching all
  // of its memory would (KVM's dirty_log_perf_test populates guest memory first).
  bool populate = false;
};

struct DirtyLogConfig {
  std::string walker = "v4";
  mmu::DirtyLogOptions options;
  bool resched_lock = false;  // enable-logging walk drops mmu_lock between pmds when others wait
};

struct StopRuleConfig {
  std::string kind = "qemu";          // "qemu" | "xen" | "threshold"
  double downtime_limit_ms = 300;     // qemu: QEMU's default downtime limit
  std::uint64_t max_iterations = 29;  // xen: libxc's limit
  std::uint64_t min_pages = 50;       // xen: last round when fewer pages were sent
  double max_factor = 3.0;            // xen: or when more than 3x memory was sent
  std::uint64_t dirty_pages = 0;      // threshold: stop when a round reports at most this many
  std::uint64_t rounds = 0;           // threshold: or after this many rounds (0 = no limit)
};

struct MigrationConfig {
  bool enabled = true;
  double link_gbps = 1.0;       // 1 GbE, as in the 2014 test
  double start_ms = 0;          // when the migration thread starts
  unsigned slot = 0;            // memslot migrated
  std::uint64_t max_rounds = 30;  // safety net for every rule: then forced stop-and-copy
  StopRuleConfig stop;
};

struct HostConfig {
  double unmap_every_ms = 0;  // 0: no host unmaps (MMU-notifier activity)
  std::string unmap = "page";  // "page" | "pmd"
};

struct VerifyConfig {
  bool enabled = true;
  bool invariants = false;
};

struct SimConfig {
  std::string file = "<built-in default>";  // for messages
  std::string comment;
  std::uint64_t seed = 1;
  MachineConfig machine;
  mmu::Geometry geometry;
  std::vector<MemslotConfig> memslots;
  unsigned vcpus = 2;
  nlohmann::json workload;  // validated by workloads::make_workload
  std::string base_dir;     // for relative trace paths
  DirtyLogConfig dirty_log;
  mmu::BlockPolicy block_policy = mmu::BlockPolicy::Dissolve;
  MigrationConfig migration;
  HostConfig host;
  VerifyConfig verify;
  std::uint64_t memory_limit_mib = 4096;  // refuse runs estimated above this
};

// The built-in default config (identical to configs/default.json).
const char* default_config_text();

// Parses and validates a config document. `file` names it in messages; `base_dir`
// resolves machine names and trace paths. Throws InputError.
SimConfig parse_config(const nlohmann::json& doc, const std::string& file, const std::string& base_dir);
// Reads and parses a JSON file (or the default when path is empty). Throws InputError.
nlohmann::json load_config_json(const std::string& path);

// Parses JSON text read from `file`; a syntax error or an unrepresentable number
// becomes one InputError naming file:line:column (or the file).
nlohmann::json parse_json_text(const std::string& text, const std::string& file);
// Applies one --set PATH=VALUE override (dotted path or JSON pointer; VALUE is JSON,
// or a bare string). Throws InputError naming the override.
void apply_override(nlohmann::json& doc, const std::string& assignment);
// The fully resolved config as JSON (every default filled in, the machine inline).
nlohmann::json to_json(const SimConfig& cfg);
// What the config's workload needs to know to be built (workloads::make_workload):
// vCPUs, seed, clock, IPA size, the migrated memslot it lives in, where the config
// came from. The engine and every tool that draws the same stream build it here.
workloads::WorkloadEnv workload_env(const SimConfig& cfg);
// Estimated host memory for a run, in bytes (checked against memory_limit_mib).
std::uint64_t estimate_memory_bytes(const SimConfig& cfg);
// The part of it that the machine's caches, TLBs and walk caches take.
std::uint64_t estimate_model_bytes(const SimConfig& cfg);
// Where configs/ lives (for "machine": "cortex-a15" names): S2SIM_CONFIG_DIR, else the
// source tree's configs/ as built.
std::string configs_dir();

}  // namespace s2sim::sim
