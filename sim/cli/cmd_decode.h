// `s2sim decode VALUE [--level 1|2|3] [--pa-bits 40|48] [--json]`: every field of a
// stage-2 descriptor, as the ARM ARM lays it out.
#pragma once

#include <string>
#include <vector>

namespace s2sim::sim {

int cmd_decode(const std::vector<std::string>& args);

}  // namespace s2sim::sim
