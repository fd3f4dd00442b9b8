// Runs the real s2sim binary and captures its exit status, stdout and stderr.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace s2sim::test {

struct CliResult {
  int status = -1;
  std::string out, err;
};

// A fresh absolute path in the test's temporary directory (unique per process and
// call; absolute because s2sim runs from the repository root).
inline std::string temp_path(const std::string& name) {
  static int counter = 0;
  const std::filesystem::path dir = std::filesystem::absolute(::testing::TempDir());
  return (dir / ("s2sim_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + "_" + name)).string();
}

// Writes `text` to a fresh temporary file and returns its path.
inline std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = temp_path(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

inline std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// `args` is appended to the binary path as a shell command line (quote as needed).
inline CliResult run_s2sim(const std::string& args) {
  static int counter = 0;
  const std::string base = std::string(::testing::TempDir()) + "s2sim_cli_" + std::to_string(::getpid()) + "_" +
                           std::to_string(counter++);
  const std::string cmd = std::string("cd '") + S2SIM_SOURCE_DIR + "' && '" + S2SIM_BINARY + "' " + args + " >'" +
                          base + ".out' 2>'" + base + ".err' </dev/null";
  const int raw = std::system(cmd.c_str());
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + (WIFSIGNALED(raw) ? WTERMSIG(raw) : 0);
  r.out = read_file(base + ".out");
  r.err = read_file(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}

// Counts the lines of `s` that start with "error:".
inline int error_lines(const std::string& s) {
  int n = 0;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) n += line.rfind("error:", 0) == 0;
  return n;
}

}  // namespace s2sim::test
