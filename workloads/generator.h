// The common machinery of the synthetic generators: one independent lane per vCPU
// (its region, its op count, its random streams), the ops bound, write_ratio and
// think_cycles. A generator only decides which page each operation touches.
//
// Determinism: a lane's random streams are seeded from (run seed, vCPU index,
// stream purpose) alone, so a vCPU's stream depends on neither the other vCPUs nor
// the order in which the engine interleaves them. Pages and the read/write choice
// come from separate streams, so changing write_ratio does not move the pages.
//
// Every generated IPA is page-aligned: the stage-2 model works at page granularity
// and an offset inside the page would carry no information.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "workloads/guest_op.h"
#include "workloads/prng.h"
#include "workloads/region.h"

namespace s2sim::workloads {

class Generator : public OpSource {
 public:
  bool next(unsigned vcpu, GuestOp& op) final;
  // Fills the batch with pick() (a virtual call per operation); a generator whose
  // pick() is small overrides it with fill() and its own pick inlined.
  std::size_t next_batch(unsigned vcpu, GuestOp* out, std::size_t n) override;
  std::string describe() const final;
  bool can_read_ahead() const final { return true; }
  // Operations drawn out of ops x vCPUs (a lane that ended early counts as complete).
  ReadProgress read_progress() const final;

 protected:
  struct Lane {
    Region region;
    std::uint64_t issued = 0;  // operations produced so far
    bool done = false;
    Rng pages;   // drives the choice of page
    Rng access;  // drives the read/write choice
  };

  Generator(std::string kind, const CommonKeys& keys, const WorkloadEnv& env);

  // Chooses the gfn of `vcpu`'s next operation (inside lane.region) and may set
  // op.not_before_cycles. Returns false to end the lane before `ops` is reached
  // (sequential's `passes`).
  virtual bool pick(unsigned vcpu, Lane& lane, mmu::gfn_t& gfn, GuestOp& op) = 0;
  // The generator's own keys for describe(), e.g. "stride 2, passes 1".
  virtual std::string describe_own() const = 0;

  // next_batch() with `pick(vcpu, lane, gfn, op)` choosing each page: the same
  // operations as next() calls would give.
  template <class Pick>
  std::size_t fill(unsigned vcpu, GuestOp* out, std::size_t n, Pick&& pick);

  const CommonKeys& keys() const { return keys_; }
  unsigned vcpus() const { return static_cast<unsigned>(lanes_.size()); }
  const Lane& lane(unsigned vcpu) const { return lanes_[vcpu]; }

 private:
  std::string kind_;
  CommonKeys keys_;
  std::vector<Lane> lanes_;
};

template <class Pick>
std::size_t Generator::fill(unsigned vcpu, GuestOp* out, std::size_t n, Pick&& pick) {
  if (vcpu >= lanes_.size()) return 0;
  // The lane is worked on in a copy and stored back at the end: written through
  // `out`, whose words could alias it, its random state would go to memory and back
  // on every draw.
  Lane l = lanes_[vcpu];
  const std::size_t want = l.done ? 0 : static_cast<std::size_t>(std::min<std::uint64_t>(n, keys_.ops - l.issued));
  const std::uint64_t think = keys_.think_cycles;
  const double write_ratio = keys_.write_ratio;
  std::size_t i = 0;
  // One loop per kind of write ratio, so the all-write and all-read ones test nothing
  // per operation and draw nothing from the access stream.
  const auto run = [&](auto access_of) {
    for (; i < want; ++i) {
      GuestOp o;
      mmu::gfn_t gfn = 0;
      if (!pick(vcpu, l, gfn, o)) {
        l.done = true;
        break;
      }
      o.ipa = gfn << mmu::PAGE_SHIFT;
      o.think_cycles = think;
      o.access = access_of();
      ++l.issued;
      out[i] = o;
    }
  };
  if (write_ratio >= 1.0)
    run([] { return mmu::Access::Write; });
  else if (write_ratio <= 0.0)
    run([] { return mmu::Access::Read; });
  else
    run([&] { return l.access.uniform01() < write_ratio ? mmu::Access::Write : mmu::Access::Read; });
  if (i < n) l.done = true;  // `ops` reached, or pick() ended the lane
  lanes_[vcpu] = l;
  return i;
}

// Labels of the per-lane random streams (second argument of derive_seed).
inline constexpr std::uint64_t kPageStream = 1;
inline constexpr std::uint64_t kAccessStream = 2;

// Formats a double in its shortest exact form ("0.9", "30", "1e-06").
std::string format_number(double v);

}  // namespace s2sim::workloads
