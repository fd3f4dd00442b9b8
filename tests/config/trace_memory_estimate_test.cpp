// A trace's length never enters the memory estimate: traces are streamed (a fixed
// buffer per cursor, a bounded read-ahead), so a run over a trace of a million
// lines is estimated, and refused or not, exactly as one over ten lines.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/config/config.h"

using namespace s2sim::sim;

TEST(TraceMemoryEstimate, DoesNotGrowWithTheTrace) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string short_trace = (dir / "s2sim-estimate-short.trace").string();
  const std::string long_trace = (dir / "s2sim-estimate-long.trace").string();
  {
    std::ofstream s(short_trace), l(long_trace);
    for (int i = 0; i < 10; ++i) s << "0 W 80000000\n";
    for (int i = 0; i < 1000000; ++i) l << "0 W " << std::hex << (0x80000000u + (i % 4096) * 4096u) << std::dec << "\n";
  }
  auto config = [](const std::string& trace) {
    nlohmann::json j = nlohmann::json::parse(R"({"vcpus": 1, "memslots": [{"id": 0, "base_gfn": 524288, "npages": 65536}]})");
    j["workload"] = {{"kind", "trace"}, {"format", "native"}, {"path", trace}};
    return parse_config(j, "test.json", configs_dir());
  };
  EXPECT_EQ(estimate_memory_bytes(config(short_trace)), estimate_memory_bytes(config(long_trace)));
  std::filesystem::remove(short_trace);
  std::filesystem::remove(long_trace);
}
