// A sweep spec and its points.
//
//   {"base": "configs/x.json" | {...config...},
//    "axes": {"dirty_log.walker": ["v4", "range"], "vcpus": [1, 2, 4]},
//    "seeds": [1, 2]}
//
// Each axis is a `--set` path with the values it takes; the points are the cartesian
// product of the axes times the seeds. Point order, and so each point's index: the
// first axis varies slowest, the last axis faster, the seed fastest (like nested
// loops written in the spec's order, seeds innermost). The index of a point depends
// only on the spec.
//
// A base given by path is relative to the spec's directory and runs from where it
// is (its own relative paths keep their meaning); an inline base is written to the
// sweep's directory as base.json and runs from there. "seeds" may be left out: one
// seed, the base's own. "axes" may be left out: a sweep over seeds only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace s2sim::sim {

struct SweepAxis {
  std::string path;                   // as written in the spec: a --set path
  std::vector<nlohmann::json> values;
};

struct SweepSpec {
  std::string file;         // the spec's path as given (for messages)
  std::string base_path;    // the base config file (absolute), or "" for an inline base
  nlohmann::json base;      // the base config document
  std::vector<SweepAxis> axes;
  std::vector<std::uint64_t> seeds;
  std::size_t points = 0;   // product of the axes' sizes times the seeds
  std::string comment;      // the spec's own comment (free text), shown by its HTML report
};

struct SweepPoint {
  std::size_t index = 0;
  std::vector<std::size_t> value;  // per axis, the index of its value
  std::uint64_t seed = 0;
};

// Reads and checks a spec: its shape, then every point's config (built exactly as the
// point will run it, as if the base lived in `run_dir` when it is inline), so that no
// point of a sweep that starts can be refused as bad input. Throws InputError located
// at the spec ("SPEC: /axes/vcpus/2: ..."), nothing written.
SweepSpec load_sweep_spec(const std::string& path, const std::string& run_dir);

SweepPoint sweep_point(const SweepSpec& spec, std::size_t index);
// The point's --set overrides, "PATH=VALUE" with the value as JSON.
std::vector<std::string> point_overrides(const SweepSpec& spec, const SweepPoint& p);
// A readable file-name part: "0007_walker=range_vcpus=2_seed=1" (the index padded to
// at least four digits, then each axis by the last part of its path).
std::string point_slug(const SweepSpec& spec, const SweepPoint& p);
// The axis values of a point as an object keyed by axis path (in spec order).
nlohmann::ordered_json point_axes(const SweepSpec& spec, const SweepPoint& p);

}  // namespace s2sim::sim
