#include "sim/cli/cli.h"

#include <iostream>
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
#include "util/input_error.h"
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

}  // namespace

int cli_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
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
    std::cerr << "error: " << e.message() << "\n";
    return kExitBadInput;
  } catch (const std::length_error& e) {
    // The simulated machine ran out of physical memory for the tables or guest RAM.
    std::cerr << "error: " << e.what() << "\n";
    return kExitBadInput;
  }
}

}  // namespace s2sim::sim
