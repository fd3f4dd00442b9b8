#include "sim/cli/sweep_spec.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sim/config/config.h"
#include "sim/report/csv_row.h"
#include "util/input_error.h"
#include "util/json_reader.h"
#include "workloads/workload_factory.h"

namespace s2sim::sim {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// More points than anyone runs through one directory: a typo (an axis of a thousand
// values twice) is refused before a million files are made.
constexpr std::size_t kMaxPoints = 1'000'000;

std::string read_spec_text(const std::string& path) {
  const std::string text = read_text_file(path, "the sweep spec");
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw InputError(path, "the sweep spec is empty");
  return text;
}

std::string axis_pointer(const std::string& path) { return "/axes/" + json_pointer_escape(path); }

void read_base(SweepSpec& s, JsonReader& r) {
  if (!r.has("base")) r.fail_here("missing \"base\": the config every point starts from (a file path or an object)");
  const json& base = r.json().at("base");
  r.allow("base");
  if (base.is_object()) {
    s.base = base;
    return;
  }
  if (!base.is_string() || base.get<std::string>().empty())
    r.fail("base", "must be a config file path (relative to the spec) or an inline config object");
  const fs::path spec_dir = fs::absolute(fs::path(s.file)).parent_path();
  s.base_path = (spec_dir / base.get<std::string>()).lexically_normal().string();
  try {
    s.base = load_config_json(s.base_path);
  } catch (const InputError& e) {
    throw InputError(s.file + ": /base", e.message());
  }
  if (!s.base.is_object()) throw InputError(s.file + ": /base", s.base_path + ": a config is a JSON object");
}

void read_axes(SweepSpec& s, const nlohmann::ordered_json& ordered, JsonReader& r) {
  if (!r.has("axes")) return;
  r.allow("axes");
  const nlohmann::ordered_json& axes = ordered.at("axes");
  if (!axes.is_object()) r.fail("axes", "must be an object: {\"--set path\": [values...], ...}");
  for (const auto& [path, values] : axes.items()) {
    const std::string where = s.file + ": " + axis_pointer(path);
    if (path.empty()) throw InputError(where, "an axis needs a --set path as its name");
    if (path == "seed" || path == "/seed") throw InputError(where, "seeds are given by \"seeds\": [...], not as an axis");
    if (!values.is_array() || values.empty())
      throw InputError(where, "must be a non-empty array of the values the axis takes");
    SweepAxis axis{path, {}};
    for (std::size_t i = 0; i < values.size(); ++i) {
      const json v = json::parse(values[i].dump());  // ordered_json -> json (the config's type)
      for (std::size_t k = 0; k < axis.values.size(); ++k)
        if (axis.values[k] == v)
          throw InputError(where + "/" + std::to_string(i), "repeats value " + std::to_string(k) + " of the axis");
      axis.values.push_back(v);
    }
    s.axes.push_back(std::move(axis));
  }
}

void read_seeds(SweepSpec& s, JsonReader& r) {
  if (!r.has("seeds")) return;
  const json& seeds = r.get_array("seeds");
  if (seeds.empty()) r.fail("seeds", "must name at least one seed (or be left out: the base's own seed)");
  std::set<std::uint64_t> seen;
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    if (!seeds[i].is_number_unsigned())
      throw InputError(s.file + ": /seeds/" + std::to_string(i), "a seed is a non-negative integer");
    const std::uint64_t seed = seeds[i].get<std::uint64_t>();
    if (!seen.insert(seed).second)
      throw InputError(s.file + ": /seeds/" + std::to_string(i), "seed " + std::to_string(seed) + " is given twice");
    s.seeds.push_back(seed);
  }
}

// The config of the base with `sets` applied, parsed as `s2sim run` parses it, its
// workload built. Returns the seed it runs with; throws InputError.
std::uint64_t check_config(const SweepSpec& s, const std::vector<std::string>& sets, const std::string& run_dir) {
  const std::string config_name = s.base_path.empty() ? s.file + ": /base" : s.base_path;
  const std::string base_dir =
      s.base_path.empty() ? fs::absolute(run_dir).lexically_normal().string() : fs::path(s.base_path).parent_path().string();
  json doc = s.base;
  for (const std::string& set : sets) apply_override(doc, set);
  if (!s.seeds.empty()) doc["seed"] = s.seeds.front();
  const SimConfig cfg = parse_config(doc, config_name, base_dir);
  // Every point reads its trace from the start: stdin or a pipe can be read only once
  // (and checking the config here would already consume it).
  const json& w = cfg.workload;
  if (w.is_object() && w.value("kind", "") == "trace" && w.contains("path") && w["path"].is_string()) {
    const fs::path trace = fs::path(base_dir) / w["path"].get<std::string>();
    std::error_code ec;
    if (w["path"] == "-" || (fs::exists(trace, ec) && !fs::is_regular_file(trace, ec)))
      throw InputError(config_name + ": /workload/path",
                       "every sweep point reads the trace anew, so it must be a file, not stdin or a pipe");
  }
  workloads::make_workload(cfg.workload, "/workload", workload_env(cfg));
  return cfg.seed;
}

// Checks every axis combination's config exactly as `s2sim run` will build it (with
// the first seed: a seed never makes a config invalid). An error is placed at the
// axis value that alone makes the base fail the same way, else at the point.
void check_points(SweepSpec& s, const std::string& run_dir) {
  const std::size_t per_seed = s.seeds.empty() ? 1 : s.seeds.size();
  for (std::size_t combo = 0; combo < s.points / per_seed; ++combo) {
    const SweepPoint p = sweep_point(s, combo * per_seed);
    const std::vector<std::string> sets = point_overrides(s, p);
    try {
      const std::uint64_t seed = check_config(s, sets, run_dir);
      if (s.seeds.empty()) s.seeds.push_back(seed);  // the base's own seed (no axis sets it)
    } catch (const InputError& e) {
      if (s.axes.empty()) throw InputError(s.base_path.empty() ? "" : s.file + ": /base", e.message());
      for (std::size_t a = 0; a < sets.size(); ++a) {
        try {
          check_config(s, {sets[a]}, run_dir);
        } catch (const InputError& alone) {
          if (alone.message() == e.message())
            throw InputError(s.file + ": " + axis_pointer(s.axes[a].path) + "/" + std::to_string(p.value[a]), e.message());
        }
      }
      throw InputError(s.file + ": /axes", "point " + std::to_string(p.index) + " (" + point_slug(s, p) +
                                               ") is not a valid config: " + e.message());
    }
  }
}

}  // namespace

SweepSpec load_sweep_spec(const std::string& path, const std::string& run_dir) {
  SweepSpec s;
  s.file = path;
  const std::string text = read_spec_text(path);
  const json document = parse_json_text(text, path);
  if (!document.is_object())
    throw InputError(path, "a sweep spec is a JSON object: {\"base\": ..., \"axes\": {...}, \"seeds\": [...]}");
  // The axes in the order written (nlohmann::json sorts keys): it is the points' order.
  const nlohmann::ordered_json ordered = nlohmann::ordered_json::parse(text);
  JsonReader r(document, path);
  r.allow_text("comment");
  if (document.contains("comment")) s.comment = document["comment"].get<std::string>();
  read_base(s, r);
  read_axes(s, ordered, r);
  read_seeds(s, r);
  r.reject_unknown();

  s.points = 1;
  for (const SweepAxis& a : s.axes) {
    if (s.points > kMaxPoints / a.values.size())
      throw InputError(path + ": /axes", "more than " + std::to_string(kMaxPoints) + " points");
    s.points *= a.values.size();
  }
  if (!s.seeds.empty()) {
    if (s.points > kMaxPoints / s.seeds.size())
      throw InputError(path + ": /seeds", "more than " + std::to_string(kMaxPoints) + " points");
    s.points *= s.seeds.size();
  }
  check_points(s, run_dir);
  return s;
}

SweepPoint sweep_point(const SweepSpec& s, std::size_t index) {
  SweepPoint p;
  p.index = index;
  const std::size_t nseeds = s.seeds.empty() ? 1 : s.seeds.size();
  std::size_t rest = index / nseeds;
  p.seed = s.seeds.empty() ? 0 : s.seeds[index % nseeds];
  p.value.resize(s.axes.size());
  for (std::size_t a = s.axes.size(); a-- > 0;) {
    p.value[a] = rest % s.axes[a].values.size();
    rest /= s.axes[a].values.size();
  }
  return p;
}

std::vector<std::string> point_overrides(const SweepSpec& s, const SweepPoint& p) {
  std::vector<std::string> sets;
  for (std::size_t a = 0; a < s.axes.size(); ++a) sets.push_back(s.axes[a].path + "=" + s.axes[a].values[p.value[a]].dump());
  return sets;
}

std::string point_slug(const SweepSpec& s, const SweepPoint& p) {
  // Characters that need no quoting in a shell or a URL; anything else becomes '_'.
  auto clean = [](const std::string& text) {
    std::string out;
    for (char c : text.substr(0, 32)) {
      const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '-' || c == '+';
      out += keep ? c : '_';
    }
    return out;
  };
  std::string slug = std::to_string(p.index);
  const std::size_t width = std::max<std::size_t>(4, std::to_string(s.points ? s.points - 1 : 0).size());
  if (slug.size() < width) slug.insert(0, width - slug.size(), '0');
  for (std::size_t a = 0; a < s.axes.size(); ++a) {
    const std::string& path = s.axes[a].path;
    const std::string name = path.substr(path.find_last_of("./") == std::string::npos ? 0 : path.find_last_of("./") + 1);
    slug += "_" + clean(name) + "=" + clean(csv_value_cell(s.axes[a].values[p.value[a]]));
  }
  return slug + "_seed=" + std::to_string(p.seed);
}

nlohmann::ordered_json point_axes(const SweepSpec& s, const SweepPoint& p) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (std::size_t a = 0; a < s.axes.size(); ++a)
    j[s.axes[a].path] = nlohmann::ordered_json::parse(s.axes[a].values[p.value[a]].dump());
  return j;
}

}  // namespace s2sim::sim
