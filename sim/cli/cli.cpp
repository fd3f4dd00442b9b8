#include "sim/cli/cli.h"

#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/cli/cmd_decode.h"
#include "sim/cli/cmd_lab.h"
#include "sim/cli/cmd_run.h"
#include "sim/cli/cmd_sweep.h"
#include "util/input_error.h"

namespace s2sim::sim {

namespace {

const char* const kUsage =
    "usage: s2sim <command> [options]\n"
    "\n"
    "commands:\n"
    "  run [CONFIG.json] [--set PATH=VALUE]... [--seed N] [--json FILE] [--csv FILE]\n"
    "      [--host-time] [--quiet] [--trace-events FILE [--trace-events-limit N]]\n"
    "                      run a simulation (no CONFIG: the built-in default,\n"
    "                      identical to configs/default.json); --trace-events writes\n"
    "                      its timeline as Chrome Trace Event JSON (Perfetto)\n"
    "  compare CONFIG [--walkers naive,v4,v4-fixed,range] [--set ...] [--json FILE]\n"
    "      [--csv FILE] [--host-time]\n"
    "                      the same run under each write-protect walker, side by side;\n"
    "                      --csv writes one flattened row per run, --host-time adds\n"
    "                      host_seconds to the result JSON (it is then not reproducible)\n"
    "  sweep SPEC.json [--out DIR] [--jobs N] [--csv FILE] [--quiet] | --slurm [--submit]\n"
    "      | --point I | --collect [--csv FILE]\n"
    "                      every point of a sweep spec (axes of --set values x seeds),\n"
    "                      in parallel here or as a Slurm job array; DIR/results.csv\n"
    "  decode VALUE [--level 1|2|3] [--pa-bits 40|48] [--json]\n"
    "                      print every field of a stage-2 descriptor\n"
    "  lab list | show N [--seed S] [--json | --config] | solve N [--seed S] [--config]\n"
    "      | check N [--seed S] ANSWERS\n"
    "                      teaching labs: a seed makes a problem, solve works it, check grades\n"
    "  help                this text\n";

}  // namespace

int cli_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) throw InputError("s2sim", "no command given (try s2sim help)");
    const std::string cmd = args[0];
    args.erase(args.begin());
    if (cmd == "run") return cmd_run(args);
    if (cmd == "compare") return cmd_compare(args);
    if (cmd == "decode") return cmd_decode(args);
    if (cmd == "lab") return cmd_lab(args);
    if (cmd == "sweep") return cmd_sweep(args);
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
      std::cout << kUsage;
      return kExitOk;
    }
    throw InputError("s2sim", "unknown command \"" + cmd + "\" (try s2sim help)");
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
