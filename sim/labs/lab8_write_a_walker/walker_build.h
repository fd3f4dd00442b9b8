// `s2sim lab build 8 walker.cpp`: a student's walker compiled into a plug-in with the
// system's C++ compiler ($CXX if set, else g++, c++ or clang++ from PATH; nothing is
// downloaded), against s2sim_walker.h written beside it in a scratch directory.
#pragma once

#include <string>
#include <vector>

#include "util/input_error.h"

namespace s2sim::sim::lab::walker {

// The compiler refused the file: one error line (what()), then the compiler's own
// output, which the command line prints after it.
class BuildFailed : public InputError {
 public:
  BuildFailed(std::string where, const std::string& what, std::string output)
      : InputError(std::move(where), what), output_(std::move(output)) {}
  const std::string& compiler_output() const { return output_; }

 private:
  std::string output_;
};

// The compiler command: $CXX (split at spaces) or the first of g++, c++, clang++ found
// on PATH. Throws InputError when there is none.
std::vector<std::string> find_compiler();

// Compiles `source` (a C++ file) into the shared object `output`. Throws InputError
// when the source cannot be read or no compiler exists, BuildFailed when it does not
// compile. Returns the command line it ran, for messages.
std::string build_plugin(const std::string& source, const std::string& output);

// True when `path` starts with the ELF magic: a built plug-in, not a source file.
bool is_shared_object(const std::string& path);

// A scratch directory, removed with everything in it when this goes.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace s2sim::sim::lab::walker
