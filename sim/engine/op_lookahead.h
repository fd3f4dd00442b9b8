// The engine's view of the workload: each vCPU's operations, drawn in batches ahead
// of their turn when the source allows it (OpSource::can_read_ahead), so that the
// engine can ask the host to prefetch what an operation will touch — its leaf
// descriptor, the cache model's sets — while the operations before it run.
//
// On a walk-heavy run nearly every access walks to a leaf descriptor in a different
// host cache line of megabytes of tables; without the head start each walk waits
// for host DRAM. What the run computes does not change: a source that can be read
// ahead gives each vCPU the same stream whenever it is asked, and a prefetch only
// moves host cache lines.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

#include "workloads/guest_op.h"

namespace s2sim::sim {

class OpLookahead {
 public:
  // How many operations ahead a vCPU's operations are announced: enough to cover a
  // host DRAM access with the few hundred nanoseconds a walk-heavy operation takes.
  static constexpr std::size_t kDepth = 4;
  // How many a lane draws from the source in one call (OpSource::next_batch).
  static constexpr std::size_t kBatch = 64;
  static_assert(kBatch > 2 * kDepth);

  OpLookahead(workloads::OpSource& source, unsigned vcpus)
      : source_(source), ahead_(source.can_read_ahead()), lanes_(ahead_ ? vcpus : 0) {}

  // The operation next(vcpu) would return, left in place; nullptr when the stream is
  // exhausted or not read ahead (then only next() can tell).
  const workloads::GuestOp* peek(unsigned vcpu) {
    if (!ahead_) return nullptr;
    Lane& l = lanes_[vcpu];
    if (l.end - l.pos <= kDepth && !l.exhausted) refill(l, vcpu);
    return l.pos == l.end ? nullptr : &l.ops[l.pos];
  }

  // The next operation of `vcpu` (false once its stream is exhausted). When reading
  // ahead, `upcoming(op)` is called once for each operation, in order, kDepth
  // operations before it is returned.
  template <class Upcoming>
  bool next(unsigned vcpu, workloads::GuestOp& op, Upcoming&& upcoming) {
    if (!ahead_) return source_.next(vcpu, op);
    Lane& l = lanes_[vcpu];
    if (l.end - l.pos <= kDepth && !l.exhausted) refill(l, vcpu);
    if (l.pos == l.end) return false;
    const std::size_t announce_to = std::min(l.end, l.pos + kDepth + 1);
    while (l.announced < announce_to) upcoming(l.ops[l.announced++]);
    op = l.ops[l.pos++];
    return true;
  }

 private:
  struct Lane {
    std::array<workloads::GuestOp, kBatch> ops{};
    std::size_t pos = 0;        // the next operation handed out
    std::size_t end = 0;        // ops[pos, end) are drawn and not yet handed out
    std::size_t announced = 0;  // ops[pos, announced) were announced to upcoming()
    bool exhausted = false;     // the source said the stream is over
  };

  // Moves what is left to the front of the lane and draws a batch behind it.
  void refill(Lane& l, unsigned vcpu) {
    std::copy(l.ops.begin() + static_cast<std::ptrdiff_t>(l.pos), l.ops.begin() + static_cast<std::ptrdiff_t>(l.end),
              l.ops.begin());
    l.end -= l.pos;
    l.announced -= l.pos;
    l.pos = 0;
    const std::size_t want = kBatch - l.end;
    const std::size_t got = source_.next_batch(vcpu, l.ops.data() + l.end, want);
    l.end += got;
    l.exhausted = got < want;
  }

  workloads::OpSource& source_;
  bool ahead_;
  std::vector<Lane> lanes_;
};

}  // namespace s2sim::sim
