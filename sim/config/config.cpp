#include "sim/config/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "util/json_reader.h"
#include "workloads/workload_factory.h"

#ifndef S2SIM_CONFIG_DIR_DEFAULT
#define S2SIM_CONFIG_DIR_DEFAULT "configs"
#endif

namespace s2sim::sim {

namespace fs = std::filesystem;

std::string configs_dir() {
  if (const char* env = std::getenv("S2SIM_CONFIG_DIR")) return env;
  return S2SIM_CONFIG_DIR_DEFAULT;
}

nlohmann::json parse_json_text(const std::string& text, const std::string& file) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann reports the 1-based offset of the byte at fault; turn it into
    // line:column for the user.
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') { ++line; col = 1; } else { ++col; }
    }
    std::string what = e.what();
    const auto pos = what.find("syntax error");
    if (pos != std::string::npos) what = what.substr(pos);
    throw InputError(file + ":" + std::to_string(line) + ":" + std::to_string(col), "malformed JSON: " + what);
  } catch (const nlohmann::json::out_of_range&) {
    // nlohmann throws out_of_range.406 for a number no double can hold (1e999); it
    // carries no position, so the file is all we can name.
    throw InputError(file, "malformed JSON: a number is too large to represent (beyond the range of a double)");
  }
}

namespace {

std::string read_text_file(const std::string& path, const std::string& what) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw InputError(path, what + " is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "cannot read " + what + " (missing or unreadable)");
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw InputError(path, "cannot read " + what);
  return ss.str();
}

mmu::Geometry parse_geometry(const nlohmann::json& v, const std::string& file) {
  if (v.is_string()) {
    const std::string n = v.get<std::string>();
    if (n == "armv7-lpae") return mmu::Geometry::armv7_lpae();
    if (n == "armv8-4level") return mmu::Geometry::armv8_4level();
    if (n == "armv8-3level") return mmu::Geometry::armv8_3level();
    std::string msg = "unknown geometry \"" + n + "\" (expected \"armv7-lpae\", \"armv8-3level\", \"armv8-4level\" or an object)";
    const std::string near = closest_match(n, {"armv7-lpae", "armv8-3level", "armv8-4level"});
    if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
    throw InputError(file + ": /geometry", msg);
  }
  JsonReader r(v, file, "/geometry");
  mmu::Geometry g;
  g.arch = static_cast<unsigned>(r.get_int_or("arch", 7, 7, 8));
  g.ipa_bits = static_cast<unsigned>(r.get_int_or("ipa_bits", 40, 25, 48));
  g.pa_bits = static_cast<unsigned>(r.get_int_or("pa_bits", g.arch == 7 ? 40 : 48, 40, 48));
  g.start_level = static_cast<mmu::level_t>(r.get_int_or("start_level", 1, 0, 1));
  g.name = r.get_string_or("name", "custom");
  r.reject_unknown();
  const std::string err = g.validate();
  if (!err.empty()) throw InputError(file + ": /geometry", err);
  return g;
}

MachineConfig parse_machine(const nlohmann::json& v, const std::string& file, const std::string& base_dir) {
  if (v.is_string()) {
    const std::string name = v.get<std::string>();
    std::string path = configs_dir() + "/machines/" + name + ".json";
    if (!base_dir.empty() && fs::exists(base_dir + "/machines/" + name + ".json")) path = base_dir + "/machines/" + name + ".json";
    std::error_code ec;
    if (name.empty() || name.find('/') != std::string::npos || !fs::exists(path, ec)) {
      std::vector<std::string> known;
      for (const auto& dir : {configs_dir() + "/machines"}) {
        for (const auto& e : fs::directory_iterator(dir, ec)) known.push_back(e.path().stem().string());
      }
      std::string msg = "unknown machine \"" + name + "\" (no " + path + ")";
      const std::string near = closest_match(name, known);
      if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
      throw InputError(file + ": /machine", msg);
    }
    const nlohmann::json m = parse_json_text(read_text_file(path, "machine file"), path);
    return load_machine(m, path, "");
  }
  if (!v.is_object()) throw InputError(file + ": /machine", "must be a machine name or an object");
  return load_machine(v, file, "/machine");
}

StopRuleConfig parse_stop_rule(JsonReader r) {
  StopRuleConfig s;
  s.kind = r.get_enum_or("kind", "qemu", {"qemu", "xen", "threshold"});
  if (s.kind == "qemu") {
    s.downtime_limit_ms = r.get_double_or("downtime_limit_ms", 300, 0.001, 1e7);
  } else if (s.kind == "xen") {
    s.max_iterations = r.get_u64_or("max_iterations", 29, 1, 1000000);
    s.min_pages = r.get_u64_or("min_pages", 50, 0, UINT64_MAX);
    s.max_factor = r.get_double_or("max_factor", 3.0, 0.01, 1e6);
  } else {
    s.dirty_pages = r.get_u64_or("dirty_pages", 0, 0, UINT64_MAX);
    s.rounds = r.get_u64_or("rounds", 0, 0, 1000000);
  }
  r.allow("comment");
  r.reject_unknown();
  return s;
}

// An absent section reads as {} (JsonReader keeps a reference: it must outlive it).
const nlohmann::json& empty_object() {
  static const nlohmann::json e = nlohmann::json::object();
  return e;
}

}  // namespace

nlohmann::json load_config_json(const std::string& path) {
  if (path.empty()) return nlohmann::json::parse(default_config_text());
  const std::string text = read_text_file(path, "config file");
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) throw InputError(path, "config file is empty");
  return parse_json_text(text, path);
}

SimConfig parse_config(const nlohmann::json& doc, const std::string& file, const std::string& base_dir) {
  SimConfig c;
  c.file = file;
  c.base_dir = base_dir;
  JsonReader r(doc, file);
  c.comment = r.get_string_or("comment", "");
  c.seed = r.get_u64_or("seed", 1, 0, UINT64_MAX);
  c.machine = parse_machine(doc.contains("machine") ? doc.at("machine") : nlohmann::json("cortex-a15"), file, base_dir);
  r.allow("machine");
  c.geometry = parse_geometry(doc.contains("geometry") ? doc.at("geometry") : nlohmann::json("armv7-lpae"), file);
  r.allow("geometry");
  c.vcpus = static_cast<unsigned>(r.get_int_or("vcpus", 1, 1, 64));
  c.memory_limit_mib = r.get_u64_or("memory_limit_mib", 4096, 16, 1u << 24);

  // Memslots: sorted, non-overlapping, inside the IPA space.
  const nlohmann::json& slots = r.get_array("memslots");
  if (slots.empty()) throw InputError(file + ": /memslots", "at least one memslot is needed");
  mmu::Memslots check;
  for (std::size_t i = 0; i < slots.size(); ++i) {
    const std::string p = "/memslots/" + std::to_string(i);
    JsonReader s(slots[i], file, p);
    MemslotConfig m;
    m.id = static_cast<unsigned>(s.get_int_or("id", static_cast<std::int64_t>(i), 0, mmu::KVM_USER_MEM_SLOTS - 1));
    m.base_gfn = s.get_u64("base_gfn", 0, UINT64_MAX >> mmu::PAGE_SHIFT);
    m.npages = s.get_u64("npages", 1, std::uint64_t{1} << 36);
    m.hugepages = s.get_bool_or("hugepages", false);
    m.populate = s.get_bool_or("populate", false);
    s.allow("comment");
    s.reject_unknown();
    const std::string err = check.add(m.id, m.base_gfn, m.npages, m.hugepages, c.geometry.ipa_bits);
    if (!err.empty()) throw InputError(file + ": " + p, err);
    c.memslots.push_back(m);
  }

  {
    JsonReader d = r.has("dirty_log") ? r.get_object("dirty_log") : JsonReader(empty_object(), file, "/dirty_log");
    std::vector<std::string> names = mmu::wp_walker_names();
    c.dirty_log.walker = d.get_string_or("walker", "v4");
    if (!mmu::make_wp_walker(c.dirty_log.walker)) {
      std::string msg = "unknown walker \"" + c.dirty_log.walker + "\" (expected naive, v4, v4-fixed or range)";
      const std::string near = closest_match(c.dirty_log.walker, names);
      if (!near.empty()) msg += "; did you mean \"" + near + "\"?";
      d.fail("walker", msg);
    }
    const std::int64_t bpl = d.get_int_or("bits_per_long", 32, 32, 64);
    if (bpl != 32 && bpl != 64) d.fail("bits_per_long", "must be 32 (ARMv7) or 64 (arm64)");
    c.dirty_log.options.bits_per_long = static_cast<unsigned>(bpl);
    c.dirty_log.options.flush_tlbs = d.get_bool_or("flush_tlbs", true);
    c.dirty_log.options.snapshot =
        d.get_enum_or("snapshot", "kernel", {"kernel", "after_wp"}) == "kernel" ? mmu::SnapshotOrder::Kernel
                                                                                 : mmu::SnapshotOrder::AfterWp;
    c.dirty_log.options.flush_placement =
        d.get_enum_or("flush_placement", "seed", {"seed", "merged"}) == "seed" ? mmu::FlushPlacement::Seed
                                                                               : mmu::FlushPlacement::Merged;
    c.dirty_log.resched_lock = d.get_bool_or("resched_lock", false);
    c.block_policy = d.get_enum_or("block_policy", "dissolve", {"dissolve", "keep"}) == "dissolve"
                         ? mmu::BlockPolicy::Dissolve
                         : mmu::BlockPolicy::Keep;
    d.reject_unknown();
  }
  {
    JsonReader m = r.has("migration") ? r.get_object("migration") : JsonReader(empty_object(), file, "/migration");
    c.migration.enabled = m.get_bool_or("enabled", true);
    c.migration.link_gbps = m.get_double_or("link_gbps", 1.0, 1e-6, 1e5);
    c.migration.start_ms = m.get_double_or("start_ms", 0, 0, 1e9);
    c.migration.max_rounds = m.get_u64_or("max_rounds", 30, 1, 1000000);
    c.migration.slot = static_cast<unsigned>(m.get_int_or("slot", c.memslots[0].id, 0, mmu::KVM_USER_MEM_SLOTS - 1));
    if (!check.by_id(c.migration.slot)) m.fail("slot", "no memslot has id " + std::to_string(c.migration.slot));
    if (m.has("stop_rule")) c.migration.stop = parse_stop_rule(m.get_object("stop_rule"));
    m.allow("comment");
    m.reject_unknown();
  }
  {
    JsonReader h = r.has("host") ? r.get_object("host") : JsonReader(empty_object(), file, "/host");
    c.host.unmap_every_ms = h.get_double_or("unmap_every_ms", 0, 0, 1e9);
    c.host.unmap = h.get_enum_or("unmap", "page", {"page", "pmd"});
    h.reject_unknown();
  }
  {
    JsonReader v = r.has("verify") ? r.get_object("verify") : JsonReader(empty_object(), file, "/verify");
    c.verify.enabled = v.get_bool_or("enabled", true);
    c.verify.invariants = v.get_bool_or("invariants", false);
    v.reject_unknown();
  }

  // The workload is validated by building it once against the first memslot (or the
  // migrated one); the engine builds its own.
  c.workload = r.has("workload") ? doc.at("workload") : nlohmann::json{{"kind", "uniform"}, {"ops", 1000}};
  r.allow("workload");
  r.reject_unknown();

  const std::uint64_t est = estimate_memory_bytes(c);
  if (est > c.memory_limit_mib << 20)
    throw InputError(file + (estimate_model_bytes(c) > est / 2 ? ": /machine" : ": /memslots"),
                     "this run would need about " + std::to_string(est >> 20) + " MiB of host memory, above the limit of " +
                         std::to_string(c.memory_limit_mib) + " MiB (raise /memory_limit_mib to allow it)");
  return c;
}

workloads::WorkloadEnv workload_env(const SimConfig& cfg) {
  const auto slot = std::find_if(cfg.memslots.begin(), cfg.memslots.end(),
                                 [&](const MemslotConfig& m) { return m.id == cfg.migration.slot; });
  // parse_config rejects a migration slot no memslot has.
  if (slot == cfg.memslots.end()) throw std::logic_error("workload_env: no memslot is the migration slot");
  workloads::WorkloadEnv env;
  env.vcpus = cfg.vcpus;
  env.seed = cfg.seed;
  env.clock_hz = cfg.machine.clock_hz;
  env.slot_base_gfn = slot->base_gfn;
  env.slot_npages = slot->npages;
  env.ipa_bits = cfg.geometry.ipa_bits;
  env.config_file = cfg.file;
  env.base_dir = cfg.base_dir;
  return env;
}

std::uint64_t estimate_model_bytes(const SimConfig& cfg) {
  // Every cache line costs its tag, fingerprint and two LRU links (20 bytes); every
  // TLB or walk-cache entry its entry, fingerprint and links (about 40).
  const MachineConfig& m = cfg.machine;
  const std::uint64_t lines = m.l1d.lines() * (cfg.vcpus + 2) + m.l2.lines();
  std::uint64_t entries = m.tlb.main.entries;
  for (const auto* t : {&m.tlb.micro_load, &m.tlb.micro_store, &m.tlb.micro_data, &m.tlb.walk_cache})
    if (*t) entries += (*t)->entries;
  return lines * 20 + entries * cfg.vcpus * 40;
}

std::uint64_t estimate_memory_bytes(const SimConfig& cfg) {
  // Per slot, always: the dirty bitmap and its snapshot buffer (2 bits a page) and the
  // per-2 MiB bookkeeping (backing chunk, source and destination version chunks).
  // Per page written: dense, 8 bytes of pte plus its share of table frames, 4 of
  // source version, 4 of last-write time and 4 of destination version; sparse, each
  // written page may pull in a whole 512-page version chunk and pte table (~12 KiB).
  // A generator's writes are bounded by ops x vCPUs; a trace's are not known.
  std::uint64_t pages = 0, fixed = std::uint64_t{64} << 20;
  bool populated = false;
  for (const auto& m : cfg.memslots) {
    pages += m.npages;
    populated |= m.populate;
    fixed += m.npages / 4 + (m.npages / 512 + 1) * 24;
  }
  std::uint64_t touched = pages;
  // Compare with == rather than value("kind", ""): a non-string kind must reach the
  // workload factory's error, not throw a type_error here.
  if (!populated && cfg.workload.is_object() && !(cfg.workload.contains("kind") && cfg.workload["kind"] == "trace") &&
      cfg.workload.contains("ops") &&
      cfg.workload["ops"].is_number_unsigned()) {
    const std::uint64_t ops = cfg.workload["ops"].get<std::uint64_t>();
    if (ops < pages / cfg.vcpus) touched = ops * cfg.vcpus;
  }
  const std::uint64_t dense = pages * 20;
  const std::uint64_t sparse = touched > UINT64_MAX / 12288 ? UINT64_MAX : touched * 12288;
  return fixed + std::min(dense, sparse) + estimate_model_bytes(cfg);
}

nlohmann::json to_json(const SimConfig& c) {
  nlohmann::json j;
  j["comment"] = c.comment;
  j["seed"] = c.seed;
  j["machine"] = to_json(c.machine);
  j["geometry"] = {{"name", c.geometry.name}, {"arch", c.geometry.arch}, {"ipa_bits", c.geometry.ipa_bits},
                   {"pa_bits", c.geometry.pa_bits}, {"start_level", c.geometry.start_level}};
  j["memslots"] = nlohmann::json::array();
  for (const auto& m : c.memslots)
    j["memslots"].push_back({{"id", m.id}, {"base_gfn", m.base_gfn}, {"npages", m.npages}, {"hugepages", m.hugepages},
                             {"populate", m.populate}});
  j["vcpus"] = c.vcpus;
  j["memory_limit_mib"] = c.memory_limit_mib;
  j["workload"] = c.workload;
  const auto& o = c.dirty_log.options;
  j["dirty_log"] = {{"walker", c.dirty_log.walker},
                    {"bits_per_long", o.bits_per_long},
                    {"flush_tlbs", o.flush_tlbs},
                    {"snapshot", o.snapshot == mmu::SnapshotOrder::Kernel ? "kernel" : "after_wp"},
                    {"flush_placement", o.flush_placement == mmu::FlushPlacement::Seed ? "seed" : "merged"},
                    {"resched_lock", c.dirty_log.resched_lock},
                    {"block_policy", c.block_policy == mmu::BlockPolicy::Dissolve ? "dissolve" : "keep"}};
  nlohmann::json stop = {{"kind", c.migration.stop.kind}};
  if (c.migration.stop.kind == "qemu") stop["downtime_limit_ms"] = c.migration.stop.downtime_limit_ms;
  if (c.migration.stop.kind == "xen") {
    stop["max_iterations"] = c.migration.stop.max_iterations;
    stop["min_pages"] = c.migration.stop.min_pages;
    stop["max_factor"] = c.migration.stop.max_factor;
  }
  if (c.migration.stop.kind == "threshold") {
    stop["dirty_pages"] = c.migration.stop.dirty_pages;
    stop["rounds"] = c.migration.stop.rounds;
  }
  j["migration"] = {{"enabled", c.migration.enabled}, {"link_gbps", c.migration.link_gbps},
                    {"start_ms", c.migration.start_ms}, {"slot", c.migration.slot},
                    {"max_rounds", c.migration.max_rounds}, {"stop_rule", stop}};
  j["host"] = {{"unmap_every_ms", c.host.unmap_every_ms}, {"unmap", c.host.unmap}};
  j["verify"] = {{"enabled", c.verify.enabled}, {"invariants", c.verify.invariants}};
  return j;
}

void apply_override(nlohmann::json& doc, const std::string& assignment) {
  const auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw InputError("--set " + assignment, "expected PATH=VALUE (e.g. --set dirty_log.walker=range)");
  std::string path = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  std::string pointer;
  if (path[0] == '/') {
    pointer = path;
  } else {
    for (std::size_t start = 0; start <= path.size();) {
      const auto dot = path.find('.', start);
      const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (part.empty()) throw InputError("--set " + assignment, "empty key in path \"" + path + "\"");
      pointer += "/" + json_pointer_escape(part);
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
  }
  nlohmann::json value;
  try {
    value = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error&) {
    value = text;  // a bare word is a string: --set dirty_log.walker=range
  } catch (const nlohmann::json::out_of_range&) {
    throw InputError("--set " + assignment, "the number \"" + text + "\" is out of range (beyond a double)");
  }
  try {
    const nlohmann::json::json_pointer ptr(pointer);
    // Parents must exist and be objects (or arrays indexed in range).
    if (!ptr.empty() && !ptr.parent_pointer().empty() && !doc.contains(ptr.parent_pointer()))
      throw InputError("--set " + assignment, "no such key: " + ptr.parent_pointer().to_string());
    doc[ptr] = value;
  } catch (const nlohmann::json::exception& e) {
    throw InputError("--set " + assignment, std::string("cannot set ") + pointer + ": " + e.what());
  }
}

}  // namespace s2sim::sim
