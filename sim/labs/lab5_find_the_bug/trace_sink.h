// Lab 5's trace: every descriptor access a walker makes, and each hazard where it was
// reported (between which two accesses), in order -- the worked answer's trace.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "mmu/access_sink.h"
#include "mmu/hazard.h"

namespace s2sim::sim::lab::bug {

class TraceSink final : public mmu::AccessSink {
 public:
  explicit TraceSink(const mmu::HazardLog& h) : hazards_(h) {}
  void on_load(mmu::phys_addr_t pa, mmu::level_t level) override;
  void on_store(mmu::phys_addr_t pa, mmu::level_t level) override;
  // Hazards reported after the last access.
  void finish() { add(""); }

  std::vector<std::string> lines;
  std::size_t first_hazard_line = 0;  // index in lines, 0 if none

 private:
  void add(const std::string& access);
  const mmu::HazardLog& hazards_;
  std::size_t seen_ = 0;
};

}  // namespace s2sim::sim::lab::bug
