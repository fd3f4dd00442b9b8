// The shipped scenarios: configs/scenarios/NAME.json, each a config whose "comment"
// says what it shows. `s2sim scenarios` lists them and `s2sim run NAME` runs one by
// name.
#pragma once

#include <string>
#include <vector>

namespace s2sim::sim {

struct Scenario {
  std::string name;     // the file name without ".json"
  std::string path;     // configs_dir()/scenarios/NAME.json
  std::string summary;  // the first sentence of its comment
};

// Every shipped scenario, sorted by name. A scenario whose file cannot be read or
// parsed is an InputError naming it (they ship with s2sim; a broken one is a bug).
std::vector<Scenario> shipped_scenarios();

// What a command's CONFIG argument names: an existing path is itself; otherwise,
// when it has no directory part, the shipped scenario of that name (with or without
// ".json"). Anything else is an InputError naming the argument, with the closest
// scenario name when there is one. An empty argument (the built-in default) stays
// empty.
std::string resolve_config_arg(const std::string& arg);

// The first sentence of `text`: up to the first ". " (or "." at the end) that is
// followed by an upper-case letter or the end, so "i.e. x" does not end it.
std::string first_sentence(const std::string& text);

}  // namespace s2sim::sim
