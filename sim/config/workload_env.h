// What a config's workload needs to know to be built (workloads::make_workload).
#pragma once

#include "sim/config/sim_config.h"
#include "workloads/guest_op.h"

namespace s2sim::sim {

// vCPUs, seed, clock, IPA size, the migrated memslot the workload lives in, where the
// config came from. The engine and every tool that draws the same stream build it here.
workloads::WorkloadEnv workload_env(const SimConfig& cfg);

}  // namespace s2sim::sim
