// "memstress": the guest of KVM's dirty_log_perf_test (tools/testing/selftests/kvm,
// lib/memstress.c, guest_code). Each vCPU owns a contiguous region of bytes_per_vcpu
// (vCPU i the i-th, from first_gfn) and in every iteration sweeps it from its start,
// one access every `stride` bytes (default one 4 KiB guest page), writing with
// probability write_percent and otherwise reading, then issues GUEST_SYNC (a ucall:
// GuestOp::sync) and waits for user space to start the next iteration.
//
// Iteration 0 is the populate pass: all writes, as dirty_log_perf_test sets
// write_percent to 100 while populating (so that no page stays on the zero page).
// Iterations 1..`iterations` use write_percent. The read/write choice comes from the
// vCPU's own stream, seeded from (seed, vCPU index) alone (the selftest seeds each
// vCPU's guest_random state from the test's seed and the vCPU id); it is drawn only
// when write_percent is strictly between 0 and 100, once per access.
#include <memory>
#include <string>
#include <vector>

#include "workloads/builtin_workloads.h"
#include "workloads/generator.h"  // kAccessStream, format_number
#include "workloads/region.h"  // hex, kMaxOpsPerVcpu

namespace s2sim::workloads {
namespace {

constexpr std::uint64_t kGuestPage = 4096;

struct MemstressKeys {
  mmu::gfn_t first_gfn = 0;
  std::uint64_t bytes_per_vcpu = 0;
  std::uint64_t stride = kGuestPage;  // bytes
  unsigned write_percent = 100;
  std::uint64_t iterations = 2;       // dirty passes after the populate pass
  std::uint64_t think_cycles = 0;

  std::uint64_t pages_per_vcpu() const { return bytes_per_vcpu / kGuestPage; }
  std::uint64_t accesses_per_pass() const { return (bytes_per_vcpu + stride - 1) / stride; }
};

class MemstressWorkload final : public OpSource {
 public:
  MemstressWorkload(const MemstressKeys& k, const WorkloadEnv& env) : k_(k) {
    lanes_.reserve(env.vcpus);
    for (unsigned v = 0; v < env.vcpus; ++v)
      lanes_.push_back(Lane{k.first_gfn + v * k.pages_per_vcpu(), Rng(derive_seed(env.seed, v, kAccessStream))});
  }

  bool next(unsigned vcpu, GuestOp& op) override {
    if (vcpu >= lanes_.size()) return false;
    Lane& l = lanes_[vcpu];
    if (l.pass > k_.iterations) return false;
    ++l.issued;
    if (l.index == k_.accesses_per_pass()) {
      // The pass is over: GUEST_SYNC, then the next iteration from the region's start.
      op = GuestOp{};
      op.sync = true;
      l.index = 0;
      ++l.pass;
      return true;
    }
    GuestOp o;
    o.ipa = (l.first_gfn << mmu::PAGE_SHIFT) + l.index * k_.stride;
    o.think_cycles = k_.think_cycles;
    o.access = write_this(l) ? mmu::Access::Write : mmu::Access::Read;
    ++l.index;
    op = o;
    return true;
  }

  std::size_t next_batch(unsigned vcpu, GuestOp* out, std::size_t n) override {
    std::size_t i = 0;
    while (i < n && MemstressWorkload::next(vcpu, out[i])) ++i;  // qualified: no virtual call
    return i;
  }

  std::string describe() const override {
    return "memstress: " + std::to_string(k_.bytes_per_vcpu) + " bytes/vCPU from gfn " + hex(k_.first_gfn) +
           ", stride " + std::to_string(k_.stride) + " bytes, write_percent " + std::to_string(k_.write_percent) +
           ", populate + " + std::to_string(k_.iterations) + " iterations, think " + std::to_string(k_.think_cycles) +
           " cycles";
  }
  bool can_read_ahead() const override { return true; }
  ReadProgress read_progress() const override {
    ReadProgress p;
    const std::uint64_t per_lane = (k_.iterations + 1) * (k_.accesses_per_pass() + 1);
    for (const Lane& l : lanes_) {
      p.done += l.issued;
      p.total += per_lane;
    }
    return p;
  }

 private:
  struct Lane {
    mmu::gfn_t first_gfn;
    Rng access;
    std::uint64_t pass = 0;   // 0 = populate
    std::uint64_t index = 0;  // accesses done in this pass
    std::uint64_t issued = 0;
  };

  bool write_this(Lane& l) const {
    if (l.pass == 0 || k_.write_percent >= 100) return true;
    if (k_.write_percent == 0) return false;
    return l.access.below(100) < k_.write_percent;
  }

  MemstressKeys k_;
  std::vector<Lane> lanes_;
};

}  // namespace

void register_memstress_workload(WorkloadRegistry& registry) {
  registry.add("memstress", [](JsonReader& spec, const WorkloadEnv& env) -> std::unique_ptr<OpSource> {
    MemstressKeys k;
    k.first_gfn = spec.get_u64_or("first_gfn", env.slot_base_gfn, 0, UINT64_MAX);
    k.bytes_per_vcpu = spec.get_u64_or("bytes_per_vcpu", std::uint64_t{1} << 30, kGuestPage, std::uint64_t{1} << 48);
    k.stride = spec.get_u64_or("stride", kGuestPage, kGuestPage, std::uint64_t{1} << 40);
    k.write_percent = static_cast<unsigned>(spec.get_u64_or("write_percent", 100, 0, 100));
    k.iterations = spec.get_u64_or("iterations", 2, 1, 1'000'000);
    k.think_cycles = spec.get_u64_or("think_cycles", 0, 0, kMaxThinkCycles);
    spec.reject_unknown();
    if (k.bytes_per_vcpu % kGuestPage != 0)
      spec.fail("bytes_per_vcpu", std::to_string(k.bytes_per_vcpu) + " is not a multiple of the 4096-byte guest page");
    if (k.stride % kGuestPage != 0)
      spec.fail("stride", std::to_string(k.stride) + " is not a multiple of the 4096-byte guest page");
    if ((k.iterations + 1) * (k.accesses_per_pass() + 1) > kMaxOpsPerVcpu)
      spec.fail("iterations", "more than " + std::to_string(kMaxOpsPerVcpu) + " operations per vCPU");
    // The vCPUs' regions, end to end, must lie in the memslot.
    const mmu::gfn_t slot_end = env.slot_base_gfn + env.slot_npages;
    const std::string slot = "the memslot covers gfns [" + hex(env.slot_base_gfn) + ", " + hex(slot_end) + ")";
    if (k.first_gfn < env.slot_base_gfn || k.first_gfn >= slot_end)
      spec.fail("first_gfn", "gfn " + hex(k.first_gfn) + " lies outside the memslot (" + slot + ")");
    const std::uint64_t span = k.pages_per_vcpu() * env.vcpus;
    if (span > slot_end - k.first_gfn)
      spec.fail("bytes_per_vcpu", std::to_string(env.vcpus) + " vCPUs x " + std::to_string(k.bytes_per_vcpu) +
                                      " bytes from gfn " + hex(k.first_gfn) + " run past the end of the memslot (" +
                                      slot + ")");
    return std::make_unique<MemstressWorkload>(k, env);
  });
}

}  // namespace s2sim::workloads
