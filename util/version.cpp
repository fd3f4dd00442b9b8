#include "util/version.h"

#ifndef S2SIM_VERSION
#error "S2SIM_VERSION is defined by CMake from project(s2sim VERSION ...)"
#endif

namespace s2sim {

const char* version() { return S2SIM_VERSION; }

}  // namespace s2sim
