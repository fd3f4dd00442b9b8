#include "workloads/workload_factory.h"

#include <algorithm>
#include <cstdint>

#include "workloads/builtin_workloads.h"

namespace s2sim::workloads {

WorkloadRegistry& workload_registry() {
  static WorkloadRegistry registry = [] {
    WorkloadRegistry r;
    register_sequential_workload(r);
    register_uniform_workload(r);
    register_zipf_workload(r);
    register_hotset_workload(r);
    register_pmd_crossing_workload(r);
    register_periodic_workload(r);
    register_phases_workload(r);
    register_trace_workload(r);
    return r;
  }();
  return registry;
}

namespace {

// JSON has one kind of number, but nlohmann::json stores a non-negative integer as
// signed when it was built in C++ ({"ops", 1000}) and as unsigned when parsed from
// text, and JsonReader::get_u64 accepts only the latter. A spec assembled in code
// (a built-in default, a --set override) must read the same as the same text in a
// file, so integers are made unsigned wherever they are non-negative.
nlohmann::json unsigned_integers(const nlohmann::json& j) {
  if (j.is_number_integer() && !j.is_number_unsigned()) {
    const std::int64_t v = j.get<std::int64_t>();
    return v >= 0 ? nlohmann::json(static_cast<std::uint64_t>(v)) : j;
  }
  if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto it = j.begin(); it != j.end(); ++it) out[it.key()] = unsigned_integers(it.value());
    return out;
  }
  if (j.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& e : j) out.push_back(unsigned_integers(e));
    return out;
  }
  return j;
}

}  // namespace

std::unique_ptr<OpSource> make_workload(const nlohmann::json& spec_in, const std::string& pointer, const WorkloadEnv& env) {
  const nlohmann::json spec = unsigned_integers(spec_in);
  JsonReader reader(spec, env.config_file, pointer);
  const std::string kind = reader.get_string("kind");
  const WorkloadFactory* factory = workload_registry().find(kind);
  if (factory == nullptr) {
    const std::vector<std::string> kinds = workload_kinds();
    std::string list;
    for (const auto& k : kinds) list += (list.empty() ? "" : ", ") + ("\"" + k + "\"");
    std::string msg = "unknown workload kind \"" + kind + "\" (expected one of " + list + ")";
    const std::string near = closest_match(kind, kinds);
    if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
    reader.fail("kind", msg);
  }
  std::unique_ptr<OpSource> source = (*factory)(reader, env);
  // Factories are expected to have done this already, before their semantic checks;
  // repeating it keeps a forgetful factory from accepting misspelt keys.
  reader.reject_unknown();
  return source;
}

std::vector<std::string> workload_kinds() {
  std::vector<std::string> kinds = workload_registry().names();
  std::sort(kinds.begin(), kinds.end());
  return kinds;
}

}  // namespace s2sim::workloads
