// The s2sim version, from the one place it is set: project(VERSION) in the top-level
// CMakeLists.txt (compiled into util/version.cpp).
#pragma once

namespace s2sim {

const char* version();

}  // namespace s2sim
