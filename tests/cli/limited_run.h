// Runs s2sim under hard resource limits: an address-space limit of twice the run's
// memory_limit_mib (setrlimit RLIMIT_AS) and a CPU time limit (RLIMIT_CPU), so that an
// input whose memory the estimate misses fails the test (an out-of-memory error in
// place of the expected refusal, a kill) instead of taking the machine down. Under AddressSanitizer,
// whose shadow memory reserves terabytes of address space, only the time limit applies.
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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
inline constexpr rlim_t kCpuSecondsLimit = 120;

// run_s2sim with the limits set by setrlimit in the child before it execs the shell
// that runs s2sim (the limits are inherited across exec). Standard input is /dev/null
// unless `args` redirects it.
inline CliResult run_s2sim_limited(const std::string& args, unsigned memory_limit_mib = kDefaultMemoryLimitMib) {
  static int counter = 0;
  const std::string base = std::string(::testing::TempDir()) + "s2sim_lim_" + std::to_string(::getpid()) + "_" +
                           std::to_string(counter++);
  const std::string cmd = "cd '" + std::string(S2SIM_SOURCE_DIR) + "' && exec </dev/null '" + S2SIM_BINARY + "' " +
                          args + " >'" + base + ".out' 2>'" + base + ".err'";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const rlimit cpu{kCpuSecondsLimit, kCpuSecondsLimit};
    ::setrlimit(RLIMIT_CPU, &cpu);
#ifdef S2SIM_TEST_ASAN
    // ASan reserves terabytes of shadow address space: no address-space limit there.
    (void)memory_limit_mib;
#else
    const rlim_t bytes = rlim_t{2} * memory_limit_mib << 20;
    const rlimit as{bytes, bytes};
    if (::setrlimit(RLIMIT_AS, &as) != 0) ::_exit(126);
#endif
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int raw = 0;
  CliResult r;
  if (pid < 0 || ::waitpid(pid, &raw, 0) != pid) return r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + (WIFSIGNALED(raw) ? WTERMSIG(raw) : 0);
  r.out = read_file(base + ".out");
  r.err = read_file(base + ".err");
  std::remove((base + ".out").c_str());
  std::remove((base + ".err").c_str());
  return r;
}

}  // namespace s2sim::test
