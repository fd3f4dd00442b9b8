// Sweeps on a Slurm cluster: a job array of one task per point, each task running
// `s2sim sweep SPEC --out DIR --point $SLURM_ARRAY_TASK_ID` (which runs that point as
// the local sweep does). DIR must be on a file system every node sees; the tasks only
// add their own point files, and `s2sim sweep SPEC --out DIR --collect` merges them.
#pragma once

#include <string>

namespace s2sim::sim {

// The sbatch script: #SBATCH --array=0-(points-1), one CPU a task, logs under
// DIR/slurm-logs/. Paths are absolute (tasks may start elsewhere).
std::string sbatch_script(const std::string& exe, const std::string& spec, const std::string& dir, std::size_t points);

// Submits `script` with `sbatch --parsable`; returns the job id. Throws InputError
// with sbatch's own message when it refuses (or cannot be run).
std::string sbatch_submit(const std::string& script);

// `text` as one word for the shell (single-quoted where needed).
std::string shell_quote(const std::string& text);

}  // namespace s2sim::sim
