#include "sim/cli.h"

#include <iostream>
#include <string>
#include <vector>

#include "sim/cmd_decode.h"
#include "util/input_error.h"

namespace s2sim::sim {

namespace {

const char* const kUsage =
    "usage: s2sim <command> [options]\n"
    "\n"
    "commands:\n"
    "  decode VALUE [--level 1|2|3] [--pa-bits 40|48] [--json]\n"
    "                      print every field of a stage-2 descriptor\n"
    "  help                this text\n";

}  // namespace

int cli_main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) throw InputError("s2sim", "no command given (try s2sim help)");
    const std::string cmd = args[0];
    args.erase(args.begin());
    if (cmd == "decode") return cmd_decode(args);
    if (cmd == "help" || cmd == "--help" || cmd == "-h") {
      std::cout << kUsage;
      return kExitOk;
    }
    throw InputError("s2sim", "unknown command \"" + cmd + "\" (try s2sim help)");
  } catch (const InputError& e) {
    std::cerr << "error: " << e.message() << "\n";
    return kExitBadInput;
  }
}

}  // namespace s2sim::sim
