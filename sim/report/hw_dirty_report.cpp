#include "sim/report/hw_dirty_report.h"

#include <cmath>

#include "sim/timing/clock.h"

namespace s2sim::sim {

nlohmann::json hw_dirty_json(const HwDirtyStats& st, mmu::HwDirty mode, double clock_hz) {
  const auto ms = [&](std::uint64_t cycles) { return std::round(Clock(clock_hz).ms(cycles) * 1e6) / 1e6; };
  nlohmann::json j = {{"mode", mmu::to_string(mode)},
          {"vtcr_el2_bits", mmu::vtcr_hw_bits(mode)},
          {"hw_updates", st.hw_updates},
          {"hw_update_cycles", st.hw_update_cycles},
          {"syncs", st.syncs},
          {"sync_cycles", st.sync_cycles},
          {"sync_ms", ms(st.sync_cycles)},
          {"ptes_scanned", st.ptes_scanned},
          {"ptes_cleaned", st.ptes_cleaned},
          {"blocks_protected", st.blocks_protected},
          {"hdbss_appends", st.hdbss_appends},
          {"hdbss_full_traps", st.hdbss_full_traps},
          {"hdbss_drained", st.hdbss_drained}};
  if (mode == mmu::HwDirty::Hacdbs) {
    j["hacdbs_rounds"] = st.hacdbs_rounds;
    j["hacdbs_entries"] = st.hacdbs_entries;
    j["hacdbs_cleaned"] = st.hacdbs_cleaned;
    j["hacdbs_already_clean"] = st.hacdbs_already_clean;
    j["hacdbs_errors"] = st.hacdbs_errors;
    j["hacdbs_fallback_pages"] = st.hacdbs_fallback_pages;
    j["hacdbs_cycles"] = st.hacdbs_cycles;
    j["hacdbs_ms"] = ms(st.hacdbs_cycles);
  }
  return j;
}

}  // namespace s2sim::sim
