// The s2sim command line: subcommands and their dispatch.
#pragma once

namespace s2sim::sim {

// Exit status: 0 ok; 1 verification found lost writes (or a lab answer is wrong);
// 2 bad usage, config or trace (one "error: ..." line on stderr).
inline constexpr int kExitOk = 0;
inline constexpr int kExitLostWrites = 1;
inline constexpr int kExitBadInput = 2;

int cli_main(int argc, char** argv);

}  // namespace s2sim::sim
