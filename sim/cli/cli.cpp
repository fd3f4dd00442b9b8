#include "sim/cli/cli.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/cli/cmd_decode.h"
#include "sim/cli/cmd_lab.h"
#include "sim/cli/cmd_perf_test.h"
#include "sim/cli/cmd_run.h"
#include "sim/cli/cmd_scenarios.h"
#include "sim/cli/cmd_sweep.h"
#include "sim/cli/help.h"
#include "util/error_text.h"
#include "util/input_error.h"
#include "util/utf8.h"
#include "util/version.h"

namespace s2sim::sim {

namespace {

int help(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cout << usage_text();
    return kExitOk;
  }
  if (wants_help(args)) {
    std::cout << command_help("help");
    return kExitOk;
  }
  if (args.size() > 1) throw InputError("help", "takes one command, got \"" + args[0] + "\" and \"" + args[1] + "\"");
  const char* text = command_help(args[0]);
  if (!text) throw InputError("help", "no command \"" + args[0] + "\" (s2sim help lists them)");
  std::cout << text;
  return kExitOk;
}

// A standard descriptor closed by the caller (`s2sim run >&-`) would be reused by
// the first file opened, and the report written into a result file. Each is opened
// on /dev/null the wrong way round instead, so that using it fails as it would have.
void keep_standard_descriptors() {
  for (int fd : {0, 1, 2}) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int got = ::open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
    if (got >= 0 && got != fd) ::close(got);
  }
}

// Output lost to a full disk or a closed stdout is a failure, not a success.
int check_stdout(int status) {
  errno = 0;
  std::cout.flush();
  if (std::cout && std::fflush(stdout) == 0 && !std::ferror(stdout)) return status;
  const int err = errno ? errno : EIO;
  std::cerr << "error: standard output: cannot write: " << std::strerror(err) << "\n";
  return kExitBadInput;
}

int dispatch(std::vector<std::string> args) {
  try {
    // Arguments end up in the result JSON (--set values, trace paths), which must be
    // UTF-8: a Latin-1 byte is refused here, not after the whole run.
    for (std::size_t i = 0; i < args.size(); ++i)
      if (const auto at = invalid_utf8_at(args[i]); at != std::string::npos)
        throw InputError("s2sim: argument " + std::to_string(i + 1) + " \"" + args[i].substr(0, at) + "...\"",
                         "is not valid UTF-8 (byte " + std::to_string(at) + ")");
    if (args.empty()) throw InputError("s2sim", "no command given (try s2sim help)");
    const std::string cmd = args[0];
    args.erase(args.begin());
    if (cmd == "--version") {
      if (!args.empty()) throw InputError("s2sim --version", "takes no arguments, got \"" + args[0] + "\"");
      std::cout << "s2sim " << version() << "\n";
      return kExitOk;
    }
    if (cmd == "--help" || cmd == "-h") return help({});
    if (cmd == "help") return help(args);
    const char* text = command_help(cmd);
    if (!text) throw InputError("s2sim", "unknown command \"" + cmd + "\" (try s2sim help)");
    if (wants_help(args)) {
      std::cout << text;
      return kExitOk;
    }
    if (cmd == "run") return cmd_run(args);
    if (cmd == "compare") return cmd_compare(args);
    if (cmd == "decode") return cmd_decode(args);
    if (cmd == "lab") return cmd_lab(args);
    if (cmd == "perf-test") return cmd_perf_test(args);
    if (cmd == "sweep") return cmd_sweep(args);
    if (cmd == "scenarios") return cmd_scenarios(args);
    throw std::logic_error("command \"" + cmd + "\" has help but no dispatch");
  } catch (const InputError& e) {
    std::cerr << "error: " << one_line(e.message()) << "\n";
    return kExitBadInput;
  } catch (const std::length_error& e) {
    // The simulated machine ran out of physical memory for the tables or guest RAM.
    std::cerr << "error: " << one_line(e.what()) << "\n";
    return kExitBadInput;
  } catch (const std::bad_alloc&) {
    // Only a limit the estimate missed gets here: say so rather than abort.
    std::cerr << "error: out of host memory (the run needed more than the memory estimate allowed for)\n";
    return kExitBadInput;
  }
}

}  // namespace

int cli_main(int argc, char** argv) {
  keep_standard_descriptors();
  return check_stdout(dispatch(std::vector<std::string>(argv + 1, argv + argc)));
}

}  // namespace s2sim::sim
