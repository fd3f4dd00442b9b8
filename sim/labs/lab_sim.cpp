#include "sim/labs/lab_sim.h"

#include <cstdio>

#include "sim/engine/engine.h"

namespace s2sim::sim::lab {

RunResult run_lab_config(const nlohmann::json& doc, const std::string& name, SimConfig* parsed) {
  const SimConfig cfg = parse_config(doc, name, configs_dir());
  if (parsed) *parsed = cfg;
  Engine engine(cfg);
  return engine.run();
}

double cycles_ms(std::uint64_t cycles, double hz) { return static_cast<double>(cycles) * 1000.0 / hz; }

std::string ms_text(std::uint64_t cycles, double hz) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3f", cycles_ms(cycles, hz));
  return buf;
}

}  // namespace s2sim::sim::lab
