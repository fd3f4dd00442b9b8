// to_json: the resolved config written through the field tables (config_fields.h),
// in the shape parse_config reads, so that a result's config replays its run.
#include "sim/config/config.h"
#include "sim/config/config_fields.h"

namespace s2sim::sim {

namespace {

// Writes each field of a table under its key; allowed-but-unread keys are left out.
class FieldWriter {
 public:
  explicit FieldWriter(nlohmann::json& j) : j_(j) {}

  void operator()(const Flag& f, bool v) { j_[f.key] = v; }
  template <class T>
  void operator()(const Whole<T>& f, const T& v) {
    if (!f.quiet || v != f.def) j_[f.key] = v;
  }
  void operator()(const Real& f, double v) { j_[f.key] = v; }
  void operator()(const Text& f, const std::string& v) { j_[f.key] = v; }
  void operator()(const Named& f, const std::string& v) { j_[f.key] = v; }
  template <class E>
  void operator()(const Choice<E>& f, E v) {
    if (!f.quiet || v != f.def) j_[f.key] = enum_name(f.names, v);
  }
  void operator()(const Word& f, const std::string& v) { j_[f.key] = v; }
  void operator()(const Ignored&) {}
  template <class F>
  void check(const char*, F&&) {}

  template <class F>
  void operator()(const Section& s, F&& fields) {
    nlohmann::json sub = nlohmann::json::object();
    FieldWriter inner(sub);
    fields(inner);
    j_[s.key] = std::move(sub);
  }

  // The kind, and the keys of that kind only.
  template <class F>
  void operator()(const Kind& k, const std::string& v, F&& options) {
    std::string first;
    options([&](const char* name, const char*, auto&&) {
      if (first.empty()) first = name;
    });
    if (k.quiet && v == first) return;
    j_[k.key] = v;
    options([&](const char* name, const char*, auto&& fields) {
      if (v == name) fields(*this);
    });
  }

  void operator()(const Part& p, const MachineConfig& m) { j_[p.key] = to_json(m); }

  // Always spelt out, a named geometry too.
  void operator()(const Part& p, const mmu::Geometry& g) {
    nlohmann::json sub = nlohmann::json::object();
    FieldWriter inner(sub);
    geometry_fields(g, inner);
    j_[p.key] = std::move(sub);
  }

  void operator()(const Part& p, const std::vector<MemslotConfig>& slots) {
    nlohmann::json list = nlohmann::json::array();
    for (std::size_t i = 0; i < slots.size(); ++i) {
      nlohmann::json slot = nlohmann::json::object();
      FieldWriter inner(slot);
      memslot_fields(slots[i], i, inner);
      list.push_back(std::move(slot));
    }
    j_[p.key] = std::move(list);
  }

  void operator()(const Part& p, const nlohmann::json& workload) { j_[p.key] = workload; }

 private:
  nlohmann::json& j_;
};

}  // namespace

nlohmann::json to_json(const SimConfig& c) {
  nlohmann::json j = nlohmann::json::object();
  FieldWriter writer(j);
  config_fields(c, writer);
  return j;
}

}  // namespace s2sim::sim
