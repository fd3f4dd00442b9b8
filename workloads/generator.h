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

  const CommonKeys& keys() const { return keys_; }
  unsigned vcpus() const { return static_cast<unsigned>(lanes_.size()); }
  const Lane& lane(unsigned vcpu) const { return lanes_[vcpu]; }

 private:
  std::string kind_;
  CommonKeys keys_;
  std::vector<Lane> lanes_;
};

// Labels of the per-lane random streams (second argument of derive_seed).
inline constexpr std::uint64_t kPageStream = 1;
inline constexpr std::uint64_t kAccessStream = 2;

// Formats a double in its shortest exact form ("0.9", "30", "1e-06").
std::string format_number(double v);

}  // namespace s2sim::workloads
