// A run's configuration, section by section as the config file has it. The defaults,
// ranges and meanings of every key are in the field tables (config_fields.h), which
// parse_config reads through: the members here start zero or empty, and a SimConfig
// is a runnable config only as parse_config returns it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mmu/dbm.h"
#include "mmu/dirty_log.h"
#include "mmu/geometry.h"
#include "mmu/kvm.h"
#include "mmu/wp_walker.h"
#include "sim/timing/machine.h"

namespace s2sim::sim {

// The most vCPUs a run may have: KVM/arm64 with a GICv3 accepts up to VGIC_V3_MAX_CPUS
// = 512 (include/kvm/arm_vgic.h in recent kernels; 255 in older ones), and the published
// dirty_log_perf_test runs on 2-socket Ampere Altra go up to 152-160 vCPUs.
inline constexpr unsigned kMaxVcpus = 512;

struct MemslotConfig {
  unsigned id = 0;
  mmu::gfn_t base_gfn = 0;
  std::uint64_t npages = 0;
  bool hugepages = false;
  bool populate = false;
};

struct DirtyLogConfig {
  std::string walker;
  // Set by code only, never by a config file: a walker made here instead of the one
  // `walker` names (lab 8 runs a student's plug-in through the whole engine this way).
  std::function<std::unique_ptr<mmu::WpWalker>()> make_walker;
  mmu::DirtyLogOptions options;
  bool resched_lock = false;
  // The dirty-log API the migration thread uses, as QEMU picks it (config_fields.h):
  //   "get"    plain KVM_GET_DIRTY_LOG, which clears and write-protects
  //   "clear"  KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2: GET only snapshots, then
  //            KVM_CLEAR_DIRTY_LOG per chunk of 2^clear_bitmap_shift pages before sending
  //   "ring"   the per-vCPU dirty ring (ACQ_REL + WITH_BITMAP, as arm64 requires)
  std::string api;
  bool initially_set = true;             // clear: KVM_DIRTY_LOG_INITIALLY_SET
  unsigned clear_bitmap_shift = 18;      // clear: QEMU's x-clear-bitmap-shift
  std::uint32_t ring_entries = 4096;     // ring: entries per vCPU
  std::uint64_t eager_split_chunk = 0;   // KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE bytes; 0 = off
  mmu::HwDirty hw_dirty = mmu::HwDirty::None;  // hardware dirty state (mmu/dbm.h)
  std::uint64_t hdbss_bytes = 4096;            // each vCPU's HDBSS buffer (HDBSSBR_EL2.SZ)
};

// The rule that ends pre-copy; only the keys of `kind` are read, the others keep
// their defaults.
struct StopRuleConfig {
  std::string kind;  // "qemu" | "xen" | "threshold"
  double downtime_limit_ms = 0;     // qemu
  std::uint64_t max_iterations = 0;  // xen
  std::uint64_t min_pages = 0;       // xen
  double max_factor = 0;             // xen
  std::uint64_t dirty_pages = 0;     // threshold
  std::uint64_t rounds = 0;          // threshold
};

struct MigrationConfig {
  bool enabled = false;
  double link_gbps = 0;
  double start_ms = 0;
  unsigned slot = 0;
  std::uint64_t max_rounds = 0;
  StopRuleConfig stop;
};

struct HostConfig {
  double unmap_every_ms = 0;
  std::string unmap;  // "page" | "pmd"
};

struct VerifyConfig {
  bool enabled = false;
  bool invariants = false;
};

struct SimConfig {
  std::string file = "<built-in default>";  // for messages
  std::string comment;
  // The keys `--set` changed (PATH of each PATH=VALUE, in order), which the config's
  // comment does not describe; for the report's header, not part of the config
  // document nor of the result JSON (whose resolved config holds the values).
  std::vector<std::string> overrides;
  std::uint64_t seed = 0;
  MachineConfig machine;
  mmu::Geometry geometry;
  std::vector<MemslotConfig> memslots;
  unsigned vcpus = 0;
  // The kernel behaviour profile's name (mmu/kernel_profile.h); the dirty_log keys
  // that a profile decides default to its values (config_fields.h).
  std::string kernel;
  nlohmann::json workload;  // validated by workloads::make_workload
  std::string base_dir;     // for relative trace paths
  DirtyLogConfig dirty_log;
  mmu::BlockPolicy block_policy = mmu::BlockPolicy::Dissolve;  // read under "dirty_log"
  MigrationConfig migration;
  HostConfig host;
  VerifyConfig verify;
  std::uint64_t memory_limit_mib = 0;  // refuse runs estimated above this
};

}  // namespace s2sim::sim
