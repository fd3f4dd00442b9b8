#include "sim/timing/dvm.h"

#include <algorithm>
#include <array>

namespace s2sim::sim {

namespace {

constexpr std::array<DvmField, 4> kDvmFields = {{
    {"pe_count", &DvmConfig::pe_count, "PEs in the inner-shareable domain that every broadcast TLBI must reach", 4096},
    {"dvm_op_cycles", &DvmConfig::dvm_op_cycles,
     "one broadcast TLBI + DSB ISH on the interconnect, whatever the PE count", 1'000'000'000},
    {"dvm_per_pe_cycles", &DvmConfig::dvm_per_pe_cycles,
     "what each PE adds to a broadcast (its invalidation and acknowledgement)", 1'000'000},
    {"tlbi_local_cycles", &DvmConfig::tlbi_local_cycles, "a non-shareable TLBI + DSB NSH on the issuing PE",
     1'000'000'000},
}};

}  // namespace

std::span<const DvmField> dvm_fields() { return kDvmFields; }

std::uint64_t DvmQueue::broadcast(std::uint64_t now) {
  const std::uint64_t start = std::max(now, free_at_);
  const std::uint64_t busy = cfg_.broadcast_cycles();
  free_at_ = start + busy;
  ++stats_.broadcasts;
  stats_.queued_cycles += start - now;
  stats_.busy_cycles += busy;
  return free_at_;
}

}  // namespace s2sim::sim
