// Splits one trace file, which interleaves the operations of all vCPUs, into the
// per-vCPU streams the engine asks for, in bounded memory.
//
// A shared cursor reads the file ahead; operations of other vCPUs met on the way to
// the requested vCPU's next one wait in per-vCPU FIFO queues. If an uneven trace
// would make the queues hold more than `read_ahead_ops` operations, the requesting
// vCPU is detached instead: it gets a cursor of its own, forked at the shared
// cursor's position, that scans the rest of the file for its lines alone, while the
// shared cursor drops that vCPU's lines from then on. Each vCPU detaches at most
// once and its queue is empty when it does, so the streams stay exact.
//
// Memory bound: at most read_ahead_ops + vcpus queued operations, plus at most
// 1 + vcpus cursors, each one LineReader buffer (64 KiB + one line) and its
// decoder state. The price of detaching is reading part of the file again (at worst
// once per vCPU); a trace that interleaves its vCPUs reasonably never detaches.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "workloads/guest_op.h"

namespace s2sim::workloads {

inline constexpr std::size_t kDefaultReadAheadOps = std::size_t{1} << 20;

// Reads one trace file sequentially, yielding (vCPU, operation) pairs in file order.
class TraceCursor {
 public:
  virtual ~TraceCursor() = default;
  // The next operation in the file and its vCPU; false at the end of the file.
  // Content errors throw InputError("path:line", ...).
  virtual bool next(unsigned& vcpu, GuestOp& op) = 0;
  // An independent cursor at the same position with the same decoder state: it
  // yields exactly what this cursor would yield from here on.
  virtual std::unique_ptr<TraceCursor> fork() const = 0;
  // Lines skipped so far (not operations and not comments): see OpSource.
  virtual std::uint64_t skipped_lines() const { return 0; }
  // Distinct 2 MiB regions of trace addresses mapped so far (lackey).
  virtual std::uint64_t mapped_regions() const { return 0; }
  // False when the format can give `vcpu` no operation at all (a lackey trace without
  // spread gives everything to vCPU 0): the demux then never reads ahead for it.
  virtual bool may_have_ops(unsigned /*vcpu*/) const { return true; }
  // Undecoded input bytes read and the input's size (0 for a pipe).
  virtual ReadProgress read_progress() const = 0;
  virtual const std::string& path() const = 0;
};

class TraceDemux final : public OpSource {
 public:
  // Reads up to the first operation; an empty trace (no operation at all) is an
  // InputError "trace has no operations" naming the file, reported here rather than
  // as an empty run (with the number of skipped lines, if any).
  TraceDemux(std::unique_ptr<TraceCursor> cursor, unsigned vcpus, std::size_t read_ahead_ops, std::string description);

  bool next(unsigned vcpu, GuestOp& op) override;
  std::string describe() const override { return description_; }
  // Cursors only ever read forward from a shared prefix, so the one that read
  // furthest has seen every skipped line the others have.
  std::uint64_t skipped_lines() const override;
  std::uint64_t mapped_regions() const override;  // likewise, the furthest cursor's
  ReadProgress read_progress() const override;    // the furthest cursor's

  // Statistics for tests and reports.
  std::size_t peak_queued_ops() const { return peak_queued_; }
  unsigned detached_vcpus() const;

 private:
  bool read_own(unsigned vcpu, GuestOp& op);
  void enqueue(unsigned vcpu, const GuestOp& op);

  std::unique_ptr<TraceCursor> shared_;
  bool shared_at_eof_ = false;
  std::vector<std::deque<GuestOp>> queues_;
  std::vector<std::unique_ptr<TraceCursor>> own_;  // per vCPU, set once detached
  std::size_t queued_ = 0, peak_queued_ = 0, read_ahead_ops_;
  std::string description_;
};

}  // namespace s2sim::workloads
