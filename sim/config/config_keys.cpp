#include "sim/config/config_keys.h"

#include <bit>
#include <cstdio>

#include "sim/config/config_fields.h"
#include "workloads/workload_factory.h"

namespace s2sim::sim {

namespace {

// 1e+07, 0.001, 300: short, and exact for every bound and default in the tables.
std::string format_real(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Bounds that are powers of two read better as such: 2^24, 2^52 − 1.
std::string format_count(std::uint64_t v) {
  if (v >= (std::uint64_t{1} << 20)) {
    if (std::has_single_bit(v)) return "2^" + std::to_string(std::countr_zero(v));
    if (v == UINT64_MAX) return "2^64 − 1";
    if (std::has_single_bit(v + 1)) return "2^" + std::to_string(std::countr_zero(v + 1)) + " − 1";
  }
  return std::to_string(v);
}

std::string quoted(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) s += (s.empty() ? "" : ", ") + ("`\"" + w + "\"`");
  return s;
}

// Lists the keys of a table, each under the path of the object it sits in.
class KeyLister {
 public:
  KeyLister(std::vector<ConfigKey>& out, std::string path, std::string pointer, std::string when,
            std::string when_key)
      : out_(out),
        path_(std::move(path)),
        pointer_(std::move(pointer)),
        when_(std::move(when)),
        when_key_(std::move(when_key)) {}

  void operator()(const Flag& f, bool) {
    ConfigKey& k = add(f.key, "boolean", f.meaning);
    set_default(k, f.def, f.def ? "`true`" : "`false`");
    k.values = "`true`, `false`";
  }

  template <class T>
  void operator()(const Whole<T>& f, const T&) {
    ConfigKey& k = add(f.key, "integer", f.meaning);
    if (f.required) {
      k.default_text = "required";
    } else if (f.computed) {
      k.default_text = f.computed;
    } else {
      set_default(k, f.def, "`" + std::to_string(f.def) + "`");
    }
    k.quiet = f.quiet;
    k.min = f.min;
    k.max = f.max;
    k.values = f.values ? f.values
                        : format_count(static_cast<std::uint64_t>(f.min)) + " .. " +
                              format_count(static_cast<std::uint64_t>(f.max));
  }

  void operator()(const Real& f, double) {
    ConfigKey& k = add(f.key, "number", f.meaning);
    set_default(k, f.def, "`" + format_real(f.def) + "`");
    k.min = f.min;
    k.max = f.max;
    k.values = format_real(f.min) + " .. " + format_real(f.max);
  }

  void operator()(const Text& f, const std::string&) {
    ConfigKey& k = add(f.key, "string", f.meaning);
    set_default(k, f.def, "`" + nlohmann::json(f.def).dump() + "`");
    k.values = "any text";
  }

  void operator()(const Named& f, const std::string&) { word(f.key, f.def, f.names(), f.meaning); }

  template <class E>
  void operator()(const Choice<E>& f, E) {
    word(f.key, enum_name(f.names, f.def), enum_names(f.names), f.meaning);
    if (f.computed) out_.back().default_text = f.computed;
    out_.back().quiet = f.quiet;
  }

  void operator()(const Word& f, const std::string&) {
    word(f.key, f.def, std::vector<std::string>(f.words.begin(), f.words.end()), f.meaning);
  }

  void operator()(const Ignored& f) {
    ConfigKey& k = add(f.key, "any", f.meaning);
    k.default_text = "—";
    k.values = "any text (not read)";
  }

  template <class F>
  void check(const char*, F&&) {}

  template <class F>
  void operator()(const Section& s, F&& fields) {
    ConfigKey& k = add(s.key, "object", s.meaning);
    set_default(k, nlohmann::json::object(), "`{}`");
    k.values = "an object of the keys below";
    KeyLister inner = nested(s.key, "/" + std::string(s.key));
    fields(inner);
  }

  // The kind, its options' meanings in its own row; each option's keys after it.
  template <class F>
  void operator()(const Kind& kind, const std::string&, F&& options) {
    std::vector<std::string> names;
    std::string meanings;
    options([&](const char* name, const char* meaning, auto&&) {
      names.emplace_back(name);
      meanings += std::string(meanings.empty() ? "" : "; ") + "`" + name + "`: " + meaning;
    });
    word(kind.key, names.front(), names, std::string(kind.meaning) + ". " + meanings);
    out_.back().quiet = kind.quiet;
    options([&](const char* name, const char*, auto&& fields) {
      KeyLister inner(out_, path_, pointer_, name, kind.key);
      fields(inner);
    });
  }

  void operator()(const Part& p, const MachineConfig&) {
    ConfigKey& k = add(p.key, "string or object", p.meaning);
    set_default(k, p.def, "`" + p.def.dump() + "`");
    k.values = "a machine name, or an object";
  }

  void operator()(const Part& p, const mmu::Geometry& g) {
    std::vector<std::string> names;
    for (const GeometryPreset& preset : kGeometryPresets) names.emplace_back(preset.name);
    ConfigKey& k = add(p.key, "string or object", p.meaning);
    set_default(k, p.def, "`" + p.def.dump() + "`");
    k.choices = names;
    k.values = quoted(names) + ", or an object";
    KeyLister inner = nested(p.key, "/" + std::string(p.key));
    geometry_fields(g, inner);
  }

  void operator()(const Part& p, const std::vector<MemslotConfig>&) {
    ConfigKey& k = add(p.key, "array", p.meaning);
    k.default_text = "required";
    k.values = "an array of objects of the keys below";
    KeyLister inner = nested(std::string(p.key) + "[]", "/" + std::string(p.key) + "/0");
    const MemslotConfig slot{};
    memslot_fields(slot, 0, inner);
  }

  void operator()(const Part& p, const nlohmann::json&) {
    ConfigKey& k = add(p.key, "object", p.meaning);
    set_default(k, p.def, "`" + p.def.dump() + "`");
    k.choices = workloads::workload_kinds();
    k.values = "`kind`: " + quoted(k.choices) + "; and that kind's keys";
  }

 private:
  ConfigKey& add(const std::string& key, const char* type, const std::string& meaning) {
    ConfigKey k;
    k.path = path_ + key;
    k.pointer = pointer_ + "/" + key;
    k.when = when_;
    k.when_key = when_key_;
    k.type = type;
    k.meaning = meaning;
    out_.push_back(std::move(k));
    return out_.back();
  }

  static void set_default(ConfigKey& k, nlohmann::json def, std::string text) {
    k.def = std::move(def);
    k.default_text = std::move(text);
  }

  void word(const char* key, const std::string& def, std::vector<std::string> names, const std::string& meaning) {
    ConfigKey& k = add(key, "string", meaning);
    set_default(k, def, "`\"" + def + "\"`");
    k.values = quoted(names);
    k.choices = std::move(names);
  }

  KeyLister nested(const std::string& key, const std::string& pointer) const {
    return KeyLister(out_, path_ + key + ".", pointer_ + pointer, when_, when_key_);
  }

  std::vector<ConfigKey>& out_;
  std::string path_, pointer_, when_, when_key_;
};

}  // namespace

std::vector<ConfigKey> config_keys() {
  std::vector<ConfigKey> keys;
  KeyLister lister(keys, "", "", "", "");
  const SimConfig c{};
  config_fields(c, lister);
  return keys;
}

std::string config_keys_markdown() {
  std::string md = "| key | default | values | meaning |\n|---|---|---|---|\n";
  for (const ConfigKey& k : config_keys()) {
    const std::string meaning = k.when.empty() ? k.meaning : k.when_key + " `" + k.when + "`: " + k.meaning;
    md += "| `" + k.path + "` | " + k.default_text + " | " + k.values + " | " + meaning + " |\n";
  }
  return md;
}

}  // namespace s2sim::sim
