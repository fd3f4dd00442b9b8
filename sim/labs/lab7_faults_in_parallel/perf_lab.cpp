// Lab 7, faults in parallel: `s2sim perf-test` (KVM's dirty_log_perf_test) on the same
// machine under three kernel profiles. On ARMv7 (linux-4.0-armv7) every stage-2 fault
// takes mmu_lock, a spinlock, so the vCPUs' write-protect faults of a dirty pass run
// one at a time and the pass grows with the vCPU count; arm64 since Linux 6.2 takes
// mmu_lock for read in the fault path and relaxes the pte's permission in place
// (kvm_pgtable_stage2_relax_perms, a local TLBI since 6.5), so they run in parallel.
// Then eager page splitting (KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE, 6.5): the 2 MiB blocks
// split in KVM_CLEAR_DIRTY_LOG instead of on the vCPUs' first writes.
//
// The seed picks the vCPU count, the bytes per vCPU and the backing of part A; every
// answer is read from the runs of the very commands the lab hands out (run_perf_test,
// what `s2sim perf-test` runs), kept per process since many seeds share a setup.
#include <cmath>
#include <map>
#include <mutex>
#include <sstream>

#include "sim/config/config_file.h"
#include "sim/engine/perf_test_setup.h"
#include "sim/labs/lab7_faults_in_parallel/perf_lab.h"
#include "sim/labs/lab_choice.h"
#include "sim/labs/lab_problems.h"
#include "sim/labs/lab_render.h"
#include "workloads/prng.h"

namespace s2sim::sim::lab {

namespace {

using workloads::Rng;
using perf::Run;
using perf::Setup;

constexpr const char* kArmv7 = "linux-4.0-armv7";
constexpr const char* kArm64 = "linux-6.6-arm64";

Setup draw(std::uint64_t seed) {
  Rng r(workloads::derive_seed(seed, 7, 1));
  static const unsigned kVcpus[] = {2, 3, 4, 6, 8};
  static const std::uint64_t kMib[] = {4, 8};
  Setup s;
  s.vcpus = kVcpus[r.below(std::size(kVcpus))];
  s.mib = kMib[r.below(std::size(kMib))];
  s.backing = r.below(2) ? "anonymous_hugetlb_2mb" : "anonymous";
  return s;
}

Run perf_run(const std::string& kernel, bool get_only, unsigned vcpus, std::uint64_t mib, const std::string& backing,
             std::uint64_t eager_split, const std::string& json) {
  PerfTestCommand c;
  c.kernel = kernel;
  c.machine = "neoverse-n1";
  c.manual_protect = !get_only;
  c.vcpus = vcpus;
  c.bytes_per_vcpu = mib << 20;
  c.backing = backing;
  c.eager_split_chunk = eager_split;
  Run r;
  r.command = "s2sim perf-test" + (kernel == kArm64 ? std::string() : " --kernel " + kernel) + (get_only ? " -g" : "") +
              " -v " + std::to_string(vcpus) + " -b " + std::to_string(mib) + "M -s " + backing +
              (eager_split ? " --eager-split-chunk " + std::to_string(eager_split >> 20) + "M" : "") + " --json " + json;
  // Memoized: a setup's runs are the same for every seed that draws it.
  static std::mutex mu;
  static std::map<std::string, std::pair<PerfTestResult, double>> done;
  std::lock_guard<std::mutex> lock(mu);
  auto it = done.find(r.command);
  if (it == done.end()) {
    const SimConfig cfg = parse_config(perf_test_config_doc(c, 1), "lab 7", configs_dir());
    it = done.emplace(r.command, std::make_pair(run_perf_test(cfg, c), cfg.machine.clock_hz)).first;
  }
  r.perf = it->second.first;
  r.hz = it->second.second;
  return r;
}

// A figure read to the microsecond: the rounded value, and the truncated one.
std::vector<std::string> us_answers(double us) {
  std::vector<std::string> a = {std::to_string(std::llround(us))};
  const std::string floor_text = std::to_string(static_cast<long long>(std::floor(us)));
  if (floor_text != a[0]) a.push_back(floor_text);
  return a;
}

std::string us_text(double us) {
  std::ostringstream o;
  o.precision(3);
  o << std::fixed << us;
  return o.str();
}

Question number_question(const std::string& text, std::vector<std::string> answers) {
  Question q;
  q.text = text;
  q.accepts.number = true;
  q.answers = std::move(answers);
  return q;
}

class PerfLab {
 public:
  explicit PerfLab(const ProblemId& id) : id_(id), s_(draw(id.seed)), rng_(workloads::derive_seed(id.seed, 7, 2)) {}

  Problem make() {
    p_ = start_problem(id_, "faults in parallel");
    const std::string n = std::to_string(s_.vcpus);
    const Run a1 = perf_run(kArmv7, true, 1, s_.mib, s_.backing, 0, "armv7-1.json");
    const Run an = perf_run(kArmv7, true, s_.vcpus, s_.mib, s_.backing, 0, "armv7-" + n + ".json");
    const Run bn = perf_run(kArm64, true, s_.vcpus, s_.mib, s_.backing, 0, "arm64-" + n + ".json");
    const Run off = perf_run(kArm64, false, s_.vcpus, s_.mib, "anonymous_hugetlb_2mb", 0, "split-off.json");
    const Run on = perf_run(kArm64, false, s_.vcpus, s_.mib, "anonymous_hugetlb_2mb", 2 << 20, "split-on.json");
    setup_text({a1, an, bn, off, on});
    part_a(a1, an, bn);
    part_b(off, on);
    perf::add_figures(p_, s_, {a1, an, bn, off, on});
    finalize(p_);
    return std::move(p_);
  }

 private:
  void setup_text(const std::vector<Run>& runs) {
    std::ostringstream o;
    o << "dirty_log_perf_test, simulated: " << s_.vcpus << " vCPUs, each sweeping its own " << s_.mib
      << " MiB, on the Neoverse N1\n"
         "model (Ampere Altra) under three kernel profiles. Only the kernel changes between the runs:\n"
         "the mmu_lock, the fault path and the TLB maintenance, not the CPU.\n\n"
         "Part A, " << s_.backing << " backing, plain KVM_GET_DIRTY_LOG (-g): ARMv7 as merged in Linux 4.0\n"
         "against arm64 as of Linux 6.6, with one vCPU and with " << s_.vcpus << ":\n";
    for (std::size_t i = 0; i < 3; ++i) o << "  " << runs[i].command << "\n";
    o << "\nPart B, linux-6.6-arm64 with 2 MiB hugetlb blocks and KVM_CLEAR_DIRTY_LOG, without and with eager\n"
         "page splitting (KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE):\n";
    for (std::size_t i = 3; i < 5; ++i) o << "  " << runs[i].command << "\n";
    o << "\nRead the figures from the lines perf-test prints and from the JSON files (iterations[1] is\n"
         "iteration 2: faults, tlbi, mmu_lock_wait_s). Times in microseconds: 0.010149209s is 10149 us.\n";
    p_.setup = o.str();
    p_.setup_json = {{"vcpus", s_.vcpus}, {"mib_per_vcpu", s_.mib}, {"backing", s_.backing}};
    for (const Run& r : runs) p_.setup_json["commands"].push_back(r.command);
  }

  void part_a(const Run& a1, const Run& an, const Run& bn) {
    const std::string n = std::to_string(s_.vcpus);
    const double t1 = a1.us(a1.it(2).dirty_memory_cycles), tn = an.us(an.it(2).dirty_memory_cycles);
    const double t64 = bn.us(bn.it(2).dirty_memory_cycles);
    {
      Question q = number_question("linux-4.0-armv7, 1 vCPU: \"Iteration 2 dirty memory time\" in microseconds (a number)",
                                   us_answers(t1));
      q.steps = {a1.command, "Iteration 2 dirty memory time: " + us_text(t1) + " us"};
      q.mistakes = {{us_answers(tn)[0], "that is the " + n + "-vCPU run; this question is about -v 1"},
                    {us_answers(a1.us(a1.it(1).dirty_memory_cycles))[0],
                     "that is iteration 1; iteration 2 is a pass over memory whose pages were all write-protected "
                     "by the get_dirty_log before it"}};
      p_.questions.push_back(std::move(q));
    }
    {
      Question q = number_question("linux-4.0-armv7, " + n + " vCPUs: \"Iteration 2 dirty memory time\" in microseconds",
                                   us_answers(tn));
      q.steps = {an.command, "Iteration 2 dirty memory time: " + us_text(tn) + " us"};
      q.mistakes = {{us_answers(t1)[0], "that is the 1-vCPU run"}};
      p_.questions.push_back(std::move(q));
    }
    {
      const double ratio = tn / t1;
      Question q;
      const Choice flat{"within 10 % of the 1-vCPU time: the vCPUs' faults overlap", "the ratio is " + ratio_text(ratio)};
      const Choice some{"longer, but by less than " + half(s_.vcpus) + " x", "the ratio is " + ratio_text(ratio)};
      const Choice serial{"at least " + half(s_.vcpus) + " x the 1-vCPU time, towards " + n +
                              " x: the faults run one after another",
                          "the ratio is " + ratio_text(ratio)};
      // Serial: past halfway from 1 x (perfect overlap) to N x (one fault at a time).
      const bool is_flat = ratio < 1.1, is_serial = ratio >= (s_.vcpus + 1) / 2.0;
      const Choice& right = is_flat ? flat : is_serial ? serial : some;
      std::vector<Choice> wrong;
      for (const Choice* c : {&flat, &some, &serial})
        if (c != &right) wrong.push_back(*c);
      make_choice(q, "On linux-4.0-armv7, the " + n + "-vCPU pass takes, compared with one vCPU's:", right, wrong, rng_);
      q.steps.push_back(us_text(tn) + " / " + us_text(t1) + " = " + ratio_text(ratio) +
                        ": each vCPU does the same work on its own memory, so any growth is waiting");
      p_.questions.push_back(std::move(q));
    }
    {
      const double wait = an.wait_us(2);
      Question q = number_question("linux-4.0-armv7, " + n + " vCPUs: iteration 2's mmu_lock_wait_s (iterations[1] in " +
                                       "armv7-" + n + ".json), in microseconds",
                                   us_answers(wait));
      q.steps = {"iterations[1].mmu_lock_wait_s = " + us_text(wait) + " us: every agent's time spinning on mmu_lock, "
                 "summed. Each write-protect fault takes the spinlock to make its pte writable and flush (TLBIALLIS on "
                 "ARMv7), so faults of different vCPUs queue behind one another."};
      p_.questions.push_back(std::move(q));
    }
    {
      Question q = number_question("linux-6.6-arm64, " + n + " vCPUs: \"Iteration 2 dirty memory time\" in microseconds",
                                   us_answers(t64));
      q.steps = {bn.command, "Iteration 2 dirty memory time: " + us_text(t64) + " us (" + ratio_text(t64 / tn) +
                                 " x the ARMv7 kernel's with the same vCPUs)"};
      q.mistakes = {{us_answers(tn)[0], "that is linux-4.0-armv7's run"}};
      p_.questions.push_back(std::move(q));
    }
    {
      Question q;
      const Choice right{"its write faults take mmu_lock for read and make the pte writable in place "
                         "(kvm_pgtable_stage2_relax_perms), so faults of different vCPUs run at the same time",
                         ""};
      const std::vector<Choice> wrong = {
          {"it takes fewer write-protect faults", "count them: iterations[1].faults.write_protect is the same in both "
                                                  "JSON files, one a page"},
          {"the arm64 machine is faster", "both runs use the same machine (neoverse-n1): only the kernel profile "
                                          "differs"},
          {"arm64 needs no TLB invalidation after a fault", "it still invalidates: tlbi.local counts one local TLBI "
                                                            "per relaxed fault (Linux 6.5+); what it avoids is a "
                                                            "broadcast under an exclusive lock"}};
      make_choice(q, "Why does linux-6.6-arm64's pass not grow with the vCPU count?", right, wrong, rng_);
      p_.questions.push_back(std::move(q));
    }
    {
      const PerfIteration& i2 = bn.it(2);
      Question q = number_question("linux-6.6-arm64, " + n + " vCPUs: iteration 2's broadcast TLB invalidations "
                                       "(tlbi.broadcast in iterations[1])",
                                   {std::to_string(i2.tlbi_broadcast)});
      q.steps = {"tlbi.broadcast = " + std::to_string(i2.tlbi_broadcast) + ", tlbi.local = " +
                 std::to_string(i2.tlbi_local) + ": the relaxed faults invalidate locally; the broadcast is "
                 "get_dirty_log's flush. linux-4.0-armv7 broadcast " + std::to_string(an.it(2).tlbi_broadcast) +
                 " times in the same iteration: once per fault, under the spinlock."};
      q.mistakes.push_back({std::to_string(an.it(2).tlbi_broadcast),
                            "that is linux-4.0-armv7's count, where each fault's flush is a broadcast TLBIALLIS"});
      q.mistakes.push_back({std::to_string(i2.tlbi_local), "that is tlbi.local, one per relaxed fault"});
      p_.questions.push_back(std::move(q));
    }
  }

  void part_b(const Run& off, const Run& on) {
    const PerfIteration& o2 = off.it(2);
    {
      Question q = number_question("split-off.json: iteration 2's translation faults", {std::to_string(o2.translation_faults)});
      q.steps = {"iterations[1].faults.translation = " + std::to_string(o2.translation_faults) +
                 ": the first write to a block dissolves it (a split fault) and the block's other pages are "
                 "unmapped, each faulting back in on its first access"};
      q.mistakes = {{std::to_string(o2.split_faults), "that is faults.split, one per 2 MiB block"}};
      p_.questions.push_back(std::move(q));
    }
    {
      Question q = number_question("split-off.json: iteration 2's split faults", {std::to_string(o2.split_faults)});
      q.steps = {"iterations[1].faults.split = " + std::to_string(o2.split_faults) + ": one per 2 MiB block (" +
                 std::to_string(s_.vcpus) + " x " + std::to_string(s_.mib) + " MiB / 2 MiB), each with a "
                 "break-before-make and a broadcast TLBI"};
      p_.questions.push_back(std::move(q));
    }
    {
      Question q = number_question("split-on.json: iteration 2's translation faults",
                                   {std::to_string(on.it(2).translation_faults)});
      q.steps = {"iterations[1].faults.translation = " + std::to_string(on.it(2).translation_faults) +
                 ": the blocks were split into ptes before the pass, so every page is still mapped and a write "
                 "takes a write-protect fault that relaxes it in place"};
      q.mistakes = {{std::to_string(o2.translation_faults), "that is split-off.json"}};
      p_.questions.push_back(std::move(q));
    }
    {
      struct Phase {
        const char* name;
        std::uint64_t off_cycles, on_cycles;
      };
      const Phase phases[] = {
          {"Enabling dirty logging", off.perf.enable_logging_cycles, on.perf.enable_logging_cycles},
          {"Iteration 1 clear dirty log", off.it(1).clear_dirty_log_cycles, on.it(1).clear_dirty_log_cycles},
          {"Iteration 1 get dirty log", off.it(1).get_dirty_log_cycles, on.it(1).get_dirty_log_cycles},
          {"Iteration 2 dirty memory", off.it(2).dirty_memory_cycles, on.it(2).dirty_memory_cycles}};
      std::size_t most = 0;
      auto grew = [](const Phase& ph) {
        return static_cast<long double>(ph.on_cycles) - static_cast<long double>(ph.off_cycles);
      };
      for (std::size_t i = 1; i < std::size(phases); ++i)
        if (grew(phases[i]) > grew(phases[most])) most = i;
      std::vector<Choice> wrong;
      for (std::size_t i = 0; i < std::size(phases); ++i)
        if (i != most)
          wrong.push_back({std::string(phases[i].name) + " time",
                           std::string(phases[i].name) + " went from " + us_text(off.us(phases[i].off_cycles)) +
                               " to " + us_text(on.us(phases[i].on_cycles)) + " us"});
      Question q;
      make_choice(q, "With eager splitting, which line of perf-test's output grows the most (the splitting moved there)?",
                  {std::string(phases[most].name) + " time", ""}, wrong, rng_);
      q.steps.push_back(std::string(phases[most].name) + ": " + us_text(off.us(phases[most].off_cycles)) + " -> " +
                        us_text(on.us(phases[most].on_cycles)) + " us. With INITIALLY_SET nothing is protected at "
                        "enable time; the first CLEAR of a range write-protects it and, with a chunk size set, "
                        "splits its blocks there, out of the vCPUs' way");
      p_.questions.push_back(std::move(q));
    }
  }

  static std::string ratio_text(double r) {
    std::ostringstream o;
    o.precision(2);
    o << std::fixed << r;
    return o.str();
  }
  // (n + 1) / 2, halfway from 1 x to n x, as text.
  static std::string half(unsigned n) {
    return n % 2 ? std::to_string((n + 1) / 2) : std::to_string(n / 2) + ".5";
  }

  ProblemId id_;
  Setup s_;
  Rng rng_;
  Problem p_;
};

}  // namespace

Problem make_perf_lab(const ProblemId& id) { return PerfLab(id).make(); }

}  // namespace s2sim::sim::lab
