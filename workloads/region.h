// The keys every synthetic generator shares (ops, pages, first_gfn, write_ratio,
// think_cycles, shared) and the guest-physical region they describe.
#pragma once

#include <cstdint>
#include <string>

#include "mmu/types.h"
#include "util/json_reader.h"
#include "workloads/guest_op.h"

namespace s2sim::workloads {

// Upper bound on `ops` per vCPU: far beyond any run we can simulate, and small
// enough that counters derived from it never overflow.
inline constexpr std::uint64_t kMaxOpsPerVcpu = 10'000'000'000;

// A run of guest frames [first_gfn, first_gfn + npages).
struct Region {
  mmu::gfn_t first_gfn = 0;
  std::uint64_t npages = 0;
  mmu::gfn_t end_gfn() const { return first_gfn + npages; }
};

struct CommonKeys {
  std::uint64_t ops = 0;          // per vCPU
  mmu::gfn_t first_gfn = 0;
  std::uint64_t pages = 0;
  double write_ratio = 1.0;
  std::uint64_t think_cycles = 0;
  bool shared = true;             // false: one equal contiguous partition per vCPU
};

// Reads the common keys (types and ranges only). Defaults: first_gfn = the memslot's
// base; pages = the rest of the memslot from first_gfn (so the whole slot when
// neither is given).
CommonKeys read_common_keys(JsonReader& spec, const WorkloadEnv& env);

// Checks that the region lies inside the memslot (and the IPA space) and, when not
// shared, that every vCPU gets at least one page. Errors name the key at fault.
// Called after JsonReader::reject_unknown() so that a misspelt key is reported
// before the consequences of its default.
void check_region(const JsonReader& spec, const CommonKeys& keys, const WorkloadEnv& env);

// The region vCPU `vcpu` works in. Shared: the whole region. Partitioned: the
// region is cut into `vcpus` contiguous partitions of floor(pages / vcpus) pages,
// vCPU i taking the i-th; the pages % vcpus left at the end are not touched, so
// that every vCPU does the same amount of work over the same size of memory.
Region lane_region(const CommonKeys& keys, unsigned vcpu, unsigned vcpus);

// "0x1f000"-style hexadecimal for messages and descriptions.
std::string hex(std::uint64_t v);

}  // namespace s2sim::workloads
