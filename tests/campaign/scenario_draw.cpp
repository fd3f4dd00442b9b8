#include "campaign/scenario_draw.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <vector>

#include "mmu/granule.h"
#include "sim/config/config.h"
#include "workloads/prng.h"

namespace s2sim::campaign {
namespace {

using nlohmann::json;

using mmu::PMD_PAGES;                                              // 2 MiB of 4 KiB pages
constexpr std::uint64_t kPagesPerGiB = mmu::PUD_PAGES;             // a pgd/pud entry on 3 levels
constexpr std::uint64_t kPagesPer512GiB = std::uint64_t{1} << 27;  // a level-0 entry on 4 levels
constexpr std::uint64_t kVexpressRamGfn = 0x80000;                 // guest RAM at IPA 2 GiB

// Labels separating the streams drawn from one (campaign seed, index).
constexpr std::uint64_t kDrawStream = 0x64726177;      // "draw": the scenario's choices
constexpr std::uint64_t kEngineSeedStream = 0x73656564;  // "seed": the config's own seed
// The dirty-log API, from a stream of its own: a scenario that draws plain
// get_dirty_log is exactly the one the campaign drew before the APIs of today existed.
constexpr std::uint64_t kApiStream = 0x61706973;  // "apis"

// Rough cost of one guest operation beyond its think time, in cycles: most hit the
// TLB, but every first write to a page in a round takes a write-protect fault of
// about 7,500 cycles. Only used to scale the link and the host's unmap period to
// how long the guest runs, so it need not be precise.
constexpr double kOpOverheadCycles = 2500;

// Every choice a scenario makes, from one seeded stream (workloads/prng.h, so the
// same seed draws the same scenario with any compiler and standard library).
class Draw {
 public:
  explicit Draw(std::uint64_t seed) : rng_(seed) {}

  bool chance(double p) { return rng_.uniform01() < p; }
  // Uniform in [lo, hi].
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + rng_.below(hi - lo + 1); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * rng_.uniform01(); }
  // Every order of magnitude in [lo, hi] equally likely (lo > 0).
  double log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }
  template <typename T>
  T pick(std::initializer_list<T> items) {
    return *(items.begin() + static_cast<std::ptrdiff_t>(rng_.below(items.size())));
  }

 private:
  workloads::Rng rng_;
};

// Three significant digits: drawn rates and times read like hand-written ones in a
// dumped config, and survive the trip through JSON text unchanged.
double round3(double x) {
  if (x == 0.0) return 0.0;
  const double scale = std::pow(10.0, 2 - static_cast<int>(std::floor(std::log10(std::fabs(x)))));
  return std::round(x * scale) / scale;
}

// Removes every "source" and "comment" member: they only document the machine.
void strip_documentation(json& j) {
  if (!j.is_object()) return;
  j.erase("source");
  j.erase("comment");
  for (auto& [key, value] : j.items()) strip_documentation(value);
}

// --- geometry ----------------------------------------------------------------------

struct GeometryChoice {
  json doc;
  unsigned ipa_bits = 40;
  bool level0 = false;  // a 4-level walk: the pgd sits at level 0
};

GeometryChoice draw_geometry(Draw& d) {
  switch (d.between(0, 9)) {
    case 0: case 1: case 2: case 3: return {"armv7-lpae", 40, false};
    case 4: case 5: return {"armv8-3level", 40, false};
    case 6: case 7: return {"armv8-4level", 48, true};
    case 8: {
      // ARMv7 LPAE with a smaller VTCR.T0SZ: fewer concatenated level-1 tables.
      const unsigned bits = static_cast<unsigned>(d.between(31, 39));
      return {json{{"arch", 7u}, {"ipa_bits", bits}, {"pa_bits", 40u}, {"start_level", 1u}}, bits, false};
    }
    default: {
      if (d.chance(0.5)) {
        const unsigned bits = static_cast<unsigned>(d.between(40, 47));
        return {json{{"arch", 8u}, {"ipa_bits", bits}, {"pa_bits", 48u}, {"start_level", 0u}}, bits, true};
      }
      // Start at level 1 with up to 16 concatenated tables (a 43-bit IPA).
      const unsigned bits = static_cast<unsigned>(d.between(32, 43));
      return {json{{"arch", 8u}, {"ipa_bits", bits}, {"pa_bits", 48u}, {"start_level", 1u}}, bits, false};
    }
  }
}

// --- machine -----------------------------------------------------------------------

struct MachineChoice {
  json doc;  // a machine name, or the whole machine inline
  double clock_hz = 1.7e9;
};

json fully_associative(std::uint64_t entries) { return json{{"entries", entries}, {"ways", entries}}; }

// TLB sizes from a handful of entries (LRU thrashes on every workload) to more than
// the slot's pages (nothing is ever evicted): what survives in a TLB decides whether a
// stale writable entry outlives a write-protect.
json draw_tlb(Draw& d, bool shared_micro) {
  json tlb = json::object();
  const std::uint64_t main_entries = d.pick<std::uint64_t>({4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048});
  const std::uint64_t main_ways = d.chance(0.15) ? main_entries : std::min(main_entries, d.pick<std::uint64_t>({1, 2, 4}));
  tlb["main"] = json{{"entries", main_entries}, {"ways", main_ways}};
  auto micro = [&d]() { return d.chance(0.1) ? json(nullptr) : fully_associative(d.pick<std::uint64_t>({1, 2, 4, 8, 16, 32, 48})); };
  if (shared_micro) {
    tlb["micro_data"] = micro();
  } else {
    tlb["micro_load"] = micro();
    tlb["micro_store"] = micro();
  }
  if (d.chance(0.2)) {
    tlb["walk_cache"] = nullptr;
  } else {
    const std::uint64_t wc = d.pick<std::uint64_t>({4, 16, 64});
    tlb["walk_cache"] = json{{"entries", wc}, {"ways", d.chance(0.5) ? wc : std::uint64_t{4}}};
  }
  return tlb;
}

// The costs that set the width of the race windows: how long a flush takes to
// complete, how long a fault is in flight, how fast pages are copied, how long the
// lock takes to change hands.
json draw_costs(Draw& d) {
  return json{{"tlbi_all_is", d.pick<std::uint64_t>({100, 1000, 10000})},
              {"tlbi_ipa_is", d.pick<std::uint64_t>({100, 1000, 5000})},
              {"stage2_abort_host", d.pick<std::uint64_t>({1000, 5990, 20000})},
              {"fault_handler_work", d.pick<std::uint64_t>({200, 1500, 6000})},
              {"page_copy", d.pick<std::uint64_t>({500, 2500, 10000})},
              {"spin_lock", d.pick<std::uint64_t>({10, 40, 400})},
              {"lock_handover", d.pick<std::uint64_t>({20, 100, 2000})}};
}

MachineChoice draw_machine(Draw& d, const MachineBases& bases) {
  const bool a57 = d.chance(0.5);
  const json& base = a57 ? bases.cortex_a57 : bases.cortex_a15;
  MachineChoice m;
  m.clock_hz = base.at("clock").at("hz").get<double>();
  if (d.chance(0.45)) {
    m.doc = a57 ? "cortex-a57" : "cortex-a15";
    return m;
  }
  json machine = base;
  machine["name"] = std::string(a57 ? "cortex-a57" : "cortex-a15") + "-campaign";
  machine["tlb"] = draw_tlb(d, a57);
  // Per-IPA invalidation on an ARMv7 part, or whole-VMID flushes on an ARMv8 one: a
  // TLBIALLIS on every write-protect fault wipes stale entries the kernel relies on
  // nobody else wiping, so both settings must be safe.
  if (d.chance(0.2)) machine["tlbi_by_ipa"] = !base.at("tlbi_by_ipa").at("value").get<bool>();
  // With per-IPA invalidation, now and then the what-if of cortex-a57-ipa-only: no
  // TLBI VMALLE1IS after TLBI IPAS2E1IS, so no per-IPA flush wipes other pages'
  // entries; the kernel's order needs no such help.
  if (d.chance(0.2)) machine["ipa_flush_drops_combined"] = false;
  if (d.chance(0.5)) machine["costs"] = draw_costs(d);
  m.doc = std::move(machine);
  return m;
}

// --- memslot -----------------------------------------------------------------------

struct SlotChoice {
  std::uint64_t base_gfn = 0, npages = 0;
  bool hugepages = false;
};

SlotChoice draw_memslot(Draw& d, const GeometryChoice& g) {
  SlotChoice s;
  // 3 MiB to 48 MiB; often not a whole number of 2 MiB.
  s.npages = d.chance(0.4) ? PMD_PAGES * d.between(2, 24) : d.between(768, 12288);
  const std::uint64_t limit = std::uint64_t{1} << (g.ipa_bits - 12);
  const std::uint64_t max_base = limit - s.npages;
  const std::uint64_t max_aligned = max_base / PMD_PAGES * PMD_PAGES;
  // A base 2 MiB below a boundary `unit` apart: the slot straddles that boundary.
  auto straddle = [&](std::uint64_t unit) -> std::uint64_t {
    const std::uint64_t boundaries = (limit - 1) / unit;  // boundaries strictly inside the IPA space
    const std::uint64_t b = unit * d.between(1, boundaries);
    const std::uint64_t below = PMD_PAGES * d.between(1, (s.npages - 1) / PMD_PAGES);
    return std::min(b - std::min(b, below), max_aligned);
  };
  std::uint64_t base = 0;
  switch (d.between(0, 6)) {
    case 0: base = kVexpressRamGfn <= max_aligned ? kVexpressRamGfn : max_aligned; break;
    case 1: base = straddle(kPagesPerGiB); break;
    case 2: base = straddle(g.level0 ? kPagesPer512GiB : kPagesPerGiB); break;
    case 3: base = max_aligned; break;  // the top of the IPA space
    case 4: base = 0; break;            // IPA 0
    default: base = PMD_PAGES * d.between(0, max_aligned / PMD_PAGES); break;
  }
  // Half the slots start off a 2 MiB boundary: every pmd of the slot then holds pages
  // of two bitmap words' worth of offsets, and masked windows cross pmds.
  if (d.chance(0.5)) {
    base += d.between(1, PMD_PAGES - 1);
    if (base > max_base) base -= PMD_PAGES;
  }
  if (base > max_base) throw std::logic_error("campaign: memslot drawn beyond the IPA space");
  s.base_gfn = base;
  s.hugepages = d.chance(0.4);
  return s;
}

// --- workload ----------------------------------------------------------------------

struct Region {
  std::uint64_t first_gfn = 0, pages = 0;
};

struct WorkloadChoice {
  json spec;
  double span_cycles = 0;  // roughly how long one vCPU runs it
};

// Whether a pmd_crossing window of `window` pages fits around some 2 MiB boundary of
// every vCPU's part of `r` (the workload refuses the region otherwise).
bool windows_fit(const Region& r, std::uint64_t window, bool shared, unsigned vcpus) {
  const unsigned lanes = shared ? 1 : vcpus;
  const std::uint64_t part = shared ? r.pages : r.pages / vcpus;
  for (unsigned v = 0; v < lanes; ++v) {
    const std::uint64_t first = r.first_gfn + part * v;
    if (part < window) return false;
    const std::uint64_t lo = first + window / 2, hi = first + part - (window - window / 2);
    const std::uint64_t boundary = mmu::pmd_aligned(lo) ? lo : mmu::pmd_end_gfn(lo);
    if (boundary > hi) return false;
  }
  return true;
}

const char* const kKinds[] = {"sequential", "uniform", "zipf", "hotset", "pmd_crossing", "periodic"};

// One generator (not "phases"); `ops_lo`..`ops_hi` operations per vCPU.
WorkloadChoice draw_generator(Draw& d, const SlotChoice& slot, unsigned vcpus, double clock_hz, std::uint64_t ops_lo,
                              std::uint64_t ops_hi) {
  json w;
  std::string kind = kKinds[d.between(0, std::size(kKinds) - 1)];
  const std::uint64_t ops = d.between(ops_lo, ops_hi);
  // The region: the whole slot, or a part of it anywhere inside.
  Region region{slot.base_gfn, slot.npages};
  const bool sub = d.chance(0.3);
  if (sub) {
    region.pages = d.between(std::max<std::uint64_t>(16, slot.npages / 8), slot.npages);
    region.first_gfn = slot.base_gfn + d.between(0, slot.npages - region.pages);
  }
  bool shared = !(vcpus > 1 && d.chance(0.25));
  const std::uint64_t think = d.chance(0.1) ? 0 : static_cast<std::uint64_t>(std::llround(d.log_uniform(20, 40000)));
  const double write_ratio = d.pick<double>({1.0, 1.0, 0.9, 0.7, 0.5, 0.2, 0.05});

  if (kind == "pmd_crossing") {
    std::uint64_t window = d.pick<std::uint64_t>({2, 16, 32, 33, 64, 100, 512, 1024});
    // Fall back to shapes that always fit (a slot of 768 pages or more holds a
    // boundary with a page on each side), else to another kind.
    if (!windows_fit(region, window, shared, vcpus)) shared = true;
    if (!windows_fit(region, window, shared, vcpus)) region = Region{slot.base_gfn, slot.npages};
    if (!windows_fit(region, window, shared, vcpus)) window = 2;
    if (windows_fit(region, window, shared, vcpus)) w["window_pages"] = window;
    else kind = "uniform";
  }
  if (!shared && region.pages < vcpus) shared = true;
  const std::uint64_t lane_pages = shared ? region.pages : region.pages / vcpus;

  double span = static_cast<double>(ops) * (static_cast<double>(think) + kOpOverheadCycles);
  if (kind == "sequential") {
    w["stride"] = d.pick<std::uint64_t>({1, 1, 2, 7, 64, 511, 513});
    w["passes"] = d.pick<std::uint64_t>({0, 1, 2, 3});
    w["start"] = d.chance(0.5) ? 0 : d.between(0, lane_pages - 1);
  } else if (kind == "zipf") {
    w["exponent"] = round3(d.uniform(0.5, 1.6));
    w["permute"] = d.chance(0.6);
  } else if (kind == "hotset") {
    w["hot_fraction"] = round3(d.log_uniform(0.005, 0.3));
    w["hot_probability"] = round3(d.uniform(0.5, 0.99));
  } else if (kind == "periodic") {
    const double period_ms = round3(d.log_uniform(0.02, 3));
    const std::uint64_t burst = d.between(8, 1024);
    w["period_ms"] = period_ms;
    w["burst_pages"] = burst;
    w["stride"] = d.pick<std::uint64_t>({1, 2, 7, 200, 511, 512, 513});
    const double bursts = std::ceil(static_cast<double>(ops) / static_cast<double>(burst));
    span = std::max(span, (bursts - 1) * period_ms * clock_hz / 1000.0);
  }
  w["kind"] = kind;
  w["ops"] = ops;
  if (sub) {
    w["first_gfn"] = region.first_gfn;
    w["pages"] = region.pages;
  }
  w["write_ratio"] = write_ratio;
  w["think_cycles"] = think;
  if (!shared) w["shared"] = false;
  return {w, span};
}

WorkloadChoice draw_workload(Draw& d, const SlotChoice& slot, unsigned vcpus, double clock_hz) {
  // One in seven scenarios chains 2-3 phases (each vCPU moves on by itself).
  if (!d.chance(1.0 / 7.0)) return draw_generator(d, slot, vcpus, clock_hz, 500, 4000);
  WorkloadChoice all;
  all.spec = json{{"kind", "phases"}, {"phases", json::array()}};
  const std::uint64_t n = d.between(2, 3);
  for (std::uint64_t i = 0; i < n; ++i) {
    WorkloadChoice p = draw_generator(d, slot, vcpus, clock_hz, 300, 2000);
    all.spec["phases"].push_back(std::move(p.spec));
    all.span_cycles += p.span_cycles;
  }
  return all;
}

// --- migration, host, dirty log ------------------------------------------------------

// `round0_ms`: how long sending the whole slot takes, the scale of QEMU's limit.
json draw_stop_rule(Draw& d, double round0_ms) {
  switch (d.between(0, 2)) {
    case 0: {
      // A limit that fits anything from a few pages to half the slot.
      const double limit_ms = std::max(0.001, round3(round0_ms * d.log_uniform(0.002, 0.5)));
      return json{{"kind", "qemu"}, {"downtime_limit_ms", limit_ms}};
    }
    case 1:
      return json{{"kind", "xen"},
                  {"max_iterations", d.between(2, 30)},
                  {"min_pages", d.pick<std::uint64_t>({0, 1, 10, 50})},
                  {"max_factor", round3(d.uniform(1, 6))}};
    default:
      return json{{"kind", "threshold"},
                  {"dirty_pages", d.pick<std::uint64_t>({0, 0, 0, 1, 16, 64})},
                  {"rounds", d.between(0, 10)}};
  }
}

// The link is drawn so that round 0 (every page of the slot) takes between 1/10 and
// 3 times as long as the guest runs: the pre-copy rounds then mostly overlap the
// guest's writes, which is where a write can be lost.
json draw_migration(Draw& d, const SlotChoice& slot, double span_cycles, double clock_hz) {
  const double round0_cycles = d.log_uniform(0.1, 3) * span_cycles;
  const double send_cycles = std::max(1.0, round0_cycles / static_cast<double>(slot.npages));
  const double gbps = std::clamp(round3(4096.0 * 8.0 * clock_hz / (send_cycles * 1e9)), 0.001, 1000.0);
  const double span_ms = span_cycles / clock_hz * 1000.0;
  double start_ms = 0;
  const std::uint64_t when = d.between(0, 19);
  if (when >= 3 && when < 18) start_ms = round3(d.uniform(0, 0.6) * span_ms);  // while the guest runs
  if (when >= 18) start_ms = round3(d.uniform(1.0, 1.5) * span_ms);            // once it is (nearly) done
  return json{{"enabled", true},
              {"link_gbps", gbps},
              {"start_ms", start_ms},
              {"max_rounds", d.chance(0.2) ? d.between(1, 4) : d.between(8, 30)},
              {"stop_rule", draw_stop_rule(d, round0_cycles / clock_hz * 1000.0)}};
}

json draw_host(Draw& d, double span_cycles, double clock_hz) {
  if (!d.chance(0.35)) return json{{"unmap_every_ms", 0}, {"unmap", "page"}};
  // 3 to 300 unmaps while the guest runs (and on at that rate until migration ends).
  const double span_ms = span_cycles / clock_hz * 1000.0;
  const double every_ms = std::max(1e-4, round3(span_ms / d.log_uniform(3, 300)));
  return json{{"unmap_every_ms", every_ms}, {"unmap", d.chance(0.5) ? "page" : "pmd"}};
}

json draw_dirty_log(Draw& d) {
  // The kernel's order always: snapshot-and-clear, write-protect, flush, copy. What
  // varies is only what the kernel itself varies (word width, where the flush sits
  // relative to copy_to_user, blocks on a write fault, lock breaks while enabling).
  return json{{"bits_per_long", d.chance(0.5) ? 32u : 64u},
              {"flush_tlbs", true},
              {"snapshot", "kernel"},
              {"flush_placement", d.chance(0.5) ? "seed" : "merged"},
              {"block_policy", d.chance(0.7) ? "dissolve" : "keep"},
              {"resched_lock", d.chance(0.3)}};
}

// The kernel and the API of today QEMU would use with it, half the time: manual
// protect + CLEAR (with or without INITIALLY_SET, CLEAR chunks from 64 pages to QEMU's
// 1 GiB default) on a kernel that has it, or the dirty ring (6.6), small enough that
// vCPUs reach the soft limit and wait; eager splitting (6.6) on top, which only
// matters where the slot has blocks. Plain get_dirty_log runs on any profile. The
// draws come from their own stream, so the rest of a scenario does not move with them.
void draw_kernel_and_api(Draw& d, json& doc) {
  json& dirty_log = doc["dirty_log"];
  const char* kernel = nullptr;
  switch (d.between(0, 3)) {
    case 0:
      kernel = d.pick<const char*>({"linux-5.17-arm64", "linux-5.18-arm64", "linux-6.6-arm64"});
      dirty_log["api"] = "clear";
      dirty_log["initially_set"] = d.chance(0.5);
      dirty_log["clear_bitmap_shift"] = d.pick<unsigned>({6, 7, 9, 12, 18});
      break;
    case 1:
      // Not with kept blocks, which the config refuses for the ring.
      if (dirty_log.value("block_policy", "") == "keep") return;
      kernel = "linux-6.6-arm64";
      dirty_log["api"] = "ring";
      dirty_log["ring_entries"] = d.pick<std::uint32_t>({256, 512, 1024, 4096});
      break;
    default:
      // No key half of these times: the default profile, seed-2014-armv7.
      if (d.chance(0.5))
        doc["kernel"] = d.pick<const char*>({"linux-4.0-armv7", "linux-5.17-arm64", "linux-5.18-arm64", "linux-6.6-arm64"});
      return;
  }
  if (d.chance(0.4)) {
    kernel = "linux-6.6-arm64";
    dirty_log["eager_split_chunk"] = d.pick<std::uint64_t>({4096, std::uint64_t{1} << 21, std::uint64_t{1} << 30});
  }
  doc["kernel"] = kernel;
}

}  // namespace

MachineBases load_machine_bases(const std::string& configs_dir) {
  auto load = [&](const char* name) {
    json m = sim::load_config_json(configs_dir + "/machines/" + name + ".json");
    strip_documentation(m);
    return m;
  };
  return MachineBases{load("cortex-a15"), load("cortex-a57")};
}

json draw_scenario(std::uint64_t campaign_seed, std::uint64_t index, const MachineBases& machines) {
  Draw d(workloads::derive_seed(campaign_seed, index, kDrawStream));
  const GeometryChoice geometry = draw_geometry(d);
  const MachineChoice machine = draw_machine(d, machines);
  const SlotChoice slot = draw_memslot(d, geometry);
  const unsigned vcpus = static_cast<unsigned>(d.between(1, 4));
  const WorkloadChoice workload = draw_workload(d, slot, vcpus, machine.clock_hz);

  json doc;
  doc["comment"] = "no-lost-write campaign: seed " + std::to_string(campaign_seed) + ", scenario " + std::to_string(index);
  doc["seed"] = workloads::derive_seed(campaign_seed, index, kEngineSeedStream);
  doc["machine"] = machine.doc;
  doc["geometry"] = geometry.doc;
  doc["memslots"] = json::array({json{{"id", 0u}, {"base_gfn", slot.base_gfn}, {"npages", slot.npages}, {"hugepages", slot.hugepages}}});
  doc["vcpus"] = vcpus;
  doc["workload"] = workload.spec;
  doc["dirty_log"] = draw_dirty_log(d);
  Draw api(workloads::derive_seed(campaign_seed, index, kApiStream));
  draw_kernel_and_api(api, doc);
  doc["migration"] = draw_migration(d, slot, workload.span_cycles, machine.clock_hz);
  doc["host"] = draw_host(d, workload.span_cycles, machine.clock_hz);
  doc["verify"] = json{{"enabled", true}, {"invariants", true}};
  // Through JSON text and back: the document is then exactly what a dumped file holds
  // when `s2sim run` reads it (integers unsigned, doubles as printed).
  return json::parse(doc.dump());
}

}  // namespace s2sim::campaign
