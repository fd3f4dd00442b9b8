#include "sim/cli/progress.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

namespace s2sim::sim {

namespace {

std::string seconds_text(double s) {
  char buf[32];
  if (s < 120) std::snprintf(buf, sizeof buf, "%.1f s", s);
  else if (s < 7200) std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
  else std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  return buf;
}

}  // namespace

ProgressReporter::ProgressReporter(std::string label, bool quiet, double heartbeat_s)
    : label_(std::move(label)), start_(std::chrono::steady_clock::now()) {
  if (quiet) return;
  live_ = ::isatty(STDERR_FILENO) != 0;
  heartbeat_ = !live_ && heartbeat_s > 0;
  if (heartbeat_) {
    interval_ = std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(heartbeat_s));
    next_ = start_ + interval_;
  }
}

ProgressReporter::~ProgressReporter() {
  if (drawn_) std::cerr << "\r\033[K" << std::flush;
}

std::function<void(const RunProgress&)> ProgressReporter::callback() {
  if (!live_ && !heartbeat_) return {};
  return [this](const RunProgress& p) { on_progress(p); };
}

std::string ProgressReporter::describe(const RunProgress& p, double host_seconds, const std::string& label) {
  std::string s = label.empty() ? "" : label + ": ";
  char buf[64];
  if (p.fraction >= 0) {
    std::snprintf(buf, sizeof buf, "%.1f %% of the workload read, ", 100.0 * p.fraction);
    s += buf;
  }
  std::snprintf(buf, sizeof buf, "simulated %.3f s", p.simulated_seconds);
  s += buf;
  if (p.migrating) s += ", round " + std::to_string(p.round);
  s += ", host " + seconds_text(host_seconds);
  // The estimate assumes the rest reads as fast as what was read so far; with too
  // little read it would be noise.
  if (p.fraction >= 0.01 && p.fraction < 1.0) s += ", ETA " + seconds_text(host_seconds * (1.0 - p.fraction) / p.fraction);
  return s;
}

void ProgressReporter::on_progress(const RunProgress& p) {
  const auto now = std::chrono::steady_clock::now();
  const double host = std::chrono::duration<double>(now - start_).count();
  if (live_) {
    // Redrawn at most five times a second: enough to watch, cheap on a slow terminal.
    if (drawn_ && now < next_) return;
    next_ = now + std::chrono::milliseconds(200);
    std::cerr << "\r\033[K  " << describe(p, host, label_) << std::flush;
    drawn_ = true;
    return;
  }
  if (now < next_) return;
  // Keep the cadence even when a step took longer than the interval.
  while (next_ <= now) next_ += interval_;
  std::cerr << "heartbeat: " << describe(p, host, label_) << "\n" << std::flush;
}

}  // namespace s2sim::sim
