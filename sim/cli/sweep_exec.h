// Running sweep points: each one is its own `s2sim run` process (the s2sim binary
// itself, with the point's --set and --seed and --json into DIR/points/), so that a
// point that crashes or runs out of memory takes down only itself. The parent records
// how each ended (DIR/points/*.status.json) and goes on with the rest.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/cli/sweep_spec.h"
#include "sim/cli/sweep_store.h"

namespace s2sim::sim {

// The running executable's absolute path (/proc/self/exe): what each point runs, and
// what the Slurm script names.
std::string self_executable();

// The arguments after the program name: run BASE --set ... --seed S --json RESULT --quiet.
std::vector<std::string> point_command(const SweepSpec& spec, const SweepDir& dir, const SweepPoint& p);

// Runs the points `indexes` with `exe`, at most `jobs` at a time, in index order of
// starting; records each one's status as it ends and then calls `ended`. Returns when
// every point has ended.
using PointEnded = std::function<void(const SweepPoint&, const PointStatus&)>;
void run_points(const std::string& exe, const SweepSpec& spec, const SweepDir& dir,
                const std::vector<std::size_t>& indexes, unsigned jobs, const PointEnded& ended);

// What an ended point's process left: its exit status (128+N for signal N) and the
// error line of its stderr text ("error: ..." without the prefix; else its last line;
// for a signal, the signal's name first).
PointStatus point_status(int wait_status, const std::string& stderr_text, double host_seconds);

}  // namespace s2sim::sim
