// Exact cycle totals for tiny scenarios worked out by hand from the Cortex-A15
// machine (configs/machines/cortex-a15.json). Every expected number below is derived
// in the comment above it; if the engine's costing changes, these tests say which
// charge moved.
//
// The costs used (cycles):
//   L1D hit 4, L2 hit 21, DRAM 208 (the L2 lookup included)      caches
//   walk_step_overhead 6 per descriptor the hardware walker reads
//   micro_tlb_miss_main_hit 12 (also paid before a walk: the micro TLB missed first)
//   the access itself 1 (data in L1; the engine's fixed charge)
//   stage2_abort_host 5990 (abort to the host and back, trap included)
//   spin_lock 40 (uncontended), lock_handover 100
//   fault_handler_work 1500; a TLB flush request costs the requester trap_to_hyp 27
//   (kvm_call_hyp into Hyp mode and back) + tlbi_all_is 1000 (TLBIALLIS + DSB)
//   ioctl_entry 1000, bitmap_word_scan 4, atomic_xchg 30, copy_to_user_per_byte 1
//   page_copy 2500 (a page send is max(page_copy, wire time))
//
// Geometry armv7-lpae: the walk starts at level 1 (pgd, 1 GiB per entry, pud
// folded), then the pmd (2 MiB) and the pte (4 KiB). The memslot starts at
// gfn 0x40000 = IPA 0x40000000 (1 GiB), so its first page P uses pgd entry 1, pmd
// entry 0 and pte entry 0 of freshly allocated tables. Caches start empty.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/config/config.h"
#include "sim/engine/engine.h"
#include "sim/report/trace_events.h"

using namespace s2sim::sim;
using nlohmann::json;

namespace {

std::string write_trace(const std::string& text) {
  static int counter = 0;
  const std::string path = std::string(::testing::TempDir()) + "s2sim_cycles_" + std::to_string(::getpid()) + "_" +
                           std::to_string(counter++) + ".trace";
  std::ofstream(path) << text;
  return path;
}

// `vcpus` vCPUs replaying `trace` (native format), one memslot of `npages` pages at
// gfn 0x40000, migration off unless the caller turns it on.
json config(const std::string& trace, unsigned vcpus = 1, std::uint64_t npages = 512) {
  json j = json::parse(R"({
    "seed": 1, "machine": "cortex-a15", "geometry": "armv7-lpae",
    "memslots": [{"id": 0, "base_gfn": 262144, "npages": 512}],
    "workload": {"kind": "trace", "format": "native"},
    "dirty_log": {"walker": "range"},
    "migration": {"enabled": false},
    "verify": {"enabled": false}
  })");
  j["vcpus"] = vcpus;
  j["memslots"][0]["npages"] = npages;
  j["workload"]["path"] = write_trace(trace);
  return j;
}

RunResult run(const json& j, TraceEvents* trace = nullptr) {
  const SimConfig cfg = parse_config(j, "engine_cycles_test.json", configs_dir());
  Engine e(cfg, trace);
  RunResult r = e.run();
  std::remove(j["workload"]["path"].get<std::string>().c_str());
  return r;
}

// Every cycle of a vCPU's clock is busy, idle or waiting for mmu_lock (no vCPU here
// is paused).
void expect_accounted(const VcpuStats& v) {
  EXPECT_EQ(v.cycles, v.busy_cycles + v.idle_cycles + v.mmu_lock_wait);
}

// The first write to P (IPA 0x40000000), common to several tests (one vCPU, core 0):
//  access:   micro and main TLB miss: 1 + 12; the walk reads the level-1 entry
//            (pgd[1]) from DRAM: 208 + 6 = 214; it is invalid: translation fault.
//            1 + 12 + 214 = 227
//  abort:    stage2_abort_host 5990                                  -> 6217
//  handler:  spin_lock 40                                            -> 6257
//            kvm_handle_guest_abort, through core 0's caches:
//              lookup: pgd[1]  (in L1 since the walk)           4
//              map_page: pgd[1] load 4, new pmd table: store pgd[1] 4,
//                        pmd[0] load (new line: DRAM) 208, new pte table: store pmd[0] 4,
//                        store pte[0] (new line: DRAM) 208    428
//              = 432; fault_handler_work 1500                    -> 6257 + 1932 = 8189
//  retry:    TLB miss 1 + 12, walk of three levels all in L1 (the handler just wrote
//            them): 3 x (4 + 6) = 30 -> 43; fills the TLB          -> 8232
constexpr std::uint64_t kFirstWrite = 8232;

}  // namespace

// (a) A write that hits the micro TLB costs the access alone: 1 cycle.
TEST(EngineCycles, WriteHittingTheTlb) {
  const RunResult one = run(config("0 W 40000000\n"));
  ASSERT_EQ(one.vcpu.size(), 1u);
  EXPECT_EQ(one.vcpu[0].cycles, kFirstWrite);

  // Second write: the store micro TLB holds the read/write entry the retry filled:
  // 8232 + 1 = 8233.
  const RunResult two = run(config("0 W 40000000\n0 W 40000000\n"));
  const VcpuStats& v = two.vcpu[0];
  EXPECT_EQ(v.cycles, kFirstWrite + 1);
  EXPECT_EQ(v.busy_cycles, kFirstWrite + 1);
  EXPECT_EQ(v.tlb.micro_hits, 1u);
  EXPECT_EQ(v.tlb.misses, 2u);
  EXPECT_EQ(v.writes, 2u);
  expect_accounted(v);

  // A read after the write misses the load micro TLB and hits the main TLB:
  // 1 + micro_tlb_miss_main_hit 12 = 13, so 8232 + 13 = 8245.
  const RunResult rd = run(config("0 W 40000000\n0 R 40000000\n"));
  EXPECT_EQ(rd.vcpu[0].cycles, kFirstWrite + 13);
  EXPECT_EQ(rd.vcpu[0].tlb.main_hits, 1u);
  EXPECT_EQ(rd.total_cycles, kFirstWrite + 13);
}

// (b) TLB misses and their walks. Because the stage-2 tables are built lazily by the
// fault handler on the faulting core, a walk of all three levels never finds its
// descriptors in DRAM: the handler's loads and stores just brought them into that
// core's L1 and into the shared L2. The cold DRAM load is the first access's
// one-level walk (pgd[1], invalid); the three-level walks are served by L1 on the
// same core and by L2 on another core.
TEST(EngineCycles, TlbMissWalks) {
  const RunResult r = run(config("0 W 40000000\n"));
  const VcpuStats& v = r.vcpu[0];
  EXPECT_EQ(v.cycles, kFirstWrite);
  EXPECT_EQ(v.tlb.misses, 2u);  // each one a walk
  EXPECT_EQ(v.walk_loads.total(), 4u);
  // walk cycles: 214 (pgd[1] from DRAM) + 3 x (4 + 6) = 244
  EXPECT_EQ(v.walk_cycles, 214u + 30u);
  EXPECT_EQ(v.walk_loads_where.l1, 3u);
  EXPECT_EQ(v.walk_loads_where.l2, 0u);
  EXPECT_EQ(v.walk_loads_where.dram, 1u);
  EXPECT_EQ(v.translation_faults, 1u);
  // fault cycles: abort 5990 + handler 40 + 432 + 1500 = 7962
  EXPECT_EQ(v.fault_cycles, 7962u);
  EXPECT_EQ(v.busy_cycles, kFirstWrite);
  expect_accounted(v);
  EXPECT_EQ(r.tlb_misses, 2u);
  EXPECT_EQ(r.flush_ipa + r.flush_all, 0u);  // a fresh mapping needs no TLB maintenance

  // vCPU 1 (core 1) maps P at time 0 exactly as above (8232 cycles); vCPU 0 reads P
  // from 20000 on, its caches still cold. Its walk reads pgd[1], pmd[0] and pte[0],
  // all three in the shared L2 (core 1 brought every line in from DRAM):
  //   1 + 12 + 3 x (21 + 6) = 94, so vCPU 0 ends at 20000 + 94 = 20094.
  const RunResult two = run(config("1 W 40000000\n0 R 40000000 @20000\n", 2));
  ASSERT_EQ(two.vcpu.size(), 2u);
  EXPECT_EQ(two.vcpu[1].cycles, kFirstWrite);
  const VcpuStats& w = two.vcpu[0];
  EXPECT_EQ(w.cycles, 20094u);
  EXPECT_EQ(w.idle_cycles, 20000u);
  EXPECT_EQ(w.busy_cycles, 94u);
  EXPECT_EQ(w.walk_cycles, 81u);
  EXPECT_EQ(w.walk_loads_where.l1, 0u);
  EXPECT_EQ(w.walk_loads_where.l2, 3u);
  EXPECT_EQ(w.walk_loads_where.dram, 0u);
  EXPECT_EQ(w.translation_faults, 0u);
  expect_accounted(w);
  expect_accounted(two.vcpu[1]);
  EXPECT_EQ(two.total_cycles, 20094u);
}

// (c) A read translation fault while the slot is not logging maps P read/write
// (user_mem_abort, 3.10-4.0: gfn_to_pfn_prot() reports the host page writable), so the
// write that follows finds a writable entry in the main TLB and takes no fault.
//   Read of P: as kFirstWrite (the same walk, handler and retry)        -> 8232
//   Write of P: store micro TLB miss, main TLB hit: 1 + 12 = 13           -> 8245
TEST(EngineCycles, ReadFaultWhenNotLoggingMapsWritableAndTheWriteHitsTheTlb) {
  const RunResult r = run(config("0 R 40000000\n0 W 40000000\n"));
  const VcpuStats& v = r.vcpu[0];
  EXPECT_EQ(v.cycles, kFirstWrite + 13);
  EXPECT_EQ(v.translation_faults, 1u);
  EXPECT_EQ(v.write_protect_faults, 0u);
  EXPECT_EQ(v.tlb.main_hits, 1u);
  EXPECT_EQ(v.tlb.misses, 2u);  // the read's, and its retry's
  EXPECT_EQ(r.flush_ipa + r.flush_all, 0u);
  expect_accounted(v);
}

// (c') A write-protect fault: logging is on, so a read maps P read-only (PAGE_S2); the
// write that follows hits that entry and faults; user_mem_abort makes the pte writable
// the way 2014-2015 stage2_set_pte() did -- write the new pte, then flush the IPA --
// and on ARMv7 that per-IPA flush is a whole-VMID TLBIALLIS; the retried write misses
// the emptied TLB and walks again.
//
// Migration thread (core 1) from 0: ioctl_entry 1000; enable-logging walk of the one
// chunk: spin_lock 40 + pgd[1] from DRAM 208; flush_remote_tlbs: kvm_call_hyp
// (trap_to_hyp) 27 + TLBIALLIS 1000 -> 2275; then
// round 0 sends pages (no table access, no lock) until long after the vCPU is done.
// vCPU 0 (core 0), from 10000:
//   Read of P: micro and main TLB miss 1 + 12; the walk finds pgd[1] in the shared L2
//     (core 1 read it): 21 + 6; invalid: translation fault                 40
//     abort 5990; spin_lock 40; handler as in kFirstWrite 432 + 1500      7962
//     retry: miss 13, walk of three levels in L1 30                        43
//     = 8045                                                               -> 18045
//   Write of P: store micro TLB miss, main TLB hit (read-only entry) 13;
//     permission fault: abort 5990, spin_lock 40;
//     lookup pgd[1], pmd[0], pte[0] in L1: 12; store the writable pte (L1) 4;
//     flush_vmid_ipa: kvm_call_hyp 27 + TLBIALLIS 1000;
//     fault_handler_work 1500                                            8586
//     retry: the flush emptied the TLB: miss 13 + walk in L1 30           43
//     = 8629                                                               -> 26674
// Break-before-make (from 2016) stores twice: 4 cycles more.
TEST(EngineCycles, WriteProtectFaultWritesThePteThenFlushesTheWholeVmid) {
  json j = config("0 R 40000000 @10000\n0 W 40000000\n");
  j["migration"] = json::parse(R"({"enabled": true, "start_ms": 0, "link_gbps": 100,
                                   "stop_rule": {"kind": "threshold", "dirty_pages": 0, "rounds": 2}})");
  const RunResult r = run(j);
  const VcpuStats& v = r.vcpu[0];
  EXPECT_EQ(r.enable_logging_cycles, 1275u);
  EXPECT_EQ(v.cycles, 26674u);
  EXPECT_EQ(v.idle_cycles, 10000u);
  EXPECT_EQ(v.busy_cycles, 16674u);
  EXPECT_EQ(v.translation_faults, 1u);
  EXPECT_EQ(v.write_protect_faults, 1u);
  EXPECT_EQ(v.fault_cycles, (5990u + 40u + 432u + 1500u) + (5990u + 40u + 12u + 4u + 27u + 1000u + 1500u));
  EXPECT_EQ(v.tlb.main_hits, 1u);
  EXPECT_EQ(v.tlb.misses, 3u);
  EXPECT_EQ(v.walk_cycles, 27u + 30u + 30u);
  // Flushes: enable logging's kvm_flush_remote_tlbs, the fault's, and round 1's
  // get_dirty_log (P was dirty); later calls find nothing dirty and flush nothing.
  EXPECT_EQ(r.flush_ipa, 1u);
  EXPECT_EQ(r.flush_all, 2u);
  EXPECT_EQ(v.tlb.invalidations, 3u);
  // The fault's flush dropped the main TLB entry and its two micro TLB copies; round
  // 1's, the retried write's main entry and its store micro TLB copy.
  EXPECT_EQ(r.tlb_entries_invalidated, 3u + 2u);
  expect_accounted(v);
}

// (d) The race the flush in get_dirty_log exists for, built as an exact schedule.
//
// One vCPU, a memslot of 32768 pages (64 chunks of 2 MiB; 1024 bitmap words of 32
// bits), walker "range", migration from cycle 0 over a 100 Gbit/s link (wire time
// 4096 x 8 / 1e11 x 1.7e9 = 557 cycles < page_copy, so every page send is 2500),
// stop rule: threshold 0 dirty pages or 2 rounds. P is gfn 0x40000, bit 0 of word 0.
//
// Migration thread (agent 1, core 1):
//   0          Start: ioctl_entry 1000                                     -> 1000
//   1000       enable-logging walk, 64 chunk steps under mmu_lock: spin_lock 40;
//              each chunk reads pgd[1] (none: nothing mapped yet), DRAM 208 then
//              L1 4: 40 + 208 + 63 x 4 = 500                               -> 1500
//   1500       flush_remote_tlbs: 27 + 1000                                -> 2527
//   2527       round 0: 64 untouched chunks of 512 pages, 32768 x 2500     -> 81922527
//   round 1 get_dirty_log, from 81922527:
//              ioctl_entry 1000 + slots_lock 40; zero the buffer 1024 x 4 = 4096;
//              mmu_lock 40                                                 -> 81927703 = T_w
//   T_w        word 0: scan 4 + xchg 30 + range walk of P on core 1: pgd[1], pmd[0],
//              pte[0] loads from L2 (core 0 wrote them, invalidating core 1's L1)
//              3 x 21, the pte store (now in L1) 4: 34 + 67 = 101         -> 81927804
//              words 1..1023: 1023 x 4 = 4092                              -> 81931896 = T_f
//   T_f        flush (if on) 27 + 1000, copy_to_user 4096 bytes x 1; the ioctl returns,
//              then P is sent (2500), round 2 starts.
// vCPU 0 (agent 0, core 0):
//   t1 = 100000  write P: translation fault (the walk finds pgd[1] in L2: 1 + 12 +
//                21 + 6); the handler maps P read/write and marks it dirty; the retry
//                fills the TLB with a writable entry.
//   t2 = 81929000 write P, inside (T_w, T_f]: P is already read-only in the tables,
//                but the TLB entry is still writable, so the write neither faults nor
//                sets a dirty bit. It is not lost: P was in round 1's snapshot, and
//                round 1 sends P after the ioctl returns, with this write in it.
//   t3 = 81940000 write P, after round 1 sent it. With the flush, the TLB is empty:
//                the walk finds P read-only -> write-protect fault -> dirty again ->
//                sent by a later round. Without the flush the stale writable entry
//                is still there: no fault, no dirty bit, never sent: a lost write.
namespace {

json race_config(bool flush) {
  json j = config("0 W 40000000 @100000\n0 W 40000000 @81929000\n0 W 40000000 @81940000\n", 1, 32768);
  j["migration"] = json::parse(R"({"enabled": true, "start_ms": 0, "link_gbps": 100,
                                   "stop_rule": {"kind": "threshold", "dirty_pages": 0, "rounds": 2}})");
  j["verify"] = {{"enabled", true}, {"invariants", flush}};
  j["dirty_log"]["flush_tlbs"] = flush;
  return j;
}

}  // namespace

TEST(EngineCycles, WriteBetweenWriteProtectAndFlushIsCaughtByTheSnapshot) {
  TraceEvents trace(1.7e9);
  const RunResult r = run(race_config(true), &trace);
  EXPECT_EQ(r.enable_logging_cycles, 1527u);
  ASSERT_GE(r.rounds.size(), 2u);
  EXPECT_EQ(r.rounds[0].cycles, 81922527u - 1000u);  // round 0 starts after the ioctl entry
  EXPECT_EQ(r.rounds[1].start_cycle, 81922527u);
  EXPECT_EQ(r.rounds[1].dirty_pages, 1u);  // P, from the t1 fault
  EXPECT_EQ(r.rounds[1].guest_write_faults, 0u);  // t2 did not fault

  // The schedule is what the comment says: round 1's words phase is [T_w, T_f] and t2
  // falls inside it.
  const json doc = json::parse(trace.json());
  bool found = false;
  for (const auto& e : doc["traceEvents"]) {
    if (e["name"] != "get_dirty_log: words + write-protect") continue;
    const std::uint64_t begin = e["args"]["begin_cycle"], dur = e["args"]["dur_cycles"];
    if (begin != 81927703u) continue;
    found = true;
    EXPECT_EQ(begin + dur, 81931896u);
    EXPECT_LT(begin, 81929000u);
    EXPECT_GE(begin + dur, 81929000u);
  }
  EXPECT_TRUE(found) << "no words phase beginning at T_w = 81927703";

  EXPECT_EQ(r.translation_faults, 1u);
  EXPECT_EQ(r.write_protect_faults, 1u);  // t3 only
  EXPECT_EQ(r.writes, 3u);
  EXPECT_EQ(r.lost_writes, 0u);
  EXPECT_EQ(r.invariant_violations, 0u);
  EXPECT_TRUE(r.verify_ok());
}

TEST(EngineCycles, WithoutTheFlushTheSameScheduleLosesTheNextWrite) {
  const RunResult r = run(race_config(false));
  EXPECT_EQ(r.translation_faults, 1u);
  EXPECT_EQ(r.write_protect_faults, 0u);  // neither t2 nor t3 faulted
  EXPECT_EQ(r.writes, 3u);
  EXPECT_EQ(r.lost_writes, 1u);
  ASSERT_EQ(r.first_lost.size(), 1u);
  EXPECT_EQ(r.first_lost[0].gfn, 0x40000u);
  EXPECT_EQ(r.first_lost[0].source_version, 3u);  // t1, t2, t3
  EXPECT_EQ(r.first_lost[0].copied_version, 2u);  // round 1 sent t2's write, nothing after
  EXPECT_FALSE(r.verify_ok());
}

// The get_dirty_log phases add up to the calls' spans, and without the waits to
// dl_cycles; the race schedule's round 1 call is worked out above.
TEST(EngineCycles, GetDirtyLogPhasesAddUp) {
  const RunResult r = run(race_config(true));
  const GetDirtyLogPhases& ph = r.dl_phases;
  std::uint64_t spans = 0;
  for (const auto& rd : r.rounds) spans += rd.get_dirty_log_cycles;
  EXPECT_EQ(ph.total(), spans);
  EXPECT_EQ(ph.work(), r.dl_cycles);
  EXPECT_EQ(ph.snapshot, 0u);
  // Round 1 alone: entry 1000 + 4096, lock 40 + 40, words 34 + 4092, write-protect 67,
  // flush 27 + 1000, copy-out 4096: 14492 cycles.
  EXPECT_EQ(r.rounds[1].get_dirty_log_cycles, 14492u);
  // Every call pays entry, locks, 1024 word scans and the copy-out; only dirty words
  // pay the xchg and the walk.
  const std::uint64_t calls = r.get_dirty_log_calls;
  EXPECT_EQ(ph.entry, calls * (1000 + 4096));
  EXPECT_EQ(ph.lock, calls * 80);
  EXPECT_EQ(ph.copy_out, calls * 4096);
  EXPECT_EQ(ph.words, calls * 1024 * 4 + r.pages_reported * 30);
  EXPECT_EQ(r.dl_loads_where.total(), r.descriptor_loads());
  // Round 1's walk: three loads from L2.
  EXPECT_GE(r.dl_loads_where.l2, 3u);
}
