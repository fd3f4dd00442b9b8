#include "sim/cli/cmd_scenarios.h"

#include <algorithm>
#include <iostream>

#include "sim/cli/cli.h"
#include "sim/config/config.h"
#include "sim/config/scenarios.h"
#include "util/input_error.h"

namespace s2sim::sim {

namespace {

// `text` in lines of at most `width` characters (words are never split), every line
// after the first indented by `indent` spaces.
std::string wrap(const std::string& text, std::size_t indent, std::size_t width) {
  std::string out, line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    const std::string word = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && indent + line.size() + 1 + word.size() > width) {
      out += line + "\n" + std::string(indent, ' ');
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  return out + line;
}

}  // namespace

int cmd_scenarios(const std::vector<std::string>& args) {
  if (!args.empty()) throw InputError("scenarios", "takes no arguments, got \"" + args[0] + "\"");
  const std::vector<Scenario> all = shipped_scenarios();
  std::size_t width = 0;
  for (const Scenario& s : all) width = std::max(width, s.name.size());
  for (const Scenario& s : all) {
    std::string name = s.name;
    name.resize(width + 2, ' ');
    std::cout << name << wrap(s.summary, width + 2, 100) << "\n";
  }
  std::cout << "\nrun one by name: s2sim run NAME (the files are in " << configs_dir() << "/scenarios/)\n";
  return kExitOk;
}

}  // namespace s2sim::sim
