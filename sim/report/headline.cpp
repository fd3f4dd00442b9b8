#include "sim/report/headline.h"

namespace s2sim::sim {

namespace {

using nlohmann::json;

// Cycles at `ptr` in milliseconds of the run's clock.
json cycles_ms(const json& r, const char* ptr) {
  const auto c = number_at(r, ptr), hz = number_at(r, "/cycles/clock_hz");
  if (!c || !hz || *hz <= 0) return nullptr;
  return *c * 1000.0 / *hz;
}

json at(const json& r, const char* ptr) {
  const auto v = number_at(r, ptr);
  return v ? json(*v) : json(nullptr);
}

}  // namespace

std::optional<double> number_at(const json& doc, const char* ptr) {
  const json::json_pointer p(ptr);
  if (!doc.is_object() || !doc.contains(p)) return std::nullopt;
  const json& v = doc.at(p);
  if (!v.is_number()) return std::nullopt;
  return v.get<double>();
}

const std::vector<HeadlineMetric>& headline_metrics() {
  static const std::vector<HeadlineMetric> metrics{
      {"total_ms", "simulated time", "ms", "the run's length in simulated time", true, 3},
      {"rounds", "rounds", "", "migration rounds, stop-and-copy included", false, 0},
      {"pages_sent_total", "pages sent", "pages", "pages copied to the destination, every round", true, 0},
      {"downtime_ms", "downtime", "ms", "stop-and-copy: the guest paused", true, 3},
      {"stop_reason", "stop reason", "", "why pre-copy stopped (converged, rounds_limit, data_limit, guest_finished)", false, 0},
      {"dirty_log_ms", "get_dirty_log", "ms", "the walker's and get_dirty_log's own work, every call", true, 3},
      {"upper_level_loads", "upper-level loads", "loads", "descriptor loads above the pte level by the walker", true, 0},
      {"wp_faults", "wp faults", "faults", "write-protect faults taken by the guest", true, 0},
      {"tlb_hit_rate", "TLB hit rate", "%", "guest accesses that hit a TLB", false, 2},
      {"mmu_lock_wait_ms", "mmu_lock wait", "ms", "time agents waited for mmu_lock", true, 3},
      {"lost_writes", "lost writes", "", "pages whose last write the destination lacks", false, 0},
      {"hazards", "hazards", "", "descriptor accesses a walker made where it must not", false, 0},
      {"host_s", "host time", "s", "host seconds the run took", false, 2},
  };
  return metrics;
}

json headline_value(const HeadlineMetric& m, const json& r) {
  if (!r.is_object()) return nullptr;
  const std::string& k = m.key;
  if (k == "total_ms") return cycles_ms(r, "/cycles/total");
  if (k == "rounds") {
    const json::json_pointer p("/migration/rounds");
    return r.contains(p) && r.at(p).is_array() ? json(r.at(p).size()) : json(nullptr);
  }
  if (k == "pages_sent_total") return at(r, "/migration/pages_sent_total");
  if (k == "downtime_ms") return cycles_ms(r, "/migration/downtime_cycles");
  if (k == "stop_reason") {
    const json::json_pointer p("/migration/stop_reason");
    return r.contains(p) && r.at(p).is_string() ? r.at(p) : json(nullptr);
  }
  if (k == "dirty_log_ms") return cycles_ms(r, "/dirty_log/cycles");
  if (k == "upper_level_loads") return at(r, "/dirty_log/upper_level_loads");
  if (k == "wp_faults") return at(r, "/faults/write_protect");
  if (k == "tlb_hit_rate") {
    const auto h = number_at(r, "/tlb/hits"), mi = number_at(r, "/tlb/misses");
    if (!h || !mi) return nullptr;
    return *h + *mi > 0 ? 100.0 * *h / (*h + *mi) : 0.0;
  }
  if (k == "mmu_lock_wait_ms") return cycles_ms(r, "/cycles/mmu_lock_wait");
  if (k == "lost_writes") return at(r, "/verify/lost_writes");
  if (k == "hazards") {
    const json::json_pointer p("/verify/hazards");
    if (!r.contains(p) || !r.at(p).is_object()) return nullptr;
    double n = 0;
    for (const auto& [name, v] : r.at(p).items())
      if (v.is_number()) n += v.get<double>();
    return n;
  }
  if (k == "host_s") return at(r, "/host_seconds");
  return nullptr;
}

}  // namespace s2sim::sim
