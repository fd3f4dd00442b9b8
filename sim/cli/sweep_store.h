// A sweep's directory, the one place its state lives (so that a sweep resumes after a
// crash, and Slurm tasks on other nodes share it):
//
//   DIR/sweep.json     which sweep this is: its base config, axes and seeds, checked
//                      on every start (another sweep refuses to run in the same DIR)
//   DIR/base.json      an inline base, as the points run it
//   DIR/points/NNNN_SLUG.result.json   the point's result JSON, byte for byte what
//                      `s2sim run` writes (atomically: it exists only complete)
//   DIR/points/NNNN_SLUG.status.json   how the point's run went: exit status, error
//                      line, host seconds (written after it ended)
//   DIR/results.csv, DIR/results.jsonl  every point, in point order (collect)
//
// A point is done when its result exists; a point that failed has only a status and
// runs again on the next start.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/cli/sweep_spec.h"
#include "sim/report/html_report.h"

namespace s2sim::sim {

struct PointStatus {
  int exit_status = 0;       // as `s2sim run` exited; 128+N when killed by signal N
  std::string error;         // its last "error:" line (without the prefix), or what killed it
  double host_seconds = 0;   // wall-clock time of the run, process start to exit
};

class SweepDir {
 public:
  SweepDir(const SweepSpec& spec, const std::string& dir);

  const std::string& dir() const { return dir_; }
  // Creates DIR and DIR/points, checks DIR/sweep.json against the spec (or writes
  // it), writes DIR/base.json for an inline base. Throws InputError when DIR holds
  // another sweep or cannot be written.
  void prepare() const;
  // For --collect: DIR must already hold this sweep. Throws InputError otherwise.
  void check_existing() const;

  // The config file a point runs (with its --set and --seed).
  std::string base_config() const;
  std::string result_path(const SweepPoint& p) const;
  std::string status_path(const SweepPoint& p) const;
  // Where a point's stderr is kept while it runs (hidden, removed after).
  std::string stderr_path(const SweepPoint& p) const;
  bool done(const SweepPoint& p) const;
  // What `s2sim run` exited with for the point's result: 0 verified (or verification
  // off), 1 verification failed; none when there is no readable result.
  std::optional<int> result_status(const SweepPoint& p) const;

  void write_status(const SweepPoint& p, const PointStatus& s) const;
  std::optional<PointStatus> read_status(const SweepPoint& p) const;

 private:
  std::string identity() const;
  std::string point_file(const SweepPoint& p, const char* suffix) const;
  const SweepSpec& spec_;
  std::string dir_;  // absolute
};

// Every point's row, in point order: the CSV (axis paths, then csv_run_columns()) and
// the JSON Lines, plus counts. A point whose result exists reports exit status 0 or 1
// from its verification; one with only a status reports that; one with neither (not
// run yet) has empty cells.
struct SweepTable {
  std::string csv, jsonl;
  // The same rows for the HTML report: the columns (axis paths, then "seed") and
  // one point each, its result or why it has none.
  std::vector<std::string> report_axes;
  std::vector<ReportPoint> report_points;
  std::size_t ok = 0;       // a result, verified (or verification off)
  std::size_t failed = 0;   // a result with lost writes, or a run that left none
  std::size_t missing = 0;  // not run (yet)
};
SweepTable collect_sweep(const SweepSpec& spec, const SweepDir& dir);
// Writes DIR/results.csv and DIR/results.jsonl (atomically).
void write_sweep_table(const SweepDir& dir, const SweepTable& t);

}  // namespace s2sim::sim
