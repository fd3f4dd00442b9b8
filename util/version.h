// The s2sim version, written into every result (`s2sim.version`). It is CMake's
// project version (CMakeLists.txt), the one place it is defined; the build
// generates its definition from util/version.cpp.in.
#pragma once

namespace s2sim {

const char* version();

}  // namespace s2sim
