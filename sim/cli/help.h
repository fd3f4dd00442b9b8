// What `s2sim help`, `s2sim help CMD`, `s2sim CMD --help` and `s2sim --version` print:
// one text per command naming every option it takes (tests/cli/help_cli_test.cpp
// checks that each option a command accepts appears in its text).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace s2sim::sim {

// The overview: every command in one line each.
const char* usage_text();
// The full help of `command` (its synopsis, every option, an example), or nullptr
// when there is no such command.
const char* command_help(std::string_view command);
// The commands that have help, in the order the overview lists them.
std::vector<std::string> help_commands();
// True when `args` (a command's arguments) ask for its help: "--help" or "-h".
bool wants_help(const std::vector<std::string>& args);

}  // namespace s2sim::sim
