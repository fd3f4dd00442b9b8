// The built-in kinds, one registration function per file.
//
// They are called explicitly from workload_registry() rather than from static
// registrar objects in each file: the layer is a static library, and the linker
// drops any object file nothing refers to — a self-registering generator would
// silently vanish from every executable that does not mention it by name.
#pragma once

#include "workloads/workload_factory.h"

namespace s2sim::workloads {

void register_sequential_workload(WorkloadRegistry& registry);
void register_uniform_workload(WorkloadRegistry& registry);
void register_zipf_workload(WorkloadRegistry& registry);
void register_hotset_workload(WorkloadRegistry& registry);
void register_pmd_crossing_workload(WorkloadRegistry& registry);
void register_periodic_workload(WorkloadRegistry& registry);
void register_phases_workload(WorkloadRegistry& registry);
void register_trace_workload(WorkloadRegistry& registry);
void register_memstress_workload(WorkloadRegistry& registry);

}  // namespace s2sim::workloads
