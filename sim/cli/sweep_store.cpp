#include "sim/cli/sweep_store.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/report/csv_row.h"
#include "sim/report/report.h"
#include "util/input_error.h"

namespace s2sim::sim {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

std::optional<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The JSON in a file, or null when there is none or it does not parse (files here are
// written atomically, so only someone else's hand leaves a broken one).
json read_json(const std::string& path) {
  const std::optional<std::string> text = read_text(path);
  return text ? json::parse(*text, nullptr, false) : json();
}

// What `s2sim run` exited with when it wrote `result`: 0 verified (or verification
// off), 1 verification failed.
int run_exit_status(const json& result) { return result.value(json::json_pointer("/verify/ok"), true) ? 0 : 1; }

// The same value as an ordered_json (whose objects keep the order written).
ordered_json ordered(const json& j) { return ordered_json::parse(j.dump()); }

std::string relative_to(const std::string& path, const std::string& dir) {
  return fs::path(path).lexically_relative(dir).string();
}

}  // namespace

SweepDir::SweepDir(const SweepSpec& spec, const std::string& dir)
    : spec_(spec), dir_(fs::absolute(dir).lexically_normal().string()) {
  if (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
}

// What makes the points what they are: the base config, the axes in order with their
// values, the seeds (not the spec's comment or how it names its base).
std::string SweepDir::identity() const {
  ordered_json axes = ordered_json::array();
  for (const SweepAxis& a : spec_.axes) axes.push_back({{"path", a.path}, {"values", ordered(json(a.values))}});
  const ordered_json id = {{"schema", "s2sim.sweep/1"}, {"points", spec_.points}, {"axes", axes},
                           {"seeds", spec_.seeds},      {"base", ordered(spec_.base)}};
  return id.dump(2) + "\n";
}

void SweepDir::check_existing() const {
  const std::string path = dir_ + "/sweep.json";
  const json found = read_json(path);
  if (found.is_null())
    throw InputError(dir_, "holds no sweep (no readable sweep.json): run s2sim sweep SPEC --out DIR first");
  if (found != json::parse(identity()))
    throw InputError(path, "this directory holds another sweep (its base config, axes or seeds differ from " +
                               spec_.file + "'s): give another --out, or remove the directory");
}

void SweepDir::prepare() const {
  std::error_code ec;
  if (fs::exists(dir_ + "/sweep.json", ec)) check_existing();
  fs::create_directories(dir_ + "/points", ec);
  if (!fs::is_directory(dir_ + "/points"))
    throw InputError(dir_, "cannot create the sweep directory" + (ec ? ": " + ec.message() : std::string()));
  if (!fs::exists(dir_ + "/sweep.json", ec)) write_file_atomically(dir_ + "/sweep.json", identity());
  if (spec_.base_path.empty() && !fs::exists(base_config(), ec))
    write_file_atomically(base_config(), spec_.base.dump(2) + "\n");
}

std::string SweepDir::base_config() const { return spec_.base_path.empty() ? dir_ + "/base.json" : spec_.base_path; }

std::string SweepDir::point_file(const SweepPoint& p, const char* suffix) const {
  return dir_ + "/points/" + point_slug(spec_, p) + suffix;
}

std::string SweepDir::result_path(const SweepPoint& p) const { return point_file(p, ".result.json"); }
std::string SweepDir::status_path(const SweepPoint& p) const { return point_file(p, ".status.json"); }

std::string SweepDir::stderr_path(const SweepPoint& p) const {
  return dir_ + "/points/." + point_slug(spec_, p) + ".stderr";
}

bool SweepDir::done(const SweepPoint& p) const {
  std::error_code ec;
  return fs::is_regular_file(result_path(p), ec);
}

std::optional<int> SweepDir::result_status(const SweepPoint& p) const {
  if (!done(p)) return std::nullopt;
  const json result = read_json(result_path(p));
  if (!result.is_object()) return std::nullopt;
  return run_exit_status(result);
}

void SweepDir::write_status(const SweepPoint& p, const PointStatus& s) const {
  const ordered_json j = {{"point", p.index},
                          {"exit_status", s.exit_status},
                          {"error", s.error},
                          {"host_seconds", round_seconds(s.host_seconds)}};
  write_file_atomically(status_path(p), j.dump(2) + "\n");
}

std::optional<PointStatus> SweepDir::read_status(const SweepPoint& p) const {
  const json j = read_json(status_path(p));
  if (!j.is_object() || !j.value("exit_status", json()).is_number_integer()) return std::nullopt;
  PointStatus s;
  s.exit_status = j["exit_status"].get<int>();
  s.error = j.value("error", "");
  s.host_seconds = j.value("host_seconds", 0.0);
  return s;
}

SweepTable collect_sweep(const SweepSpec& spec, const SweepDir& dir) {
  SweepTable t;
  std::vector<std::string> axis_columns;
  for (const SweepAxis& a : spec.axes) axis_columns.push_back(a.path);
  t.csv = csv_header(axis_columns);
  t.report_axes = axis_columns;
  t.report_axes.push_back("seed");
  for (std::size_t i = 0; i < spec.points; ++i) {
    const SweepPoint p = sweep_point(spec, i);
    const json result = dir.done(p) ? read_json(dir.result_path(p)) : json();
    const std::optional<PointStatus> status = dir.read_status(p);
    std::optional<int> exit_status;
    std::optional<double> host_seconds;
    std::string error;
    if (result.is_object()) {
      exit_status = run_exit_status(result);
      // A status left by an earlier failed attempt does not describe this result.
      if (status && status->exit_status == *exit_status) host_seconds = status->host_seconds;
    } else if (status) {
      exit_status = status->exit_status;
      error = status->error;
      host_seconds = status->host_seconds;
    }
    if (result.is_object() && *exit_status == 0) ++t.ok;
    else if (exit_status) ++t.failed;  // lost writes, or no result (whatever it exited with)
    else ++t.missing;

    std::vector<std::string> row;
    for (std::size_t a = 0; a < spec.axes.size(); ++a) row.push_back(csv_value_cell(spec.axes[a].values[p.value[a]]));
    for (std::string& c : csv_run_cells(result.is_object() ? &result : nullptr, p.seed, exit_status, host_seconds))
      row.push_back(std::move(c));
    t.csv += csv_line(row);

    ReportPoint rp;
    for (std::size_t a = 0; a < spec.axes.size(); ++a) rp.axis_values.push_back(row[a]);
    rp.axis_values.push_back(std::to_string(p.seed));
    if (result.is_object()) rp.result = result;
    else if (exit_status)  // a status without a result file: the run failed, or its result was removed
      rp.failure = "no result (exit " + std::to_string(*exit_status) + ")" + (error.empty() ? "" : ": error: " + error);
    else rp.failure = "not run yet";
    t.report_points.push_back(std::move(rp));

    ordered_json line = {{"point", i}, {"axes", point_axes(spec, p)}, {"seed", p.seed}};
    line["result"] = result.is_object() ? ordered_json(relative_to(dir.result_path(p), dir.dir())) : ordered_json();
    line["exit_status"] = exit_status ? ordered_json(*exit_status) : ordered_json();
    line["error"] = error.empty() ? ordered_json() : ordered_json(error);
    line["metrics"] = result.is_object() ? csv_run_metrics(result) : ordered_json();
    line["host_seconds"] = host_seconds ? ordered_json(round_seconds(*host_seconds)) : ordered_json();
    t.jsonl += line.dump() + "\n";
  }
  return t;
}

void write_sweep_table(const SweepDir& dir, const SweepTable& t) {
  write_file_atomically(dir.dir() + "/results.csv", t.csv);
  write_file_atomically(dir.dir() + "/results.jsonl", t.jsonl);
}

}  // namespace s2sim::sim
