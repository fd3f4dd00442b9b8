// Runs s2sim under hard resource limits: an address-space limit of twice the run's
// memory_limit_mib (setrlimit RLIMIT_AS, through the shell's ulimit -v) and a CPU
// time limit, so that an input whose memory the estimate misses fails the test
// (bad_alloc, a kill) instead of taking the machine down. Under AddressSanitizer,
// whose shadow memory reserves terabytes of address space, only the time limit applies.
#pragma once

#include <cstdint>
#include <string>

#include "cli/cli_runner.h"

#if defined(__SANITIZE_ADDRESS__)
#define S2SIM_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define S2SIM_TEST_ASAN 1
#endif
#endif

namespace s2sim::test {

inline constexpr unsigned kDefaultMemoryLimitMib = 4096;  // the config's memory_limit_mib default

inline std::string resource_limits(unsigned memory_limit_mib = kDefaultMemoryLimitMib) {
  std::string limits = "ulimit -t 120";
#ifndef S2SIM_TEST_ASAN
  limits += " && ulimit -v " + std::to_string(std::uint64_t{2} * memory_limit_mib * 1024);
#endif
  (void)memory_limit_mib;
  return limits;
}

// run_s2sim in a subshell with resource_limits applied.
inline CliResult run_s2sim_limited(const std::string& args, unsigned memory_limit_mib = kDefaultMemoryLimitMib) {
  static int counter = 0;
  const std::string base = std::string(::testing::TempDir()) + "s2sim_lim_" + std::to_string(::getpid()) + "_" +
                           std::to_string(counter++);
  const std::string cmd = "(" + resource_limits(memory_limit_mib) + " && cd '" + S2SIM_SOURCE_DIR + "' && exec '" +
                          S2SIM_BINARY + "' " + args + " >'" + base + ".out' 2>'" + base + ".err' </dev/null)";
  const int raw = std::system(cmd.c_str());
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + (WIFSIGNALED(raw) ? WTERMSIG(raw) : 0);
  r.out = read_file(base + ".out");
  r.err = read_file(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}

}  // namespace s2sim::test
