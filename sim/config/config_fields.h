// Every key of a config, declared once: one table per section, in the order the keys
// are read (which decides which of two errors is reported). Each table hands its
// visitor a declaration (field_kinds.h: key, default, values, meaning) with the
// member it fills. C is the struct the section fills (SimConfig itself where a
// section's members live in more than one struct), const when writing or listing.
// parse_config (config_parse.cpp), to_json (config_json.cpp), "did you mean" and the
// README's key table (config_keys.h) all follow from these tables.
//
// The visitor protocol: v(declaration, member) for a field; v(Part, member) for a
// value with its own reader (the machine, geometry, memslots, workload);
// v(Section, fields) for a nested object, fields(visitor) visiting its table;
// v(Kind, member, options) for a key that selects which further keys apply, where
// options(option) calls option(name, meaning, fields) once per choice; v(Ignored)
// for an allowed key that is not read; v.check(key, problem) for a rule between
// values, problem() returning "" or what is wrong.
#pragma once

#include <bit>
#include <cstdint>
#include <string>

#include "mmu/dirty_log.h"
#include "mmu/geometry.h"
#include "mmu/kernel_profile.h"
#include "mmu/kvm.h"
#include "mmu/memslot.h"
#include "mmu/wp_walker.h"
#include "sim/config/field_kinds.h"
#include "sim/config/sim_config.h"

namespace s2sim::sim {

// -- the words of enum keys, each written once -----------------------------------

inline constexpr EnumName<mmu::SnapshotOrder> kSnapshotOrders[] = {
    {mmu::SnapshotOrder::Kernel, "kernel"},
    {mmu::SnapshotOrder::AfterWp, "after_wp"},
};
inline constexpr EnumName<mmu::FlushPlacement> kFlushPlacements[] = {
    {mmu::FlushPlacement::Seed, "seed"},
    {mmu::FlushPlacement::Merged, "merged"},
};
inline constexpr EnumName<mmu::BlockPolicy> kBlockPolicies[] = {
    {mmu::BlockPolicy::Dissolve, "dissolve"},
    {mmu::BlockPolicy::Keep, "keep"},
};
inline constexpr EnumName<mmu::HwDirty> kHwDirtyModes[] = {
    {mmu::HwDirty::None, "none"},
    {mmu::HwDirty::Dbm, "dbm"},
    {mmu::HwDirty::Hdbss, "hdbss"},
    {mmu::HwDirty::Hacdbs, "hacdbs"},
};
inline constexpr const char* kHostUnmaps[] = {"page", "pmd"};

// The geometries a config may name instead of spelling one out.
struct GeometryPreset {
  const char* name;
  mmu::Geometry (*make)();
};
inline constexpr GeometryPreset kGeometryPresets[] = {
    {"armv7-lpae", &mmu::Geometry::armv7_lpae},
    {"armv8-3level", &mmu::Geometry::armv8_3level},
    {"armv8-4level", &mmu::Geometry::armv8_4level},
};

// The memslot migrated when the config names none.
inline unsigned first_memslot_id(const SimConfig& c) { return c.memslots.empty() ? 0 : c.memslots.front().id; }

// -- the tables --------------------------------------------------------------------

template <class C, class V>
void geometry_fields(C& g, V& v) {
  v(Whole<unsigned>{"arch", 7, 7, 8, "7: ARMv7 LPAE; 8: ARMv8 AArch64 (fault reporting differs)"}, g.arch);
  v(Whole<unsigned>{"ipa_bits", 40, 25, 48, "IPA size in bits (VTCR.T0SZ)"}, g.ipa_bits);
  v(Whole<unsigned>{.key = "pa_bits",
                    .def = g.arch == 7 ? 40u : 48u,
                    .min = 40,
                    .max = 48,
                    .meaning = "output address size in bits",
                    .computed = "40 for arch 7, else 48"},
    g.pa_bits);
  v(Whole<mmu::level_t>{"start_level", 1, 0, 1, "the level walks start at (VTCR.SL0)"}, g.start_level);
  v(Text{"name", "custom", "what reports call it"}, g.name);
}

template <class C, class V>
void memslot_fields(C& m, std::size_t index, V& v) {
  v(Whole<unsigned>{.key = "id",
                    .def = static_cast<unsigned>(index),
                    .min = 0,
                    .max = mmu::KVM_USER_MEM_SLOTS - 1,
                    .meaning = "the slot number (KVM_USER_MEM_SLOTS is 32 on ARM)",
                    .computed = "its index"},
    m.id);
  v(Whole<mmu::gfn_t>{.key = "base_gfn",
                      .def = 0,
                      .min = 0,
                      .max = UINT64_MAX >> mmu::PAGE_SHIFT,
                      .meaning = "first guest frame; any, 2 MiB aligned or not (then masked windows cross a pmd)",
                      .required = true},
    m.base_gfn);
  v(Whole<std::uint64_t>{.key = "npages",
                         .def = 0,
                         .min = 1,
                         .max = std::uint64_t{1} << 36,
                         .meaning = "pages of 4 KiB in the slot",
                         .required = true},
    m.npages);
  v(Flag{"hugepages", false, "back the slot's aligned 2 MiB regions with block mappings"}, m.hugepages);
  v(Flag{"populate", false,
         "map every page before time starts, as a guest that touched all its memory "
         "(KVM's dirty_log_perf_test populates first)"},
    m.populate);
  v(Ignored{"comment", "free text"});
}

// Precedence: a dirty_log key given in the config wins; an absent one takes the
// kernel profile's value (which for the default profile is the value s2sim always had).
template <class C, class V>
void dirty_log_fields(C& c, V& v) {
  const mmu::KernelProfile profile = mmu::kernel_profile_or_default(c.kernel);
  v(Named{"walker", "v4", "walker", &mmu::wp_walker_names,
          "kvm_mmu_write_protect_pt_masked's walk: a full one a page (naive), the 2014 seed's crosses_pmd "
          "(v4), that made correct (v4-fixed), or upstream's stage2_wp_range (range)"},
    c.dirty_log.walker);
  v(Whole<unsigned>{.key = "bits_per_long",
                    .def = profile.bits_per_long,
                    .min = 32,
                    .max = 64,
                    .meaning = "BITS_PER_LONG: the dirty bitmap's word (32 on ARMv7, 64 on arm64)",
                    .computed = "the kernel's (32 ARMv7, 64 arm64)",
                    .values = "32 or 64"},
    c.dirty_log.options.bits_per_long);
  v.check("bits_per_long", [&]() -> std::string {
    const unsigned b = c.dirty_log.options.bits_per_long;
    return b == 32 || b == 64 ? "" : "must be 32 (ARMv7) or 64 (arm64)";
  });
  v(Flag{"flush_tlbs", true, "teaching switch: false skips the TLB flush after write-protecting (loses writes)"},
    c.dirty_log.options.flush_tlbs);
  v(Choice<mmu::SnapshotOrder>{"snapshot", mmu::SnapshotOrder::Kernel, kSnapshotOrders,
                               "kernel: xchg each bitmap word, then write-protect its pages; teaching switch "
                               "after_wp: protect and flush first, snapshot after (loses writes)"},
    c.dirty_log.options.snapshot);
  v(Choice<mmu::FlushPlacement>{"flush_placement", profile.flush_placement, kFlushPlacements,
                                "seed: flush inside mmu_lock before copy_to_user; merged: after the copy",
                                "the kernel's (`\"seed\"` for seed-2014-armv7, else `\"merged\"`)"},
    c.dirty_log.options.flush_placement);
  v(Flag{"resched_lock", false,
         "enabling logging drops mmu_lock between pgd entries (1 GiB on ARMv7 LPAE) when others wait, as "
         "stage2_wp_range does (cond_resched_lock)"},
    c.dirty_log.resched_lock);
  v(Choice<mmu::BlockPolicy>{"block_policy", profile.block_on_logging_fault, kBlockPolicies,
                             "a write fault on a 2 MiB block while logging: dissolve it into ptes "
                             "(stage2_dissolve_pmd, the kernel since 4.0; arm64's block-to-table break-before-make), "
                             "or keep it whole (an instructive what-if, no kernel's behaviour: it makes v4's "
                             "block_as_table reachable)",
                             "the kernel's (`\"dissolve\"` for every profile)"},
    c.block_policy);
  // The API of today the migration thread may use instead (QEMU's choices): quiet
  // keys, so that configs without them keep their results byte-identical.
  v(Kind{"api", "the dirty-log API the migration thread uses (QEMU's choices)", true}, c.dirty_log.api,
    [&](auto&& option) {
      option("get", "plain KVM_GET_DIRTY_LOG: each call clears the bitmap and write-protects what it reports",
             [&](auto&) {});
      option("clear", "KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2: GET_DIRTY_LOG only snapshots; before sending, "
                      "KVM_CLEAR_DIRTY_LOG clears and write-protects a chunk at a time (QEMU's clear_bmap)",
             [&](auto& w) {
               w(Flag{"initially_set", true,
                      "KVM_DIRTY_LOG_INITIALLY_SET: nothing is write-protected when logging starts; the "
                      "first CLEAR of each chunk protects it (QEMU enables it when offered)"},
                 c.dirty_log.initially_set);
               w(Whole<unsigned>{"clear_bitmap_shift", 18, 6, 31,
                                 "a CLEAR covers 2^shift pages (QEMU's x-clear-bitmap-shift, default 18: 1 GiB)"},
                 c.dirty_log.clear_bitmap_shift);
             });
      option("ring", "the per-vCPU dirty ring with RING_WITH_BITMAP: harvest + KVM_RESET_DIRTY_RINGS each round, "
                     "a final bitmap sync at stop-and-copy",
             [&](auto& w) {
               w(Whole<std::uint32_t>{.key = "ring_entries",
                                      .def = 4096,
                                      .min = 256,
                                      .max = mmu::KVM_DIRTY_RING_MAX_ENTRIES,
                                      .meaning = "entries in each vCPU's ring (QEMU's dirty-ring-size); a vCPU "
                                                 "that reaches entries - 64 exits until the ring is reset",
                                      .values = "a power of two, 256 .. 65536"},
                 c.dirty_log.ring_entries);
               w.check("ring_entries", [&]() -> std::string {
                 return std::has_single_bit(c.dirty_log.ring_entries) ? "" : "must be a power of two";
               });
             });
    });
  v.check("api", [&]() -> std::string {
    // The kernel profile decides which APIs exist (mmu/kernel_profile.cpp).
    if (c.dirty_log.api == "clear" && !profile.apis.clear_dirty_log)
      return "kernel " + profile.name + " has no KVM_CLEAR_DIRTY_LOG (Linux 5.0+): choose a kernel profile "
             "that offers it, such as linux-6.6-arm64";
    if (c.dirty_log.api == "ring" && !profile.apis.dirty_ring)
      return "kernel " + profile.name + " has no dirty ring on arm64 (Linux 6.1+): choose a kernel profile "
             "that offers it, such as linux-6.6-arm64";
    // A kept block marks its 512 pages dirty in one write fault: more than a ring's 64
    // reserved entries absorb, so the ring overflows (records lost) and the reset
    // protects the block again before the faulting write is retried. The kernel never
    // maps a block writable while logging (force_pte), so only the teaching policy
    // meets this.
    return c.dirty_log.api == "ring" && c.block_policy == mmu::BlockPolicy::Keep
               ? "the dirty ring needs block_policy \"dissolve\" (a kept block marks 512 pages in one fault)"
               : "";
  });
  v(Whole<std::uint64_t>{.key = "eager_split_chunk",
                         .def = 0,
                         .min = 0,
                         .max = std::uint64_t{1} << 30,
                         .meaning = "KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE: split blocks chunk by chunk when logging "
                                    "starts (or, with api clear + initially_set, in CLEAR); 0 = off",
                         .values = "0, 4096, 2097152 or 1073741824",
                         .quiet = true},
    c.dirty_log.eager_split_chunk);
  v.check("eager_split_chunk", [&]() -> std::string {
    const std::uint64_t b = c.dirty_log.eager_split_chunk;
    if (b != 0 && !profile.apis.eager_split)
      return "kernel " + profile.name + " has no eager page splitting (KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE, "
             "arm64 6.5+): choose a kernel profile that offers it, such as linux-6.6-arm64";
    return b == 0 || b == 4096 || b == (std::uint64_t{1} << 21) || b == (std::uint64_t{1} << 30)
               ? ""
               : "must be 0 (off) or a block size: 4096, 2097152 or 1073741824 (kvm_is_block_size_supported)";
  });
  v(Choice<mmu::HwDirty>{.key = "hw_dirty",
                         .def = mmu::HwDirty::None,
                         .names = kHwDirtyModes,
                         .meaning = "hardware dirty state (docs/hw-dirty-tracking.md): none (write protection), dbm "
                                    "(stage-2 DBM, FEAT_HAFDBS: the hardware makes a clean page writable, KVM scans "
                                    "the leaf ptes at get_dirty_log), hdbss (DBM plus FEAT_HDBSS: a per-vCPU buffer "
                                    "of dirtied pages, drained at get_dirty_log), hacdbs (HDBSS plus FEAT_HACDBS: the pages get_dirty_log "
                                    "harvests are cleaned by the hardware from a list, not write-protected); arm64 "
                                    "geometries and dirty_log.api \"get\" only",
                         .quiet = true},
    c.dirty_log.hw_dirty);
  v.check("hw_dirty", [&]() -> std::string {
    if (c.dirty_log.hw_dirty == mmu::HwDirty::None) return "";
    if (c.geometry.arch != 8) return "needs an ARMv8 geometry (geometry.arch 8): ARMv7 has no DBM";
    // The scan and the HDBSS drains feed the dirty bitmap that plain KVM_GET_DIRTY_LOG
    // returns. With the migration thread's CLEAR (QEMU's clear_bmap) a chunk is handed
    // back before any GET has armed DBM on its pages, and the DBM RFC does not say how
    // CLEAR arms or cleans them; a ring-only VM has no bitmap at all. Not modelled.
    return c.dirty_log.api == "get" ? "" : "is modelled with plain get_dirty_log only (dirty_log.api \"get\")";
  });
  v(Whole<std::uint64_t>{.key = "hdbss_bytes",
                         .def = 4096,
                         .min = 4096,
                         .max = 2u << 20,
                         .meaning = "each vCPU's HDBSS buffer in bytes (8 per entry; HDBSSBR_EL2.SZ: 4 KiB to 2 MiB, "
                                    "a power of two); a full buffer traps to the hypervisor, which drains it",
                         .values = "4096, 8192, ... 2097152",
                         .quiet = true},
    c.dirty_log.hdbss_bytes);
  v.check("hdbss_bytes", [&]() -> std::string {
    const std::uint64_t b = c.dirty_log.hdbss_bytes;
    return (b & (b - 1)) == 0 ? "" : "must be a power of two";
  });
}

template <class C, class V>
void stop_rule_fields(C& s, V& v) {
  v(Kind{"kind", "the rule that ends pre-copy (max_rounds ends it in any case)"}, s.kind, [&](auto&& option) {
    option("qemu", "stop once the pages left fit the downtime limit at the last round's rate (QEMU)", [&](auto& w) {
      w(Real{"downtime_limit_ms", 300, 0.001, 1e7, "the stop-and-copy time allowed (QEMU's default 300 ms)"},
        s.downtime_limit_ms);
    });
    option("xen", "stop after max_iterations rounds, after a round that sent fewer than min_pages, or "
                  "once max_factor times the slot was sent (libxc)", [&](auto& w) {
      w(Whole<std::uint64_t>{"max_iterations", 29, 1, 1000000, "rounds before a forced stop (libxc's 29)"},
        s.max_iterations);
      w(Whole<std::uint64_t>{"min_pages", 50, 0, UINT64_MAX, "a round that sent fewer pages is the last (libxc's 50)"},
        s.min_pages);
      w(Real{"max_factor", 3.0, 0.01, 1e6, "pages sent, in slot sizes, before a forced stop (libxc's 3)"},
        s.max_factor);
    });
    option("threshold", "stop when few pages are dirty, or after a number of rounds", [&](auto& w) {
      w(Whole<std::uint64_t>{"dirty_pages", 0, 0, UINT64_MAX, "stop when a round reports at most this many"},
        s.dirty_pages);
      w(Whole<std::uint64_t>{"rounds", 0, 0, 1000000, "or after this many rounds (0: no limit)"}, s.rounds);
    });
  });
  v(Ignored{"comment", "free text"});
}

template <class C, class V>
void migration_fields(C& c, V& v) {
  auto& m = c.migration;
  v(Flag{"enabled", true, "migrate the slot (pre-copy, then stop-and-copy)"}, m.enabled);
  v(Real{"link_gbps", 1.0, 1e-6, 1e5, "link rate in Gbit/s (1 GbE in the 2014 test)"}, m.link_gbps);
  v(Real{"start_ms", 0, 0, 1e9, "when the migration thread starts, in simulated ms"}, m.start_ms);
  v(Whole<std::uint64_t>{"max_rounds", 30, 1, 1000000,
                         "pre-copy rounds before stop-and-copy is forced, for every rule"},
    m.max_rounds);
  v(Whole<unsigned>{.key = "slot",
                    .def = first_memslot_id(c),
                    .min = 0,
                    .max = mmu::KVM_USER_MEM_SLOTS - 1,
                    .meaning = "the id of the memslot migrated (the workload runs in it)",
                    .computed = "the first memslot's id"},
    m.slot);
  v.check("slot", [&]() -> std::string {
    for (const auto& s : c.memslots)
      if (s.id == m.slot) return "";
    return "no memslot has id " + std::to_string(m.slot);
  });
  v(Section{"stop_rule", "when pre-copy ends"}, [&](auto& w) { stop_rule_fields(m.stop, w); });
  v(Ignored{"comment", "free text"});
}

template <class C, class V>
void host_fields(C& h, V& v) {
  v(Real{"unmap_every_ms", 0, 0, 1e9, "period of host-side unmaps (what an MMU notifier does) while dirty bits "
                                      "may be set; 0: none"},
    h.unmap_every_ms);
  v(Word{"unmap", "page", kHostUnmaps, "what each unmap takes away: one page, or the pmd around it; as in "
                                        "unmap_stage2_range (Linux 3.15-4.x) a pte table left empty is freed "
                                        "with its pmd, a pmd table left empty with its level-1 entry"},
    h.unmap);
}

template <class C, class V>
void verify_fields(C& vf, V& v) {
  v(Flag{"enabled", true, "the lost-write verifier: every page written reaches the destination"}, vf.enabled);
  v(Flag{"invariants", false, "after every get_dirty_log: each page is dirty, or write-protected with no "
                              "writable TLB entry left"},
    vf.invariants);
}

// The whole config, top level first.
template <class C, class V>
void config_fields(C& c, V& v) {
  v(Text{"comment", "", "what the run shows (kept in the result)"}, c.comment);
  v(Whole<std::uint64_t>{"seed", 1, 0, UINT64_MAX, "seeds the workload and the host's unmaps (--seed replaces it)"},
    c.seed);
  v(Part{"machine", "cortex-a15",
         "a name under configs/machines/, or an inline machine: clock, TLBs, caches, every cost with its source"},
    c.machine);
  v(Part{"geometry", "armv7-lpae",
         "a named stage-2 geometry (armv7-lpae: KVM/ARM's 40-bit IPA from level 1, pud folded), or an object "
         "of the keys below"},
    c.geometry);
  v(Named{"kernel", mmu::kDefaultArmv7Profile.data(), "kernel profile", &mmu::kernel_profile_names,
          "the kernel behaviour modelled (mmu/kernel_profile.cpp): mmu_lock kind and which faults take it for "
          "read, in-place relaxation and its TLBI, flush instructions, BITS_PER_LONG, the dirty-log APIs "
          "(the arm64 ones belong with an armv8 geometry); dirty_log keys given explicitly override it"},
    c.kernel);
  v(Whole<unsigned>{"vcpus", 1, 1, kMaxVcpus, "vCPUs running the workload"}, c.vcpus);
  v(Whole<std::uint64_t>{"memory_limit_mib", 4096, 16, std::uint64_t{1} << 24,
                         "a run estimated to need more host memory is refused before anything is allocated"},
    c.memory_limit_mib);
  v(Part{"memslots", nullptr, "the guest's memory: at least one slot, none overlapping, inside the IPA space"},
    c.memslots);
  v(Section{"dirty_log", "how KVM_GET_DIRTY_LOG runs"}, [&](auto& w) { dirty_log_fields(c, w); });
  v(Section{"migration", "the migration thread"}, [&](auto& w) { migration_fields(c, w); });
  v(Section{"host", "host activity"}, [&](auto& w) { host_fields(c.host, w); });
  v(Section{"verify", "checks after the run"}, [&](auto& w) { verify_fields(c.verify, w); });
  v(Part{"workload", {{"kind", "uniform"}, {"ops", 1000}},
         "what the guest does: a generator, or {\"kind\": \"trace\", \"format\": \"native\" or \"lackey\", "
         "\"path\": FILE}; workloads/README.md has each kind's keys"},
    c.workload);
}

}  // namespace s2sim::sim
