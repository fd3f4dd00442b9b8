// The seed walker's abandoned mask, end to end through the engine: a bitmap word that
// straddles a 1 GiB boundary, the host unmapping the 2 MiB below the boundary (which
// frees the pte table, then the pmd table, and clears the level-1 entry, as
// unmap_ptes()/unmap_pmds() do in Linux 3.15-4.x), and v4's
//   if (crosses_pmd && !pud_present(pudv)) { pud = pud_offset(pgd, next); ...; return; }
// (the pud being folded, pud_offset(pgd, next) is the same empty level-1 entry).
// The pages above the boundary had their bits xchg'd into the snapshot and stay
// writable: the guest's next writes to them neither fault nor set a bit, and the
// verifier finds them lost. The correct walkers lose nothing on the same run.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "mmu/hazard.h"
#include "sim/config/config.h"
#include "sim/engine/engine.h"

using namespace s2sim::sim;

namespace {

constexpr std::uint64_t kBoundary = std::uint64_t{1} << 18;  // gfn of the 1 GiB boundary

// One vCPU writes the 16 pages just above the boundary round and round, 10 us apart,
// and every 200th write goes to the page just below it.
std::string write_trace() {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("s2sim-mask-abandoned-" + std::to_string(::getpid()) + ".trace"))
          .string();
  std::ofstream out(path);
  out << "# vcpu R|W ipa think\n";
  char line[64];
  for (unsigned i = 0; i < 30000; ++i) {
    const std::uint64_t gfn = i % 200 == 199 ? kBoundary - 1 : kBoundary + i % 16;
    std::snprintf(line, sizeof line, "0 W %llx 17000\n", static_cast<unsigned long long>(gfn << 12));
    out << line;
  }
  return path;
}

RunResult run(const std::string& walker, const std::string& trace) {
  // Slot [B - 528, B + 16): its word 16 is [B - 16, B + 16). The host unmaps the 2 MiB
  // around a random gfn of the slot every millisecond; 512 of its 544 gfns pick the
  // region just below the boundary, the only one of its GiB the guest uses.
  nlohmann::json j = nlohmann::json::parse(R"({
    "seed": 3, "machine": "cortex-a15", "geometry": "armv7-lpae", "vcpus": 1,
    "memslots": [{"id": 0, "base_gfn": 261616, "npages": 544}],
    "workload": {"kind": "trace", "format": "native", "path": ""},
    "dirty_log": {"walker": "v4"},
    "migration": {"link_gbps": 1, "start_ms": 1, "max_rounds": 400,
                  "stop_rule": {"kind": "threshold", "dirty_pages": 0}},
    "host": {"unmap_every_ms": 1, "unmap": "pmd"}
  })");
  j["workload"]["path"] = trace;
  j["dirty_log"]["walker"] = walker;
  const SimConfig cfg = parse_config(j, "mask-abandoned.json", configs_dir());
  Engine e(cfg);
  return e.run();
}

std::uint64_t abandoned(const RunResult& r) {
  return r.hazards[static_cast<std::size_t>(s2sim::mmu::HazardKind::MaskAbandoned)];
}

}  // namespace

TEST(MaskAbandoned, V4LosesTheWritesOfTheMaskItAbandons) {
  const std::string trace = write_trace();
  const RunResult v4 = run("v4", trace);
  EXPECT_GT(v4.host_unmaps, 0u);
  EXPECT_GT(abandoned(v4), 0u);
  EXPECT_GT(v4.lost_writes, 0u);
  EXPECT_FALSE(v4.verify_ok());
  // Every page lost is one of those above the boundary that the walk abandoned.
  for (const auto& l : v4.first_lost) {
    EXPECT_GE(l.gfn, kBoundary);
    EXPECT_LT(l.gfn, kBoundary + 16);
  }
  for (const char* w : {"naive", "v4-fixed", "range"}) {
    const RunResult r = run(w, trace);
    EXPECT_EQ(r.lost_writes, 0u) << w;
    EXPECT_EQ(abandoned(r), 0u) << w;
    EXPECT_TRUE(r.verify_ok()) << w;
  }
  std::remove(trace.c_str());
}
