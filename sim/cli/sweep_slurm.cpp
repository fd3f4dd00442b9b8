#include "sim/cli/sweep_slurm.h"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>

#include "util/input_error.h"

namespace s2sim::sim {

std::string shell_quote(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+=,:@%") ==
                           std::string::npos)
    return text;
  std::string q = "'";
  for (char c : text) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string sbatch_script(const std::string& exe, const std::string& spec, const std::string& dir, std::size_t points) {
  namespace fs = std::filesystem;
  const std::string spec_abs = fs::absolute(spec).lexically_normal().string();
  std::string s;
  s += "#!/bin/sh\n";
  s += "# s2sim sweep of " + spec_abs + ": one Slurm array task per point.\n";
  s += "# Written by `s2sim sweep SPEC --out DIR --slurm`. Submit it with sbatch (options given\n";
  s += "# to sbatch, e.g. --partition, override these), then merge the points into\n";
  s += "# DIR/results.csv with `s2sim sweep SPEC --out DIR --collect`.\n";
  s += "#SBATCH --job-name=s2sim-sweep\n";
  s += "#SBATCH --array=0-" + std::to_string(points ? points - 1 : 0) + "\n";
  s += "#SBATCH --ntasks=1\n";
  s += "#SBATCH --cpus-per-task=1\n";
  s += "#SBATCH --output=" + dir + "/slurm-logs/%A_%a.out\n";
  s += "exec " + shell_quote(exe) + " sweep " + shell_quote(spec_abs) + " --out " + shell_quote(dir) +
       " --point \"$SLURM_ARRAY_TASK_ID\"\n";
  return s;
}

std::string sbatch_submit(const std::string& script) {
  const std::string cmd = "sbatch --parsable " + shell_quote(script) + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) throw InputError("sbatch", "cannot run sbatch");
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int status = ::pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
      throw InputError("sbatch", "not found: is Slurm installed here? (" + script + " is written; submit it by hand)");
    const std::string last = out.substr(out.find_last_of('\n') == std::string::npos ? 0 : out.find_last_of('\n') + 1);
    throw InputError("sbatch", "refused " + script + ": " + (last.empty() ? "no message" : last));
  }
  // --parsable prints "jobid" or "jobid;cluster".
  const std::string last = out.substr(out.find_last_of('\n') == std::string::npos ? 0 : out.find_last_of('\n') + 1);
  return last.substr(0, last.find(';'));
}

}  // namespace s2sim::sim
