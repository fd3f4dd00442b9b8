// Progress of a running simulation on stderr, so that long runs can be followed both
// at a terminal and in a log (a batch job, CI, a pipe):
//   - stderr a terminal: one live line, rewritten in place (at most five times a
//     second) and erased at the end;
//   - otherwise: a heartbeat line every `heartbeat_s` seconds of host time (the first
//     after one interval, so shorter runs print none), as ChampSim's heartbeat:
//       heartbeat: 42.0 % of the workload read, simulated 1.234 s, round 3, host 10.0 s, ETA 13.8 s
// Progress only reads what the engine reports (RunProgress): it never changes a result.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "sim/engine/engine.h"

namespace s2sim::sim {

class ProgressReporter {
 public:
  static constexpr double kDefaultHeartbeatSeconds = 5.0;

  // `label` names the run in the line (e.g. "walker v4"), may be empty. `quiet` or a
  // heartbeat interval of 0 off a terminal: nothing is printed.
  ProgressReporter(std::string label, bool quiet, double heartbeat_s);
  ~ProgressReporter();
  ProgressReporter(const ProgressReporter&) = delete;
  ProgressReporter& operator=(const ProgressReporter&) = delete;

  // The callback for Engine::run (empty when nothing is to be printed).
  std::function<void(const RunProgress&)> callback();

  // One progress line, as printed (without the leading "heartbeat: " or "\r").
  static std::string describe(const RunProgress& p, double host_seconds, const std::string& label);

 private:
  void on_progress(const RunProgress& p);

  std::string label_;
  bool live_ = false;       // stderr is a terminal
  bool heartbeat_ = false;  // stderr is not, and heartbeats are on
  bool drawn_ = false;      // a live line is on the screen
  std::chrono::steady_clock::duration interval_{};
  std::chrono::steady_clock::time_point start_, next_;  // next_: the next heartbeat or redraw
};

}  // namespace s2sim::sim
