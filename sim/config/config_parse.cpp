// parse_config: the config document read through the field tables (config_fields.h).
#include <algorithm>
#include <filesystem>
#include <type_traits>

#include "mmu/memslot.h"
#include "sim/config/config.h"
#include "sim/config/config_fields.h"
#include "util/json_reader.h"
#include "workloads/workload_factory.h"

namespace s2sim::sim {

namespace {

[[noreturn]] void refuse_memory(const std::string& where, std::uint64_t bytes, const SimConfig& c) {
  throw InputError(where, "this run would need about " + std::to_string(bytes >> 20) +
                              " MiB of host memory, above the limit of " + std::to_string(c.memory_limit_mib) +
                              " MiB (raise /memory_limit_mib to allow it)");
}

namespace fs = std::filesystem;

// An absent section reads as {} (JsonReader keeps a reference: it must outlive it).
const nlohmann::json& empty_object() {
  static const nlohmann::json e = nlohmann::json::object();
  return e;
}

std::string quoted_list(const std::vector<std::string>& names, const char* last_separator) {
  std::string list;
  for (std::size_t i = 0; i < names.size(); ++i) {
    list += i == 0 ? "" : i + 1 == names.size() ? last_separator : ", ";
    list += names[i];
  }
  return list;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
  const std::string near = closest_match(word, candidates);
  return near.empty() ? "" : "; did you mean \"" + near + "\"?";
}

// "machine": a name under configs/machines/ (or the config's own machines/), or an
// inline machine object.
MachineConfig read_machine(const nlohmann::json& v, const std::string& file, const std::string& pointer,
                           const std::string& base_dir) {
  if (v.is_string()) {
    const std::string name = v.get<std::string>();
    std::string path = configs_dir() + "/machines/" + name + ".json";
    if (!base_dir.empty() && fs::exists(base_dir + "/machines/" + name + ".json")) path = base_dir + "/machines/" + name + ".json";
    std::error_code ec;
    if (name.empty() || name.find('/') != std::string::npos || !fs::exists(path, ec)) {
      std::vector<std::string> known;
      for (const auto& e : fs::directory_iterator(configs_dir() + "/machines", ec))
        known.push_back(e.path().stem().string());
      throw InputError(file + ": " + pointer,
                       "unknown machine \"" + name + "\" (no " + path + ")" + did_you_mean(name, known));
    }
    const nlohmann::json m = parse_json_text(read_text_file(path, "machine file"), path);
    return load_machine(m, path, "");
  }
  if (!v.is_object()) throw InputError(file + ": " + pointer, "must be a machine name or an object");
  return load_machine(v, file, pointer);
}

// Sets every field of a table to its default (the keys of a stop rule kind not chosen).
struct FieldDefaults {
  void operator()(const Flag& f, bool& out) const { out = f.def; }
  template <class T>
  void operator()(const Whole<T>& f, T& out) const { out = f.def; }
  void operator()(const Real& f, double& out) const { out = f.def; }
  void operator()(const Text& f, std::string& out) const { out = f.def; }
  void operator()(const Named& f, std::string& out) const { out = f.def; }
  template <class E>
  void operator()(const Choice<E>& f, E& out) const { out = f.def; }
  void operator()(const Word& f, std::string& out) const { out = f.def; }
  void operator()(const Ignored&) const {}
  template <class F>
  void check(const char*, F&&) const {}
};

// Reads the keys of one object into the config being built, strictly: types and
// ranges checked, every key the table declares allowed (and so offered by "did you
// mean"), every error an InputError naming the file and the key's JSON pointer.
class FieldReader {
 public:
  FieldReader(JsonReader& r, const SimConfig& built) : r_(r), built_(built) {}

  void operator()(const Flag& f, bool& out) { out = r_.get_bool_or(f.key, f.def); }

  template <class T>
  void operator()(const Whole<T>& f, T& out) {
    // An unsigned 64-bit member takes the whole unsigned range; the others fit int64.
    if constexpr (std::is_same_v<T, std::uint64_t>) {
      out = f.required ? r_.get_u64(f.key, f.min, f.max) : r_.get_u64_or(f.key, f.def, f.min, f.max);
    } else {
      out = static_cast<T>(f.required ? r_.get_int(f.key, f.min, f.max) : r_.get_int_or(f.key, f.def, f.min, f.max));
    }
  }

  void operator()(const Real& f, double& out) { out = r_.get_double_or(f.key, f.def, f.min, f.max); }
  void operator()(const Text& f, std::string& out) { out = r_.get_string_or(f.key, f.def); }

  void operator()(const Named& f, std::string& out) {
    out = r_.get_string_or(f.key, f.def);
    const std::vector<std::string>& names = f.names();
    if (std::find(names.begin(), names.end(), out) != names.end()) return;
    r_.fail(f.key, std::string("unknown ") + f.noun + " \"" + out + "\" (expected " + quoted_list(names, " or ") + ")" +
                       did_you_mean(out, names));
  }

  template <class E>
  void operator()(const Choice<E>& f, E& out) {
    out = *enum_value(f.names, r_.get_enum_or(f.key, enum_name(f.names, f.def), enum_names(f.names)));
  }

  void operator()(const Word& f, std::string& out) {
    out = r_.get_enum_or(f.key, f.def, std::vector<std::string>(f.words.begin(), f.words.end()));
  }

  void operator()(const Ignored& f) { r_.allow_text(f.key); }

  template <class F>
  void check(const char* key, F&& problem) {
    if (const std::string p = problem(); !p.empty()) r_.fail(key, p);
  }

  template <class F>
  void operator()(const Section& s, F&& fields) {
    r_.allow(s.key);
    JsonReader sub = r_.has(s.key) ? r_.get_object(s.key) : JsonReader(empty_object(), r_.file(), r_.path(s.key));
    FieldReader inner(sub, built_);
    fields(inner);
    sub.reject_unknown();
  }

  template <class F>
  void operator()(const Kind& k, std::string& out, F&& options) {
    std::vector<std::string> names;
    options([&](const char* name, const char*, auto&&) { names.emplace_back(name); });
    out = r_.get_enum_or(k.key, names.front(), names);
    options([&](const char* name, const char*, auto&& fields) {
      if (out == name) {
        fields(*this);
      } else {
        FieldDefaults d;
        fields(d);
      }
    });
  }

  void operator()(const Part& p, MachineConfig& out) {
    r_.allow(p.key);
    out = read_machine(given_or_default(p), r_.file(), r_.path(p.key), built_.base_dir);
  }

  // A named geometry, or one spelt out key by key.
  void operator()(const Part& p, mmu::Geometry& out) {
    r_.allow(p.key);
    const nlohmann::json& v = given_or_default(p);
    const std::string where = r_.file() + ": " + r_.path(p.key);
    if (v.is_string()) {
      const std::string name = v.get<std::string>();
      std::vector<std::string> names;
      for (const GeometryPreset& g : kGeometryPresets) {
        if (name == g.name) {
          out = g.make();
          return;
        }
        names.emplace_back(g.name);
      }
      std::vector<std::string> quoted;
      for (const auto& n : names) quoted.push_back("\"" + n + "\"");
      throw InputError(where, "unknown geometry \"" + name + "\" (expected " + quoted_list(quoted, ", ") +
                                  " or an object)" + did_you_mean(name, names));
    }
    JsonReader g(v, r_.file(), r_.path(p.key));
    FieldReader inner(g, built_);
    geometry_fields(out, inner);
    g.reject_unknown();
    if (const std::string err = out.validate(); !err.empty()) throw InputError(where, err);
  }

  // Memslots: at least one, sorted out by KVM's own rules (no overlap, inside the IPA
  // space), each against the geometry read before them.
  void operator()(const Part& p, std::vector<MemslotConfig>& out) {
    const nlohmann::json& slots = r_.get_array(p.key);
    if (slots.empty()) throw InputError(r_.file() + ": " + r_.path(p.key), "at least one memslot is needed");
    mmu::Memslots check;
    std::uint64_t slot_bytes = 0;
    for (std::size_t i = 0; i < slots.size(); ++i) {
      const std::string at = r_.path(p.key) + "/" + std::to_string(i);
      JsonReader s(slots[i], r_.file(), at);
      FieldReader inner(s, built_);
      MemslotConfig m;
      memslot_fields(m, i, inner);
      s.reject_unknown();
      // Before check.add builds the slot's chunk table (8 bytes a 2 MiB chunk: 1 GiB for
      // a 2^36-page slot): a slot too large for the limit is refused unallocated. This
      // needs memory_limit_mib read before memslots (config_fields.h's order; the
      // catalogue's slot_2_36_pages_refused_small fails under its address-space limit if not).
      slot_bytes += estimate_slot_bytes(m.npages);
      if (slot_bytes > built_.memory_limit_mib << 20) refuse_memory(r_.file() + ": " + r_.path(p.key), slot_bytes, built_);
      const std::string err = check.add(m.id, m.base_gfn, m.npages, m.hugepages, built_.geometry.ipa_bits);
      if (!err.empty()) throw InputError(r_.file() + ": " + at, err);
      out.push_back(m);
    }
  }

  // The workload is kept as given: workloads::make_workload validates it when the
  // engine builds it.
  void operator()(const Part& p, nlohmann::json& out) {
    r_.allow(p.key);
    out = given_or_default(p);
  }

 private:
  const nlohmann::json& given_or_default(const Part& p) const { return r_.has(p.key) ? r_.json().at(p.key) : p.def; }

  JsonReader& r_;
  const SimConfig& built_;
};

}  // namespace

SimConfig parse_config(const nlohmann::json& doc, const std::string& file, const std::string& base_dir) {
  SimConfig c;
  c.file = file;
  c.base_dir = base_dir;
  JsonReader r(doc, file);
  FieldReader reader(r, c);
  config_fields(c, reader);
  r.reject_unknown();
  workloads::make_trace_paths_absolute(c.workload, base_dir);

  const std::uint64_t est = estimate_memory_bytes(c);
  if (est > c.memory_limit_mib << 20)
    refuse_memory(file + ": " + estimate_blame(c), est, c);
  return c;
}

}  // namespace s2sim::sim
