// `s2sim sweep SPEC.json [--out DIR] [--jobs N] [--csv FILE] [--quiet]`: every point
// of a sweep spec (sim/cli/sweep_spec.h), each as its own `s2sim run` process, in
// parallel on this machine; DIR/results.csv (and --csv FILE) and DIR/results.jsonl,
// one row per point.
// `--slurm [--submit]` writes (and submits) a Slurm job array instead, whose tasks run
// `--point I`; `--collect` merges the points into the tables.
//
// Exit status: 0 every point ran and verified; 1 some point failed, lost writes, or
// (--collect) has not run yet; 2 bad usage or spec (one "error:" line, nothing
// written). With --point: that point's 0 or 1.
#pragma once

#include <string>
#include <vector>

namespace s2sim::sim {

int cmd_sweep(const std::vector<std::string>& args);

}  // namespace s2sim::sim
