// The result's "hw_dirty" member (written only when dirty_log.hw_dirty is not "none",
// so that every result made without it stays as it was).
#pragma once

#include <nlohmann/json.hpp>

#include "mmu/dbm.h"
#include "sim/engine/hw_dirty_stats.h"

namespace s2sim::sim {

nlohmann::json hw_dirty_json(const HwDirtyStats& st, mmu::HwDirty mode, double clock_hz);

}  // namespace s2sim::sim
