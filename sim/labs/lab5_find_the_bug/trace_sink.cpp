#include "sim/labs/lab5_find_the_bug/trace_sink.h"

#include "sim/labs/lab_text.h"

namespace s2sim::sim::lab::bug {

void TraceSink::on_load(mmu::phys_addr_t pa, mmu::level_t level) {
  add("load  level " + std::to_string(level) + " at " + pa_hex(pa));
}

void TraceSink::on_store(mmu::phys_addr_t pa, mmu::level_t level) {
  add("store level " + std::to_string(level) + " at " + pa_hex(pa));
}

void TraceSink::add(const std::string& access) {
  for (; seen_ < hazards_.first().size(); ++seen_) {
    const mmu::Hazard& h = hazards_.first()[seen_];
    if (!first_hazard_line) first_hazard_line = lines.size() + 1;
    lines.push_back("hazard " + std::string(mmu::to_string(h.kind)) + " (at " + pa_hex(h.pa) + ", level " +
                    std::to_string(h.level) + ", handling gfn " + hex(h.ipa >> mmu::PAGE_SHIFT) + ")");
  }
  if (!access.empty()) lines.push_back(access);
}

}  // namespace s2sim::sim::lab::bug
