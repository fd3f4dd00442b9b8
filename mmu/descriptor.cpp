#include "mmu/descriptor.h"

#include <cstdio>

namespace s2sim::mmu {

const char* to_string(DescType t) {
  switch (t) {
    case DescType::Invalid: return "invalid";
    case DescType::Table: return "table";
    case DescType::Block: return "block";
    case DescType::Page: return "page";
  }
  return "?";
}

const char* s2ap_name(unsigned s2ap) {
  switch (s2ap & 3) {
    case desc::S2AP_NONE: return "none";
    case desc::S2AP_RO: return "read-only";
    case desc::S2AP_WO: return "write-only";
    default: return "read/write";
  }
}

const char* sh_name(unsigned sh) {
  switch (sh & 3) {
    case desc::SH_NON: return "non-shareable";
    case 0b01: return "unpredictable (0b01)";
    case desc::SH_OUTER: return "outer shareable";
    default: return "inner shareable";
  }
}

// Stage-2 MemAttr[3:2] selects device or normal memory; for normal memory [3:2] is the
// outer and [1:0] the inner cacheability (ARM ARM B3.6.2, "Stage 2 memory region type").
// The names are ARMv7's: 0b0000 Strongly-ordered, 0b0001 Device, 0b0010 and 0b0011
// UNPREDICTABLE (ARMv8 later named these Device-nGnRnE, -nGnRE, -nGRE and -GRE).
std::string memattr_name(unsigned memattr) {
  memattr &= 0xF;
  const unsigned outer = memattr >> 2, inner = memattr & 3;
  if (outer == 0) {
    static const char* const dev[] = {"strongly-ordered", "device", "unpredictable (device, 0b10)",
                                      "unpredictable (device, 0b11)"};
    return dev[inner];
  }
  static const char* const cache[] = {"", "non-cacheable", "write-through", "write-back"};
  if (inner == 0) return "unpredictable (normal, inner 0b00)";
  if (outer == inner) return std::string("normal ") + cache[outer];
  return std::string("normal outer ") + cache[outer] + ", inner " + cache[inner];
}

DecodedDesc decode(S2Desc d, level_t level, unsigned pa_bits) {
  DecodedDesc out;
  out.raw = d.raw;
  out.level = level;
  out.type = d.type(level);
  const std::uint64_t oa_mask = pa_bits >= 48 ? desc::OA_MASK_48 : desc::OA_MASK_40;
  out.output_address = d.output_address(oa_mask);
  out.memattr = d.memattr();
  out.s2ap = d.s2ap();
  out.sh = d.sh();
  out.af = d.af();
  out.contiguous = d.contiguous();
  out.xn = d.xn();
  out.dbm = d.dbm();
  if (pa_bits < 48) out.res0_violation = d.raw & (desc::OA_MASK_48 & ~desc::OA_MASK_40);
  // A block's output address must be aligned to the block size; the low bits of the
  // address field are RES0 (1 GiB at level 1, 2 MiB at level 2).
  if (out.type == DescType::Block) {
    const unsigned shift = level == 1 ? 30 : 21;
    const std::uint64_t low = out.output_address & ((std::uint64_t{1} << shift) - 1);
    out.res0_violation |= low;
    out.output_address &= ~((std::uint64_t{1} << shift) - 1);
  }
  return out;
}

}  // namespace s2sim::mmu
