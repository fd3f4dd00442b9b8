// s2sim perf-test: builds the run dirty_log_perf_test would make — one memslot of
// vCPUs x bytes, the memstress guest, the selftest's main thread as the driver —
// as an ordinary config (so --set reaches every key and the JSON records it whole),
// runs it, and prints the selftest's lines.
#include "sim/cli/cmd_perf_test.h"

#include <iostream>

#include "mmu/dbm.h"
#include "sim/cli/cli.h"
#include "sim/cli/progress.h"
#include "sim/config/config.h"
#include "sim/engine/engine.h"
#include "sim/engine/perf_test_setup.h"
#include "sim/engine/perf_test_support.h"
#include "sim/report/perf_report.h"
#include "sim/report/report.h"
#include "util/input_error.h"
#include "util/parse_number.h"

namespace s2sim::sim {

namespace {

constexpr std::uint64_t kGuestPage = 4096;

struct PerfArgs {
  PerfTestCommand cmd;
  std::vector<std::string> sets;
  std::uint64_t seed = 1;
  std::string json_path;
  bool quiet = false;
};

[[noreturn]] void bad(const std::string& flag, const std::string& what) { throw InputError("perf-test " + flag, what); }

// The selftest's parse_size(): a number with an optional K, M, G or T suffix (either
// case, powers of 1024).
std::uint64_t parse_size(const std::string& flag, const std::string& text) {
  std::string digits = text;
  unsigned shift = 0;
  if (!digits.empty()) {
    switch (digits.back()) {
      case 'k': case 'K': shift = 10; break;
      case 'm': case 'M': shift = 20; break;
      case 'g': case 'G': shift = 30; break;
      case 't': case 'T': shift = 40; break;
      default: break;
    }
    if (shift) digits.pop_back();
  }
  const std::optional<std::uint64_t> v = parse_u64(digits);
  if (!v || (shift != 0 && (*v >> (64 - shift)) != 0))
    bad(flag, "\"" + text + "\" is not a size (a number with an optional K, M, G or T suffix)");
  return *v << shift;
}

std::uint64_t parse_count(const std::string& flag, const std::string& text, std::uint64_t min, std::uint64_t max) {
  const std::optional<std::uint64_t> v = parse_u64(text);
  if (!v || *v < min || *v > max)
    bad(flag, "\"" + text + "\" is not an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  return *v;
}

void check_backing(const std::string& s) {
  for (const char* ok : {"anonymous", "anonymous_thp", "anonymous_hugetlb_2mb"})
    if (s == ok) return;
  if (s == "anonymous_hugetlb_1gb")
    bad("-s", "anonymous_hugetlb_1gb needs 1 GiB blocks, which this build's stage-2 fault path never maps (it "
              "maps 4 KiB pages and 2 MiB blocks on every geometry)");
  bad("-s", "unknown backing \"" + s +
                "\" (expected anonymous, anonymous_thp, anonymous_hugetlb_2mb or anonymous_hugetlb_1gb)");
}

PerfArgs parse_args(const std::vector<std::string>& args) {
  PerfArgs r;
  PerfTestCommand& c = r.cmd;
  c.backing = "anonymous";
  c.bytes_per_vcpu = std::uint64_t{1} << 30;  // the selftest's default, 1G
  c.machine = perf_test_default_machine();
  c.kernel = perf_test_default_kernel();
  std::optional<std::uint64_t> stride;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string a = args[i];
    std::string inline_value;  // getopt's "-v4" as well as "-v 4"
    if (a.size() > 2 && a[0] == '-' && a[1] != '-') {
      inline_value = a.substr(2);
      a = a.substr(0, 2);
    }
    // A flag's value is the next argument unless that is itself a long option
    // ("-v --json x.json" lacks -v's value; it does not ask for a vCPU count "--json").
    auto value = [&]() -> std::string {
      if (!inline_value.empty()) return inline_value;
      if (i + 1 >= args.size() || args[i + 1].rfind("--", 0) == 0) bad(a, "needs a value");
      return args[++i];
    };
    // -v: 1 to KVM_MAX_VCPUS (512 on arm64), the engine's own limit on the vcpus key.
    if (a == "-v") c.vcpus = static_cast<unsigned>(parse_count(a, value(), 1, kMaxVcpus));
    else if (a == "-b") c.bytes_per_vcpu = parse_size(a, value());
    else if (a == "-i") c.iterations = static_cast<unsigned>(parse_count(a, value(), 2, 100000));
    else if (a == "-s") c.backing = value();
    else if (a == "-w") c.write_percent = static_cast<unsigned>(parse_count(a, value(), 0, 100));
    else if (a == "-g" && inline_value.empty()) c.manual_protect = false;
    else if (a == "--stride") stride = parse_size(a, value());
    else if (a == "--eager-split-chunk") c.eager_split_chunk = parse_size(a, value());
    else if (a == "--dirty-ring") c.dirty_ring_entries = parse_count(a, value(), 1, std::uint64_t{1} << 32);
    else if (a == "--hw-dirty") c.hw_dirty = value();
    else if (a == "--machine") c.machine = value();
    else if (a == "--kernel") c.kernel = value();
    else if (a == "--set") r.sets.push_back(value());
    else if (a.rfind("--set=", 0) == 0) r.sets.push_back(a.substr(6));
    else if (a == "--seed") {
      const std::string v = value();
      const std::optional<std::uint64_t> s = parse_u64(v);
      if (!s) bad(a, "\"" + v + "\" is not a non-negative integer");
      r.seed = *s;
    } else if (a == "--json") r.json_path = value();
    else if (a == "--quiet" || a == "-q") r.quiet = true;
    else bad("", "unknown option \"" + args[i] + "\"" + (a[0] == '-' ? "" : " (perf-test takes no config file)"));
  }
  check_backing(c.backing);
  if (!mmu::hw_dirty_from_string(c.hw_dirty))
    bad("--hw-dirty", "unknown mode \"" + c.hw_dirty + "\" (expected " + mmu::kHwDirtyNames + ")");
  if (c.bytes_per_vcpu == 0 || c.bytes_per_vcpu % kGuestPage != 0)
    bad("-b", std::to_string(c.bytes_per_vcpu) + " bytes is not a positive multiple of the 4 KiB guest page");
  c.stride = stride.value_or(kGuestPage);
  if (c.stride == 0 || c.stride % kGuestPage != 0 || c.stride > c.bytes_per_vcpu)
    bad("--stride", std::to_string(c.stride) + " bytes is not a multiple of the 4 KiB guest page of at most -b");
  if (!r.json_path.empty()) check_writable(r.json_path);
  return r;
}

}  // namespace

int cmd_perf_test(const std::vector<std::string>& args) {
  const PerfArgs a = parse_args(args);
  nlohmann::json doc = perf_test_config_doc(a.cmd, a.seed);
  for (const auto& s : a.sets) apply_override(doc, s);
  const SimConfig cfg = parse_config(doc, "perf-test", configs_dir());
  PerfTestCommand cmd = a.cmd;
  cmd.vcpus = cfg.vcpus;  // --set may have changed what the flags said
  cmd.kernel = cfg.kernel;
  cmd.hw_dirty = mmu::to_string(cfg.dirty_log.hw_dirty);
  PerfTestResult perf;
  {
    ProgressReporter progress("perf-test", a.quiet, ProgressReporter::kDefaultHeartbeatSeconds);
    perf = run_perf_test(cfg, cmd, progress.callback());
  }
  std::cout << "s2sim perf-test: " << cfg.machine.name << ", kernel " << cmd.kernel << ", " << cfg.vcpus
            << (cfg.vcpus == 1 ? " vCPU x " : " vCPUs x ") << cmd.bytes_per_vcpu << " bytes, " << cmd.backing << ", " << cmd.iterations
            << " iterations, " << cmd.write_percent << "% writes, "
            << (cmd.dirty_ring_entries ? "dirty ring of " + std::to_string(cmd.dirty_ring_entries) + " entries a vCPU"
                : cmd.manual_protect   ? std::string("KVM_CLEAR_DIRTY_LOG")
                                       : std::string("KVM_GET_DIRTY_LOG only (-g)"))
            << (cmd.hw_dirty == "none" ? "" : ", hardware dirty state " + cmd.hw_dirty) << ", seed " << cfg.seed
            << "\n";
  print_perf_lines(std::cout, perf, cmd, cfg.machine.clock_hz);
  if (!a.json_path.empty()) write_file_atomically(a.json_path, perf_json(perf, cmd, cfg).dump(2) + "\n");
  return kExitOk;
}

}  // namespace s2sim::sim
