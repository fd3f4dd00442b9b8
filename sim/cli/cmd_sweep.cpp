#include "sim/cli/cmd_sweep.h"

#include <sched.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>

#include "sim/cli/cli.h"
#include "sim/cli/sweep_exec.h"
#include "sim/cli/sweep_slurm.h"
#include "sim/cli/sweep_spec.h"
#include "sim/cli/sweep_store.h"
#include "sim/report/csv_row.h"
#include "sim/report/html_report.h"
#include "sim/report/output_file.h"
#include "sim/report/report.h"
#include "util/input_error.h"
#include "util/parse_number.h"

namespace s2sim::sim {

namespace {

namespace fs = std::filesystem;

struct SweepArgs {
  std::string spec, out;
  std::string csv;   // --csv FILE: the table also there
  std::string html;  // --html FILE: the sweep's HTML report
  std::optional<std::uint64_t> jobs, point;
  bool collect = false, slurm = false, submit = false, quiet = false;
};

unsigned cpu_count() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return static_cast<unsigned>(CPU_COUNT(&set));
  return 1;
}

SweepArgs parse_args(const std::vector<std::string>& args) {
  SweepArgs s;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw InputError("sweep", a + " needs a value");
      return args[++i];
    };
    auto number = [&](std::uint64_t min) {
      const std::string& v = value();
      const std::optional<std::uint64_t> n = parse_u64(v);
      if (!n || *n < min)
        throw InputError("sweep " + a, "\"" + v + "\" is not " + (min ? "a positive integer" : "a non-negative integer"));
      return *n;
    };
    // A file or directory option given an empty name is a mistake, not "the default".
    auto name = [&]() -> const std::string& {
      const std::string& v = value();
      if (v.empty()) throw InputError("sweep " + a, "an empty file name");
      return v;
    };
    if (a == "--out") s.out = name();
    else if (a == "--csv") s.csv = name();
    else if (a == "--html") s.html = name();
    else if (a == "--jobs" || a == "-j") s.jobs = number(1);
    else if (a == "--point") s.point = number(0);
    else if (a == "--collect") s.collect = true;
    else if (a == "--slurm") s.slurm = true;
    else if (a == "--submit") s.slurm = s.submit = true;
    else if (a == "--quiet" || a == "-q") s.quiet = true;
    else if (!a.empty() && a[0] == '-') throw InputError("sweep", "unknown option \"" + a + "\"");
    else if (s.spec.empty()) s.spec = a;
    else throw InputError("sweep", "more than one spec given (\"" + s.spec + "\", \"" + a + "\")");
  }
  if (s.spec.empty()) throw InputError("sweep", "missing the spec, e.g. s2sim sweep configs/sweeps/walker-vcpus-link.json --out wvl");
  if (int(s.point.has_value()) + int(s.collect) + int(s.slurm) > 1)
    throw InputError("sweep", "--point, --collect and --slurm/--submit exclude each other");
  if (s.jobs && (s.point || s.collect || s.slurm))
    throw InputError("sweep --jobs", "sets how many points run at once here; --point, --collect and --slurm run none");
  if (!s.csv.empty() && (s.point || s.slurm))
    throw InputError("sweep --csv", "writes the table of a local sweep or of --collect, not of --point or --slurm");
  if (!s.html.empty() && (s.point || s.slurm))
    throw InputError("sweep --html", "writes the report of a local sweep or of --collect, not of --point or --slurm");
  {
    std::vector<std::pair<std::string, std::string>> outs;
    if (!s.csv.empty()) outs.push_back({"--csv", s.csv});
    if (!s.html.empty()) outs.push_back({"--html", s.html});
    if (!outs.empty()) check_outputs(outs, {s.spec});
  }
  // The default directory: the spec's name without .json, in the current directory.
  if (s.out.empty()) s.out = fs::path(s.spec).stem().string() + ".sweep";
  return s;
}

const char* outcome(const PointStatus& s, bool has_result) {
  if (!has_result) return "FAILED";
  return s.exit_status == 0 ? "ok" : "lost writes";
}

void log_point(const SweepSpec& spec, const SweepDir& dir, const SweepPoint& p, const PointStatus& s,
               std::size_t ended, std::size_t total) {
  const bool has_result = dir.done(p);
  char head[64];
  std::snprintf(head, sizeof head, "sweep: [%zu/%zu] ", ended, total);
  std::cerr << head << point_slug(spec, p) << "  " << outcome(s, has_result) << " (exit " << s.exit_status << ", "
            << csv_seconds(s.host_seconds) << " s)";
  if (!has_result && !s.error.empty()) std::cerr << ": " << s.error;
  std::cerr << "\n";
}

// Writes the tables (and the --csv copy, the --html report), prints the summary,
// returns the exit status.
int finish(const SweepArgs& a, const SweepSpec& spec, const SweepDir& dir, const SweepTable& t) {
  write_sweep_table(dir, t);
  if (!a.csv.empty()) write_file_atomically(a.csv, t.csv);
  if (!a.html.empty())
    write_file_atomically(a.html, sweep_report_html("s2sim sweep: " + spec.file, spec.comment, t.report_axes, t.report_points));
  std::cout << "sweep " << dir.dir() << ": " << spec.points << " points, " << t.ok << " ok, " << t.failed << " failed";
  if (t.missing) std::cout << ", " << t.missing << " not run yet";
  std::cout << "\n  " << dir.dir() << "/results.csv\n  " << dir.dir() << "/results.jsonl\n";
  if (!a.html.empty()) std::cout << "  " << a.html << "\n";
  return t.failed || t.missing ? kExitLostWrites : kExitOk;
}

int run_local(const SweepArgs& a, const SweepSpec& spec, const SweepDir& dir) {
  dir.prepare();
  std::vector<std::size_t> todo;
  for (std::size_t i = 0; i < spec.points; ++i)
    if (!dir.done(sweep_point(spec, i))) todo.push_back(i);
  const unsigned jobs = a.jobs ? static_cast<unsigned>(std::min<std::uint64_t>(*a.jobs, 4096)) : cpu_count();
  if (!a.quiet) {
    std::cerr << "sweep: " << spec.points << " points";
    if (todo.size() < spec.points) std::cerr << ", " << spec.points - todo.size() << " already done";
    std::cerr << "; running " << todo.size() << ", " << std::min<std::size_t>(jobs, std::max<std::size_t>(todo.size(), 1))
              << " at a time\n";
  }
  std::size_t ended = 0;
  run_points(self_executable(), spec, dir, todo, jobs, [&](const SweepPoint& p, const PointStatus& s) {
    ++ended;
    if (!a.quiet) log_point(spec, dir, p, s, ended, todo.size());
  });
  return finish(a, spec, dir, collect_sweep(spec, dir));
}

int run_one(const SweepArgs& a, const SweepSpec& spec, const SweepDir& dir) {
  if (*a.point >= spec.points)
    throw InputError("sweep --point", std::to_string(*a.point) + " is not a point of " + spec.file + " (it has " +
                                          std::to_string(spec.points) + ": 0 to " + std::to_string(spec.points - 1) + ")");
  dir.prepare();
  const SweepPoint p = sweep_point(spec, *a.point);
  if (const std::optional<int> done = dir.result_status(p)) {
    if (!a.quiet) std::cerr << "sweep: point " << p.index << " (" << point_slug(spec, p) << ") is already done\n";
    return *done == 0 ? kExitOk : kExitLostWrites;
  }
  int status = kExitOk;
  run_points(self_executable(), spec, dir, {p.index}, 1, [&](const SweepPoint& q, const PointStatus& s) {
    if (!a.quiet) log_point(spec, dir, q, s, 1, 1);
    status = s.exit_status == 0 && dir.done(q) ? kExitOk : kExitLostWrites;
  });
  return status;
}

int write_slurm(const SweepArgs& a, const SweepSpec& spec, const SweepDir& dir) {
  dir.prepare();
  std::error_code ec;
  fs::create_directories(dir.dir() + "/slurm-logs", ec);
  if (ec) throw InputError(dir.dir() + "/slurm-logs", "cannot create: " + ec.message());
  const std::string script = dir.dir() + "/sweep.sbatch";
  write_file_atomically(script, sbatch_script(self_executable(), spec.file, dir.dir(), spec.points));
  const std::string collect = "s2sim sweep " + shell_quote(spec.file) + " --out " + shell_quote(a.out) + " --collect";
  if (!a.submit) {
    std::cout << "wrote " << script << " (" << spec.points << " array tasks)\n  submit: sbatch " << shell_quote(script)
              << "\n  then:   " << collect << "\n";
    return kExitOk;
  }
  const std::string job = sbatch_submit(script);
  std::cout << "submitted " << script << " as job " << job << " (" << spec.points << " array tasks)\n  then: " << collect
            << "\n";
  return kExitOk;
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& args) {
  const SweepArgs a = parse_args(args);
  const SweepSpec spec = load_sweep_spec(a.spec, a.out);
  const SweepDir dir(spec, a.out);
  if (a.collect) {
    dir.check_existing();
    return finish(a, spec, dir, collect_sweep(spec, dir));
  }
  if (a.point) return run_one(a, spec, dir);
  if (a.slurm) return write_slurm(a, spec, dir);
  return run_local(a, spec, dir);
}

}  // namespace s2sim::sim
