#include "sim/timing/machine.h"

#include <array>
#include <optional>

#include "util/json_reader.h"

namespace s2sim::sim {

namespace {

constexpr std::array<CostField, 15> kCostFields = {{
    {"micro_tlb_miss_main_hit", &Costs::micro_tlb_miss_main_hit,
     "extra cycles of a micro-TLB miss that hits the main TLB"},
    {"walk_step_overhead", &Costs::walk_step_overhead,
     "hardware walker work per descriptor, on top of that descriptor's cache latency"},
    {"trap_to_hyp", &Costs::trap_to_hyp,
     "trap into Hyp mode and back without a world switch (kvm_call_hyp of each TLB maintenance request)"},
    {"stage2_abort_host", &Costs::stage2_abort_host,
     "stage-2 abort taken to the host kernel and back to the guest (the round trip)"},
    {"fault_handler_work", &Costs::fault_handler_work,
     "user_mem_abort's work before mmu_lock: memory-cache top-up, memslot lookup, gfn to pfn"},
    {"fault_locked_work", &Costs::fault_locked_work,
     "user_mem_abort's work under mmu_lock beyond the descriptor accesses the model walks itself"},
    {"tlbi_all_is", &Costs::tlbi_all_is, "TLBIALLIS + DSB + ISB for the VMID, on the issuing core"},
    {"tlbi_ipa_is", &Costs::tlbi_ipa_is, "TLBI IPAS2E1IS + DSB + ISB (ARMv8), on the issuing core"},
    {"spin_lock", &Costs::spin_lock, "uncontended spin_lock + spin_unlock"},
    {"lock_handover", &Costs::lock_handover, "passing a released lock to a waiting core"},
    {"atomic_xchg", &Costs::atomic_xchg, "xchg() of one dirty-bitmap word, barriers included"},
    {"bitmap_word_scan", &Costs::bitmap_word_scan, "reading and testing one dirty-bitmap word"},
    {"copy_to_user_per_byte", &Costs::copy_to_user_per_byte, "copy_to_user of the dirty bitmap, per byte"},
    {"page_copy", &Costs::page_copy, "copying one 4 KiB guest page out of DRAM (migration send)"},
    {"ioctl_entry", &Costs::ioctl_entry, "system call + ioctl dispatch into KVM and back"},
}};

// Source pointers (relative to the machine object).
const std::string kClock = "/clock";
const std::string kTlbiByIpa = "/tlbi_by_ipa";
const std::string kIpaFlushDropsCombined = "/ipa_flush_drops_combined";
const std::string kL1d = "/caches/l1d";
const std::string kL2 = "/caches/l2";
const std::string kDram = "/caches/dram";
std::string tlb_ptr(const std::string& key) { return "/tlb/" + key; }
std::string cost_ptr(const std::string& key) { return "/costs/" + key; }
std::string dvm_ptr(const std::string& key) { return "/dvm/" + key; }

const char* const kUserSource = "user-supplied (no source given)";

// Bounds of the loader. Anything beyond them is a typo, not a machine.
constexpr double kMinClockHz = 1e6;
constexpr double kMaxClockHz = 1e11;
constexpr std::uint64_t kMaxCostCycles = 1'000'000'000;
constexpr std::uint64_t kMaxLatencyCycles = 1'000'000;
constexpr std::uint64_t kMaxCacheWays = 1u << 16;

bool is_power_of_two(std::uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

void set_source(MachineConfig& m, const std::string& ptr, const std::string& text) { m.sources[ptr] = text; }

// The source of a sourced object after reading it: its own "source" if given, else
// kUserSource if it changed any value, else the source it had (the default's).
void read_source(JsonReader& r, bool changed, MachineConfig& m, const std::string& ptr) {
  r.allow_text("comment");
  if (r.has("source")) {
    set_source(m, ptr, r.get_string("source"));
  } else {
    r.allow("source");
    if (changed || !m.sources.count(ptr)) set_source(m, ptr, kUserSource);
  }
}

// -- clock -----------------------------------------------------------------------

void read_clock(JsonReader& r, MachineConfig& m) {
  if (!r.has("clock")) { r.allow("clock"); return; }
  if (r.json().at("clock").is_number()) {
    m.clock_hz = r.get_double("clock", kMinClockHz, kMaxClockHz);
    set_source(m, kClock, kUserSource);
    return;
  }
  if (!r.json().at("clock").is_object()) r.fail("clock", "must be {\"hz\": N, \"source\": \"...\"} or a number of Hz");
  JsonReader c = r.get_object("clock");
  m.clock_hz = c.get_double_or("hz", m.clock_hz, kMinClockHz, kMaxClockHz);
  read_source(c, c.has("hz"), m, kClock);
  c.reject_unknown();
}

// -- TLBs ------------------------------------------------------------------------

// Reads one TLB-like size object under `tlb`; null leaves the structure out.
void read_tlb_size(JsonReader& tlb, const std::string& key, std::optional<TlbConfig>& cfg, MachineConfig& m,
                   bool nullable) {
  const std::string ptr = tlb_ptr(key);
  if (!tlb.has(key)) { tlb.allow(key); return; }
  if (tlb.json().at(key).is_null()) {
    if (!nullable) tlb.fail(key, "must not be null: every machine has a main TLB");
    tlb.allow(key);
    cfg.reset();
    m.sources.erase(ptr);
    return;
  }
  if (!tlb.json().at(key).is_object()) {
    tlb.fail(key, std::string("must be {\"entries\": N, \"ways\": N, \"source\": \"...\"}") + (nullable ? " or null" : ""));
  }
  JsonReader r = tlb.get_object(key);
  const TlbConfig base = cfg.value_or(TlbConfig{});
  TlbConfig c;
  c.entries = static_cast<unsigned>(r.get_u64_or("entries", base.entries, 1, TlbConfig::kMaxEntries));
  c.ways = static_cast<unsigned>(r.get_u64_or("ways", base.ways, 1, TlbConfig::kMaxEntries));
  read_source(r, r.has("entries") || r.has("ways"), m, ptr);
  r.reject_unknown();
  if (const std::string err = c.validate(); !err.empty()) r.fail_here(err);
  cfg = c;
}

void read_tlb(JsonReader& r, MachineConfig& m) {
  if (!r.has("tlb")) { r.allow("tlb"); return; }
  JsonReader t = r.get_object("tlb");
  // A shared micro TLB replaces the separate load and store ones: unless the object
  // names those too, giving micro_data drops the default load/store micro TLBs.
  read_tlb_size(t, "micro_data", m.tlb.micro_data, m, true);
  if (m.tlb.micro_data) {
    if (!t.has("micro_load")) { m.tlb.micro_load.reset(); m.sources.erase(tlb_ptr("micro_load")); }
    if (!t.has("micro_store")) { m.tlb.micro_store.reset(); m.sources.erase(tlb_ptr("micro_store")); }
  }
  read_tlb_size(t, "micro_load", m.tlb.micro_load, m, true);
  read_tlb_size(t, "micro_store", m.tlb.micro_store, m, true);
  std::optional<TlbConfig> main = m.tlb.main;
  read_tlb_size(t, "main", main, m, false);
  m.tlb.main = *main;
  read_tlb_size(t, "walk_cache", m.tlb.walk_cache, m, true);
  t.allow_text("comment");
  t.reject_unknown();
  if (m.tlb.micro_data && (m.tlb.micro_load || m.tlb.micro_store)) {
    t.fail("micro_data",
           "a micro TLB shared by loads and stores excludes micro_load and micro_store: set those to null");
  }
}

// A yes/no property of the machine: {"value": true|false, "source": "..."} or a bare
// boolean; `key` is also its source pointer without the slash.
void read_flag(JsonReader& r, MachineConfig& m, const std::string& key, bool& value) {
  const std::string ptr = "/" + key;
  if (!r.has(key)) { r.allow(key); return; }
  if (r.json().at(key).is_boolean()) {
    value = r.get_bool(key);
    set_source(m, ptr, kUserSource);
    return;
  }
  if (!r.json().at(key).is_object()) r.fail(key, "must be {\"value\": true|false, \"source\": \"...\"} or a boolean");
  JsonReader o = r.get_object(key);
  value = o.get_bool_or("value", value);
  read_source(o, o.has("value"), m, ptr);
  o.reject_unknown();
}

// -- caches ----------------------------------------------------------------------

void read_cache_level(JsonReader& caches, const std::string& key, const std::string& ptr, CacheLevelConfig& c,
                      MachineConfig& m) {
  if (!caches.has(key)) { caches.allow(key); return; }
  JsonReader r = caches.get_object(key);
  CacheLevelConfig n;
  n.size_bytes = r.get_u64_or("size_kib", c.size_bytes / 1024, 1, CacheLevelConfig::kMaxSizeBytes / 1024) * 1024;
  n.ways = static_cast<unsigned>(r.get_u64_or("ways", c.ways, 1, kMaxCacheWays));
  n.line_bytes = static_cast<unsigned>(r.get_u64_or("line_bytes", c.line_bytes, 8, 4096));
  n.latency_cycles = r.get_u64_or("latency_cycles", c.latency_cycles, 1, kMaxLatencyCycles);
  const bool changed = r.has("size_kib") || r.has("ways") || r.has("line_bytes") || r.has("latency_cycles");
  read_source(r, changed, m, ptr);
  r.reject_unknown();
  if (!is_power_of_two(n.line_bytes)) r.fail("line_bytes", "must be a power of two, got " + std::to_string(n.line_bytes));
  if (const std::string err = n.validate(); !err.empty()) r.fail_here(err);
  c = n;
}

void read_caches(JsonReader& r, MachineConfig& m) {
  if (!r.has("caches")) { r.allow("caches"); return; }
  JsonReader c = r.get_object("caches");
  read_cache_level(c, "l1d", kL1d, m.l1d, m);
  read_cache_level(c, "l2", kL2, m.l2, m);
  if (c.has("dram")) {
    JsonReader d = c.get_object("dram");
    m.dram_latency_cycles = d.get_u64_or("latency_cycles", m.dram_latency_cycles, 1, kMaxLatencyCycles);
    read_source(d, d.has("latency_cycles"), m, kDram);
    d.reject_unknown();
  } else {
    c.allow("dram");
  }
  c.allow_text("comment");
  c.reject_unknown();
  if (m.dram_latency_cycles < m.l2.latency_cycles) {
    c.fail("dram", "latency_cycles (" + std::to_string(m.dram_latency_cycles) +
                       ") must be at least the L2 latency (" + std::to_string(m.l2.latency_cycles) +
                       "): it includes the L2 lookup");
  }
}

// -- costs -----------------------------------------------------------------------

void read_costs(JsonReader& r, MachineConfig& m) {
  if (!r.has("costs")) { r.allow("costs"); return; }
  JsonReader c = r.get_object("costs");
  for (const CostField& f : kCostFields) {
    const std::string key = f.name;
    std::uint64_t& cycles = m.costs.*f.member;
    if (!c.has(key)) { c.allow(key); continue; }
    const nlohmann::json& v = c.json().at(key);
    if (v.is_number()) {
      cycles = c.get_u64(key, 0, kMaxCostCycles);
      set_source(m, cost_ptr(key), kUserSource);
      continue;
    }
    if (!v.is_object()) c.fail(key, "must be {\"cycles\": N, \"source\": \"...\"} or a number of cycles");
    JsonReader o = c.get_object(key);
    cycles = o.get_u64_or("cycles", cycles, 0, kMaxCostCycles);
    read_source(o, o.has("cycles"), m, cost_ptr(key));
    o.reject_unknown();
  }
  c.allow_text("comment");
  c.reject_unknown();
}

// -- DVM -------------------------------------------------------------------------

// The value key of a DVM field's object: a count or a number of cycles.
const char* dvm_value_key(const DvmField& f) { return f.member == &DvmConfig::pe_count ? "value" : "cycles"; }

void read_dvm(JsonReader& r, MachineConfig& m) {
  if (!r.has("dvm")) { r.allow("dvm"); return; }
  if (r.json().at("dvm").is_null()) {
    r.allow("dvm");
    m.dvm.reset();
    for (const DvmField& f : dvm_fields()) m.sources.erase(dvm_ptr(f.name));
    return;
  }
  JsonReader d = r.get_object("dvm");
  // No default to fall back on: a machine that had none must give all four.
  const bool had = m.dvm.has_value();
  DvmConfig cfg = m.dvm.value_or(DvmConfig{});
  for (const DvmField& f : dvm_fields()) {
    const std::string key = f.name;
    std::uint64_t& v = cfg.*f.member;
    const std::uint64_t min = f.member == &DvmConfig::pe_count ? 1 : 0;
    if (!d.has(key)) {
      if (!had) d.fail_here(std::string("missing \"") + key + "\": a \"dvm\" object gives all four of pe_count, "
                            "dvm_op_cycles, dvm_per_pe_cycles and tlbi_local_cycles");
      d.allow(key);
      continue;
    }
    if (d.json().at(key).is_number()) {
      v = d.get_u64(key, min, f.max);
      set_source(m, dvm_ptr(key), kUserSource);
      continue;
    }
    const std::string vk = dvm_value_key(f);
    if (!d.json().at(key).is_object())
      d.fail(key, "must be {\"" + vk + "\": N, \"source\": \"...\"} or a number");
    JsonReader o = d.get_object(key);
    if (!had && !o.has(vk)) o.fail_here("missing \"" + vk + "\"");
    v = o.get_u64_or(vk, v, min, f.max);
    read_source(o, o.has(vk), m, dvm_ptr(key));
    o.reject_unknown();
  }
  d.allow("comment");
  d.reject_unknown();
  m.dvm = cfg;
}

nlohmann::json with_source(nlohmann::json obj, const MachineConfig& m, const std::string& ptr) {
  if (auto it = m.sources.find(ptr); it != m.sources.end()) obj["source"] = it->second;
  return obj;
}

nlohmann::json tlb_json(const std::optional<TlbConfig>& c, const MachineConfig& m, const std::string& key) {
  if (!c) return nullptr;
  return with_source({{"entries", c->entries}, {"ways", c->ways}}, m, tlb_ptr(key));
}

nlohmann::json cache_json(const CacheLevelConfig& c, const MachineConfig& m, const std::string& ptr) {
  return with_source({{"size_kib", c.size_bytes / 1024},
                      {"ways", c.ways},
                      {"line_bytes", c.line_bytes},
                      {"latency_cycles", c.latency_cycles}},
                     m, ptr);
}

}  // namespace

std::span<const CostField> cost_fields() { return kCostFields; }

std::string MachineConfig::source_of(const std::string& pointer) const {
  const auto it = sources.find(pointer);
  return it == sources.end() ? std::string() : it->second;
}

std::string MachineConfig::validate() const {
  if (name.empty()) return "name must not be empty";
  if (!(clock_hz >= kMinClockHz && clock_hz <= kMaxClockHz)) return "clock must be between 1 MHz and 100 GHz";
  if (std::string e = tlb.validate(); !e.empty()) return "tlb: " + e;
  if (std::string e = l1d.validate(); !e.empty()) return "l1d: " + e;
  if (std::string e = l2.validate(); !e.empty()) return "l2: " + e;
  if (l1d.size_bytes % 1024 != 0 || l2.size_bytes % 1024 != 0) return "cache sizes must be whole KiB";
  if (dram_latency_cycles < l2.latency_cycles) return "dram latency must be at least the L2 latency (it includes the L2 lookup)";
  if (dvm && dvm->pe_count == 0) return "dvm: pe_count must be at least 1";
  return {};
}

MachineConfig cortex_a15() {
  MachineConfig m;
  m.name = "cortex-a15";
  auto src = [&m](const std::string& ptr, const char* text) { m.sources[ptr] = text; };

  m.clock_hz = 1.7e9;
  src(kClock,
      "Samsung Exynos 5250, dual Cortex-A15 at 1.7 GHz: the chip 7-cpu.com measured for its Cortex-A15 page "
      "(Samsung Chromebook XE303C12), so the cycle figures below are at this clock");

  m.tlb.micro_load = TlbConfig{32, 32};
  src(tlb_ptr("micro_load"),
      "Cortex-A15 TRM, MMU chapter: 32-entry fully associative L1 data TLB for loads, separate from the one for "
      "stores; 7-cpu.com (Exynos 5250): L1 data TLB for loads, 32 entries, fully associative");
  m.tlb.micro_store = TlbConfig{32, 32};
  src(tlb_ptr("micro_store"),
      "Cortex-A15 TRM, MMU chapter: 32-entry fully associative L1 data TLB for stores, separate from the one for "
      "loads");
  m.tlb.main = TlbConfig{512, 4};
  src(tlb_ptr("main"),
      "Cortex-A15 TRM, MMU chapter: 512-entry 4-way set-associative unified L2 TLB per core, VMID-tagged; "
      "7-cpu.com (Exynos 5250): L2 TLB 512 entries, 4-way");
  m.tlb.walk_cache = TlbConfig{16, 16};
  src(tlb_ptr("walk_cache"),
      "assumption: 16 entries, fully associative. The Cortex-A15 TRM does not give the size of its intermediate "
      "walk caches; 7-cpu.com measured a 16-entry 'PDE cache' on Exynos 5250 (one entry per 1 MB of virtual "
      "space, i.e. a stage-1 first-level cache), taken here as the size of the stage-2 walk cache; its "
      "associativity is unknown. For comparison the Cortex-A53/A55 TRMs document a 64-entry 4-way walk cache");

  m.tlbi_by_ipa = false;
  src(kTlbiByIpa,
      "ARMv7 has no stage-2 TLB invalidate by IPA: KVM/ARM's __kvm_tlb_flush_vmid_ipa ignores the IPA and issues "
      "TLBIALLIS for the whole VMID, with DSB and ISB around it");
  m.ipa_flush_drops_combined = true;
  src(kIpaFlushDropsCombined,
      "arm64 KVM (__kvm_tlb_flush_vmid_ipa: Linux 3.11-4.5 arch/arm64/kvm/hyp.S, 4.6 on hyp/tlb.c): TLBI IPAS2E1IS, "
      "DSB, then TLBI VMALLE1IS, DSB, ISB, because TLB entries that combine stage 1 and stage 2 are not tagged by "
      "IPA; every guest translation the TLB model holds is such an entry, so all of the VMID's go. Applies only "
      "with tlbi_by_ipa");

  m.l1d = CacheLevelConfig{32 * 1024, 2, 64, 4};
  src(kL1d, "7-cpu.com, Exynos 5250: L1 data cache 32 KB, 64 B/line, 2-way, LRU; L1 data cache latency 4 cycles");
  m.l2 = CacheLevelConfig{1024 * 1024, 16, 64, 21};
  src(kL2, "7-cpu.com, Exynos 5250: L2 cache 1 MB, 64 B/line, 16-way; L2 cache latency 21 cycles");
  m.dram_latency_cycles = 208;
  src(kDram,
      "derived: 7-cpu.com, Exynos 5250: RAM latency = 21 cycles + 110 ns; 110 ns x 1.7 GHz = 187 cycles, "
      "+ 21 = 208 cycles, the L2 lookup included");

  Costs& c = m.costs;
  c.micro_tlb_miss_main_hit = 12;
  src(cost_ptr("micro_tlb_miss_main_hit"),
      "7-cpu.com, Exynos 5250: L1 TLB miss penalty = 12 cycles (an L1 data TLB miss that hits the L2 TLB)");
  c.walk_step_overhead = 6;
  src(cost_ptr("walk_step_overhead"),
      "derived: 7-cpu.com (Exynos 5250) gives an L2 TLB miss penalty of 10-30 cycles and guesses 10 / 30 for a "
      "walk whose descriptor comes from L1 / L2; with its PDE cache hit such a walk reads one descriptor, which "
      "leaves 10 - 4 (L1 latency) = 6 cycles of walker work per descriptor (30 - 21 = 9 via L2). Assumption: the "
      "same per-step work at every level and for stage-2 walks");
  c.trap_to_hyp = 27;
  src(cost_ptr("trap_to_hyp"),
      "KVM/ARM paper (Dall and Nieh, ASPLOS 2014), Table 3 'Trap', Cortex-A15 cycles: a trap into Hyp mode and "
      "back without a world switch. As commonly cited; the table was not re-read. Charged for the HVC of "
      "kvm_call_hyp() that each ARMv7 TLB maintenance request makes from the host kernel (__kvm_tlb_flush_vmid, "
      "__kvm_tlb_flush_vmid_ipa); assumption: the host's HVC costs what the guest's trap does");
  c.stage2_abort_host = 5990;
  src(cost_ptr("stage2_abort_host"),
      "KVM/ARM paper (Dall and Nieh, ASPLOS 2014), Table 3 'I/O Kernel', Cortex-A15 cycles: a guest access that "
      "takes a stage-2 abort handled in the host kernel, world switches out and back included; used here for every "
      "stage-2 abort KVM handles. As commonly cited; the table was not re-read");
  c.fault_locked_work = 0;
  src(cost_ptr("fault_locked_work"),
      "assumption: nothing beyond the modelled descriptor accesses; Linux 4.0's user_mem_abort also cleans the new "
      "page to the point of coherency under mmu_lock (coherent_cache_guest_page), not charged for want of a "
      "Cortex-A15 figure");
  c.fault_handler_work = 1500;
  src(cost_ptr("fault_handler_work"),
      "assumption: about 1,500 cycles of user_mem_abort's own work beyond the exit and re-entry, the part that runs "
      "before it takes mmu_lock (mmu_topup_memory_cache, gfn_to_memslot, gfn_to_pfn_prot on the get_user_pages fast "
      "path with its host stage-1 walk; Linux 3.17/4.0 arch/arm/kvm/mmu.c), so charged outside the lock; the table "
      "update under the lock is charged through the cache model, and mmu_lock as spin_lock. With stage2_abort_host "
      "a dirty-logging write fault then costs about 7,500 cycles = 4.4 us at 1.7 GHz, the same order as the 3.2-3.6 "
      "us per write-protect fault reported for recent, faster arm64 servers in the eager page splitting cover "
      "letters");
  c.tlbi_all_is = 1000;
  src(cost_ptr("tlbi_all_is"),
      "assumption: no published Cortex-A15 figure. TLBIALLIS + DSB + ISB on the issuing core: the DSB completes "
      "only when every core in the inner-shareable domain has done the invalidation, so it costs at least an "
      "interconnect round trip plus the local flush; 1,000 cycles (0.6 us) is an order-of-magnitude guess to vary "
      "in sensitivity runs");
  c.tlbi_ipa_is = 1000;
  src(cost_ptr("tlbi_ipa_is"),
      "assumption: unused on ARMv7 (tlbi_by_ipa is false), kept for experiments; charged like tlbi_all_is because "
      "the broadcast and the DSB completion dominate, not the number of entries invalidated");
  c.spin_lock = 40;
  src(cost_ptr("spin_lock"),
      "assumption: uncontended arch_spin_lock + arch_spin_unlock on ARMv7 (ldrex/strex ticket increment, dmb on "
      "acquire and on release, dsb + sev after the unlock store) with the lock line in L1; the barriers dominate");
  c.lock_handover = 100;
  src(cost_ptr("lock_handover"),
      "assumption: passing mmu_lock to a waiting core moves the lock line through the shared L2 (21 cycles each "
      "way, 7-cpu.com L2 latency) and wakes the waiter from WFE after the releaser's SEV; about 100 cycles");
  c.atomic_xchg = 30;
  src(cost_ptr("atomic_xchg"),
      "assumption: xchg() on ARMv7 is a ldrex/strex loop between two smp_mb() (dmb); with the bitmap word in L1 "
      "about 30 cycles, the barriers dominating");
  c.bitmap_word_scan = 4;
  src(cost_ptr("bitmap_word_scan"),
      "assumption: one L1-hitting load per dirty-bitmap word (4 cycles, 7-cpu.com L1 latency), the test for zero "
      "and the branch overlapping it");
  c.copy_to_user_per_byte = 1;
  src(cost_ptr("copy_to_user_per_byte"),
      "assumption: a deliberately round 1 cycle per byte for copy_to_user of the dirty bitmap (ARMv7 copies with "
      "ldm/stm of eight registers, but the bitmap is mostly L2-resident); with one bit per 4 KiB page this term "
      "is small next to the walk and the flush");
  c.page_copy = 2500;
  src(cost_ptr("page_copy"),
      "derived: about 1.5 us per 4 KiB page at 1.7 GHz, an effective copy rate of about 2.8 GB/s (5.6 GB/s of "
      "DRAM traffic, read plus write, under half the 12.8 GB/s peak of the Exynos 5250's two 32-bit DDR3L-1600 "
      "ports that 7-cpu.com lists); the effective rate is an assumption");
  c.ioctl_entry = 1000;
  src(cost_ptr("ioctl_entry"),
      "assumption: a system call into the host kernel and back plus the ioctl dispatch (vfs_ioctl to "
      "kvm_vm_ioctl) and copy_from_user of the small argument struct, about 1,000 cycles (0.6 us at 1.7 GHz); "
      "no Cortex-A15 measurement was re-read");
  return m;
}

MachineConfig load_machine(const nlohmann::json& obj, const std::string& file, const std::string& pointer) {
  MachineConfig m = cortex_a15();
  JsonReader r(obj, file, pointer);
  r.allow_text("comment");
  r.allow("source");
  // An inline machine without a name is not the Cortex-A15 even if most values are.
  m.name = r.get_string_or("name", "custom");
  if (m.name.empty()) r.fail("name", "must not be empty");
  read_clock(r, m);
  read_tlb(r, m);
  read_flag(r, m, "tlbi_by_ipa", m.tlbi_by_ipa);
  read_flag(r, m, "ipa_flush_drops_combined", m.ipa_flush_drops_combined);
  read_caches(r, m);
  read_costs(r, m);
  read_dvm(r, m);
  r.reject_unknown();
  // Every check above names a pointer; this one backs them up for combinations.
  if (const std::string err = m.validate(); !err.empty()) r.fail_here(err);
  return m;
}

nlohmann::json to_json(const MachineConfig& m) {
  nlohmann::json j;
  j["name"] = m.name;
  j["clock"] = with_source({{"hz", m.clock_hz}}, m, kClock);
  j["tlb"] = {
      {"micro_load", tlb_json(m.tlb.micro_load, m, "micro_load")},
      {"micro_store", tlb_json(m.tlb.micro_store, m, "micro_store")},
      {"micro_data", tlb_json(m.tlb.micro_data, m, "micro_data")},
      {"main", tlb_json(m.tlb.main, m, "main")},
      {"walk_cache", tlb_json(m.tlb.walk_cache, m, "walk_cache")},
  };
  j["tlbi_by_ipa"] = with_source({{"value", m.tlbi_by_ipa}}, m, kTlbiByIpa);
  j["ipa_flush_drops_combined"] = with_source({{"value", m.ipa_flush_drops_combined}}, m, kIpaFlushDropsCombined);
  j["caches"] = {
      {"l1d", cache_json(m.l1d, m, kL1d)},
      {"l2", cache_json(m.l2, m, kL2)},
      {"dram", with_source({{"latency_cycles", m.dram_latency_cycles}}, m, kDram)},
  };
  nlohmann::json costs = nlohmann::json::object();
  for (const CostField& f : kCostFields) {
    costs[f.name] = with_source({{"cycles", m.costs.*f.member}}, m, cost_ptr(f.name));
  }
  j["costs"] = std::move(costs);
  if (m.dvm) {
    nlohmann::json dvm = nlohmann::json::object();
    for (const DvmField& f : dvm_fields())
      dvm[f.name] = with_source({{dvm_value_key(f), (*m.dvm).*f.member}}, m, dvm_ptr(f.name));
    j["dvm"] = std::move(dvm);
  }
  return j;
}

}  // namespace s2sim::sim
