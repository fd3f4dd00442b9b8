// The engine's view of the workload: each vCPU's operations, drawn a few ahead of
// their turn when the source allows it (OpSource::can_read_ahead), so that the
// engine can ask the host to prefetch what an operation will touch — its leaf
// descriptor, the cache model's sets — while the operations before it run.
//
// On a walk-heavy run nearly every access walks to a leaf descriptor in a different
// host cache line of megabytes of tables; without the head start each walk waits
// for host DRAM. What the run computes does not change: a source that can be read
// ahead gives each vCPU the same stream whenever it is asked, and a prefetch only
// moves host cache lines.
#pragma once

#include <array>
#include <cstddef>
#include <vector>

#include "workloads/guest_op.h"

namespace s2sim::sim {

class OpLookahead {
 public:
  // How many operations ahead a vCPU's stream is drawn: enough to cover a host DRAM
  // access with the few hundred nanoseconds a walk-heavy operation takes.
  static constexpr std::size_t kDepth = 4;
  static constexpr std::size_t kRing = 8;  // a power of two above kDepth
  static_assert(kRing > kDepth && (kRing & (kRing - 1)) == 0);

  OpLookahead(workloads::OpSource& source, unsigned vcpus)
      : source_(source), ahead_(source.can_read_ahead()), lanes_(vcpus) {}

  // The next operation of `vcpu` (false once its stream is exhausted). When reading
  // ahead, `upcoming(op)` is called once for each operation as it is drawn, kDepth
  // operations before it is returned.
  template <class Upcoming>
  bool next(unsigned vcpu, workloads::GuestOp& op, Upcoming&& upcoming) {
    if (!ahead_) return source_.next(vcpu, op);
    Lane& l = lanes_[vcpu];
    while (!l.exhausted && l.count < kDepth + 1) {
      workloads::GuestOp& slot = l.ops[(l.first + l.count) % kRing];
      if (!source_.next(vcpu, slot)) {
        l.exhausted = true;
        break;
      }
      ++l.count;
      upcoming(slot);
    }
    if (l.count == 0) return false;
    op = l.ops[l.first];
    l.first = (l.first + 1) % kRing;
    --l.count;
    return true;
  }

 private:
  struct Lane {
    std::array<workloads::GuestOp, kRing> ops{};
    std::size_t first = 0, count = 0;
    bool exhausted = false;
  };

  workloads::OpSource& source_;
  bool ahead_;
  std::vector<Lane> lanes_;
};

}  // namespace s2sim::sim
