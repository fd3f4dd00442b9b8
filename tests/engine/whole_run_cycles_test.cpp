// Whole runs -- enabling logging, round 0, pre-copy rounds, stop-and-copy, the verifier
// -- whose cycle totals are worked out by hand below from the Cortex-A15 machine file
// (configs/machines/cortex-a15.json), so that the checked-in golden result
// (tests/data/golden/handworked-naive.result.json, reproduced byte for byte by
// tests/cli/determinism_cli_test.cpp) rests on arithmetic, not only on an earlier
// output of the same binary.
//
// Costs used (cycles): L1D hit 4, L2 hit 21, DRAM 208; walk_step_overhead 6;
// micro_tlb_miss_main_hit 12; the access itself 1; stage2_abort_host 5990; spin_lock
// 40; fault_handler_work 1500 (user_mem_abort's gfn_to_pfn_prot and memory-cache
// top-up, which run before it takes mmu_lock: Linux 3.17/4.0 arch/arm/kvm/mmu.c,
// user_mem_abort); trap_to_hyp 27 (the HVC of kvm_call_hyp() that every TLB
// maintenance request makes) and tlbi_all_is 1000; ioctl_entry 1000; bitmap_word_scan 4;
// atomic_xchg 30; copy_to_user_per_byte 1; page_copy 2500 (a page send is
// max(page_copy, wire time); at 100 Gbit/s the wire time is 4096 x 8 / 1e11 x 1.7e9 =
// 557, so every send is 2500).
//
// The run: one vCPU (agent 0, core 0) writes gfn A = 0x40000 then B = 0x40001
// (`sequential`, 2 ops, no think time) into a 512-page slot at 1 GiB (pgd entry 1, pmd
// entry 0, ptes 0 and 1 of tables the first fault allocates); the migration thread
// (agent 1, core 1) starts at cycle 0 over 100 Gbit/s with the threshold rule "stop at
// 0 dirty pages". Ties go to the lower agent id, so the vCPU's first step runs first.
//
// vCPU:
//   0        write A: micro + main TLB miss 1 + 12, the walk reads pgd[1] from DRAM:
//            208 + 6; invalid: translation fault 227; abort 5990; the handler's
//            work before mmu_lock, fault_handler_work 1500                     -> 7717
//   7717     under mmu_lock (free since 1061): spin_lock 40; lookup pgd[1] (L1) 4;
//            map_page: pgd[1] 4, store pgd[1] 4, pmd[0] new line 208, store pmd[0] 4,
//            store pte[0] new line 208 = 432; A marked dirty (logging has been on
//            since the migration's first step at 0)                             -> 8189
//   8189     retry: TLB miss 13, walk of 3 levels in L1 3 x (4 + 6) = 30        -> 8232
//   8232     write B: TLB miss 13; the walk cache (filled by A's retry walk) holds
//            pmd[0]'s pte table, so the walk reads pte[1] alone (pte[0]'s line, L1):
//            4 + 6 = 10; invalid: translation fault; abort 5990; 1500         -> 15745
//   15745    under mmu_lock: spin_lock 40; lookup 3 x 4 = 12; map_page: pgd[1] 4,
//            pmd[0] 4, store pte[1] 4 = 12; B marked dirty                    -> 15809
//   15809    retry: 13 + 10                                                     -> 15832
//   (The same totals as with the work charged under the lock: with one vCPU nobody
//   waits for mmu_lock, so only the lock's hold time moved.)
// Migration thread:
//   0        Start: ioctl_entry 1000; logging on (the bitmap exists)            -> 1000
//   1000     enable-logging walk, one 2 MiB chunk: spin_lock 40; pgd[1] from L2
//            (the vCPU's walk at 0 brought it from DRAM) 21, invalid: done      -> 1061
//   1061     kvm_flush_remote_tlbs: trap_to_hyp 27 + TLBIALLIS 1000;
//            enable_logging_cycles = 2088 - 0 = 2088 (from the ioctl's start, the
//            span dirty_log_perf_test calls "Enabling dirty logging time")
//   2088     round 0: the chunk is not written yet (A's write lands at 8232): all 512
//            pages in one step, 512 x 2500 = 1280000                         -> 1282088
//            round 0 = [0, 1282088), from the migration's start: 1282088 cycles,
//            512 pages; no warm-up (the migration starts at 0)
//   1282088  round 1 get_dirty_log (16 words of 32 bits): entry 1000, slots_lock 40,
//            zero the buffer 16 x 4 = 64, mmu_lock 40;
//            word 0 (mask 0b11): scan 4 + xchg 30; naive walks A: pgd[1], pmd[0],
//            pte[0] from L2 (core 0 wrote them) 3 x 21, store pte[0] (L1) 4 = 67;
//            B: pgd[1], pmd[0], pte[1] in L1 3 x 4, store 4 = 16; together 83;
//            words 1..15: 15 x 4 = 60; flush (seed placement, inside the lock) 27 +
//            1000; copy_to_user 64 bytes 64:
//            1000 + 40 + 64 + 40 + 34 + 83 + 60 + 1027 + 64 = 2412           -> 1284500
//            2 pending pages > 0: send A and B, 2 x 2500                    -> 1289500
//            round 1 = 1289500 - 1282088 = 7412 cycles
//   1289500  round 2 get_dirty_log: every word zero, nothing to flush: 1000 + 40 +
//            64 + 40 + 16 x 4 + 64 = 1272; 0 pending: stop; the vCPU has finished,
//            so the pause is immediate                                      -> 1290772
//   1290772  final get_dirty_log: 1272; nothing to send                     -> 1292044
//            round 2 (stop-and-copy) = 1292044 - 1289500 = 2544 cycles, both calls
//            downtime = 1292044 - 1290772 = 1272; get_dirty_log work 2412 + 2 x 1272
//            = 4956; the run ends at 1292044.
//   The threshold rule fired on 0 pending pages, but the guest had run out of work at
//   15832, in round 0: nothing converged, the guest stopped writing. stop_reason is
//   guest_finished, converged false.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "sim/config/config.h"
#include "sim/engine/engine.h"

namespace s2sim::sim {
namespace {

using nlohmann::json;

// The run above: tests/data/configs/handworked-naive.json, the config of the golden
// tests/data/golden/handworked-naive.result.json.
json read_json(const std::string& relative) {
  std::ifstream in(std::string(S2SIM_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in) << "missing " << relative;
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}
json handworked() { return read_json("tests/data/configs/handworked-naive.json"); }

// "" if every member of `given` (recursively, objects by key, arrays by position) is
// in `resolved` with the same value, else the JSON pointer of the first that is not.
std::string missing_from(const json& resolved, const json& given, const std::string& at = "") {
  if (given.is_object() && resolved.is_object()) {
    for (const auto& [k, v] : given.items()) {
      if (!resolved.contains(k)) return at + "/" + k;
      if (std::string m = missing_from(resolved.at(k), v, at + "/" + k); !m.empty()) return m;
    }
    return "";
  }
  if (given.is_array() && resolved.is_array() && given.size() == resolved.size()) {
    for (std::size_t i = 0; i < given.size(); ++i)
      if (std::string m = missing_from(resolved.at(i), given.at(i), at + "/" + std::to_string(i)); !m.empty()) return m;
    return "";
  }
  return resolved == given ? "" : at;
}

RunResult run(const json& doc) {
  const SimConfig cfg = parse_config(doc, "whole_run_cycles_test.json", configs_dir());
  Engine e(cfg);
  return e.run();
}

}  // namespace

TEST(WholeRunCycles, TwoWritesThenAMigrationWorkedByHand) {
  const RunResult r = run(handworked());
  ASSERT_EQ(r.vcpu.size(), 1u);
  EXPECT_EQ(r.vcpu[0].cycles, 15832u);
  EXPECT_EQ(r.vcpu[0].busy_cycles, 15832u);
  EXPECT_EQ(r.vcpu[0].fault_cycles, (5990u + 40 + 432 + 1500) + (5990u + 40 + 24 + 1500));
  EXPECT_EQ(r.vcpu[0].walk_cycles, 214u + 30 + 10 + 10);
  EXPECT_EQ(r.translation_faults, 2u);
  EXPECT_EQ(r.enable_logging_cycles, 2088u);
  EXPECT_EQ(r.warmup.cycles, 0u);
  EXPECT_EQ(r.warmup.translation_faults, 0u);
  ASSERT_EQ(r.rounds.size(), 3u);
  EXPECT_EQ(r.rounds[0].start_cycle, 0u);
  EXPECT_EQ(r.rounds[0].cycles, 1282088u);
  EXPECT_EQ(r.rounds[0].pages_sent, 512u);
  EXPECT_EQ(r.rounds[1].start_cycle, 1282088u);
  EXPECT_EQ(r.rounds[1].get_dirty_log_cycles, 2412u);
  EXPECT_EQ(r.rounds[1].dirty_pages, 2u);
  EXPECT_EQ(r.rounds[1].cycles, 7412u);
  EXPECT_TRUE(r.rounds[2].stop_and_copy);
  EXPECT_EQ(r.rounds[2].start_cycle, 1289500u);
  EXPECT_EQ(r.rounds[2].get_dirty_log_cycles, 2544u);
  EXPECT_EQ(r.rounds[2].cycles, 2544u);
  EXPECT_EQ(r.rounds[2].pages_sent, 0u);
  EXPECT_EQ(r.pages_sent_total, 514u);
  EXPECT_EQ(r.downtime_cycles, 1272u);
  EXPECT_EQ(r.dl_cycles, 4956u);
  EXPECT_EQ(r.dl_phases.write_protect, 83u);
  EXPECT_EQ(r.dl_loads.by_level(), (std::array<std::uint64_t, 4>{0, 2, 2, 2}));
  EXPECT_EQ(r.dl_stores.by_level(), (std::array<std::uint64_t, 4>{0, 0, 0, 2}));
  EXPECT_EQ(r.migration_cycles, 1292044u);
  EXPECT_EQ(r.total_cycles, 1292044u);
  EXPECT_EQ(r.lost_writes, 0u);
  EXPECT_TRUE(r.verify_ok());
  EXPECT_TRUE(r.guest_finished);
  EXPECT_EQ(r.guest_finished_cycles, 15832u);
  EXPECT_EQ(r.guest_finished_round, 0);
  EXPECT_EQ(r.stop_reason, "guest_finished");
  EXPECT_EQ(r.stop_detail, "threshold: 0 dirty pages <= 0");
  EXPECT_FALSE(r.converged);
}

// The same run with 64-bit bitmap words and the range walker. What changes:
//   8 words instead of 16: zeroing 8 x 4 = 32, scanning 32, copy_to_user 64 bytes
//   (unchanged: 8 x 64 bits);
//   word 0's walk: range visits pgd[1], pmd[0] once (L2 21 each), pte[0] (L2 21,
//   store 4) and pte[1] (L1 4, store 4) = 75;
//   round 1 get_dirty_log: 1000 + 40 + 32 + 40 + 34 + 75 + 7 x 4 + 1027 + 64 = 2340
//                                                      -> 1282088 + 2340 = 1284428
//   sends 2 x 2500                                     -> 1289428; round 1 = 7340
//   rounds 2 and final: 1000 + 40 + 32 + 40 + 8 x 4 + 64 = 1208 each
//                                                      -> 1290636, 1291844
//   work 2340 + 2 x 1208 = 4756; round 2 = 2416; downtime 1208.
TEST(WholeRunCycles, TheSameWith64BitWordsAndTheRangeWalker) {
  json doc = handworked();
  doc["dirty_log"] = {{"walker", "range"}, {"bits_per_long", 64}};
  const RunResult r = run(doc);
  ASSERT_EQ(r.rounds.size(), 3u);
  EXPECT_EQ(r.rounds[0].cycles, 1282088u);
  EXPECT_EQ(r.rounds[1].get_dirty_log_cycles, 2340u);
  EXPECT_EQ(r.rounds[1].cycles, 7340u);
  EXPECT_EQ(r.rounds[2].cycles, 2416u);
  EXPECT_EQ(r.downtime_cycles, 1208u);
  EXPECT_EQ(r.dl_cycles, 4756u);
  EXPECT_EQ(r.dl_phases.write_protect, 75u);
  EXPECT_EQ(r.dl_loads.by_level(), (std::array<std::uint64_t, 4>{0, 1, 1, 2}));
  EXPECT_EQ(r.total_cycles, 1291844u);
  EXPECT_EQ(r.vcpu[0].cycles, 15832u);
}

// The golden file carries the numbers worked out above: a regenerated golden whose
// cycles moved fails here, whatever the binary now prints.
TEST(WholeRunCycles, TheGoldenResultHoldsTheHandWorkedNumbers) {
  const json g = read_json("tests/data/golden/handworked-naive.result.json");
  EXPECT_EQ(g.at("cycles").at("total"), 1292044u);
  EXPECT_EQ(g.at("cycles").at("migration"), 1292044u);
  EXPECT_EQ(g.at("cycles").at("vcpu").at(0).at("cycles"), 15832u);
  EXPECT_EQ(g.at("dirty_log").at("cycles"), 4956u);
  EXPECT_EQ(g.at("dirty_log").at("enable_logging_cycles"), 2088u);
  EXPECT_EQ(g.at("migration").at("downtime_cycles"), 1272u);
  const json& rounds = g.at("migration").at("rounds");
  ASSERT_EQ(rounds.size(), 3u);
  EXPECT_EQ(rounds.at(0).at("cycles"), 1282088u);
  EXPECT_EQ(rounds.at(1).at("cycles"), 7412u);
  EXPECT_EQ(rounds.at(1).at("get_dirty_log_cycles"), 2412u);
  EXPECT_EQ(rounds.at(2).at("cycles"), 2544u);
  // The golden is a run of this config: its resolved config holds every key given,
  // with the value given (the machine and geometry named, resolved into objects).
  json given = handworked();
  EXPECT_EQ(g.at("config").at("machine").at("name"), given.at("machine"));
  EXPECT_EQ(g.at("config").at("geometry").at("name"), "armv7-lpae-40");
  given.erase("machine");
  given.erase("geometry");
  EXPECT_EQ(missing_from(g.at("config"), given), "");
}

}  // namespace s2sim::sim
