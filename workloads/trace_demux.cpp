#include "workloads/trace_demux.h"

#include <algorithm>

#include "util/input_error.h"

namespace s2sim::workloads {

TraceDemux::TraceDemux(std::unique_ptr<TraceCursor> cursor, unsigned vcpus, std::size_t read_ahead_ops,
                       std::string description)
    : shared_(std::move(cursor)),
      queues_(vcpus == 0 ? 1 : vcpus),
      own_(queues_.size()),
      read_ahead_ops_(read_ahead_ops == 0 ? 1 : read_ahead_ops),
      description_(std::move(description)) {
  unsigned vcpu = 0;
  GuestOp op;
  if (!shared_->next(vcpu, op)) {
    std::string msg = "trace has no operations";
    if (shared_->skipped_lines() != 0) {
      msg += " (" + std::to_string(shared_->skipped_lines()) + " lines skipped as not being operations)";
    }
    throw InputError(shared_->path(), msg);
  }
  enqueue(vcpu, op);
}

void TraceDemux::enqueue(unsigned vcpu, const GuestOp& op) {
  queues_[vcpu].push_back(op);
  peak_queued_ = std::max(peak_queued_, ++queued_);
}

bool TraceDemux::next(unsigned vcpu, GuestOp& op) {
  if (vcpu >= queues_.size()) return false;
  std::deque<GuestOp>& q = queues_[vcpu];
  if (!q.empty()) {
    op = q.front();
    q.pop_front();
    --queued_;
    return true;
  }
  if (own_[vcpu]) return read_own(vcpu, op);
  if (shared_at_eof_ || !shared_->may_have_ops(vcpu)) return false;
  unsigned v = 0;
  GuestOp o;
  while (shared_->next(v, o)) {
    if (v == vcpu) {
      op = o;
      return true;
    }
    if (own_[v]) continue;  // a detached vCPU reads its lines itself
    enqueue(v, o);
    if (queued_ > read_ahead_ops_) {
      own_[vcpu] = shared_->fork();
      return read_own(vcpu, op);
    }
  }
  shared_at_eof_ = true;
  return false;
}

bool TraceDemux::read_own(unsigned vcpu, GuestOp& op) {
  TraceCursor& c = *own_[vcpu];
  unsigned v = 0;
  while (c.next(v, op)) {
    if (v == vcpu) return true;
  }
  return false;
}

std::uint64_t TraceDemux::skipped_lines() const {
  std::uint64_t n = shared_->skipped_lines();
  for (const auto& c : own_) {
    if (c) n = std::max(n, c->skipped_lines());
  }
  return n;
}

std::uint64_t TraceDemux::mapped_regions() const {
  std::uint64_t n = shared_->mapped_regions();
  for (const auto& c : own_) {
    if (c) n = std::max(n, c->mapped_regions());
  }
  return n;
}

ReadProgress TraceDemux::read_progress() const {
  ReadProgress p = shared_->read_progress();
  for (const auto& c : own_) {
    if (c) p.done = std::max(p.done, c->read_progress().done);
  }
  return p;
}

unsigned TraceDemux::detached_vcpus() const {
  return static_cast<unsigned>(std::count_if(own_.begin(), own_.end(), [](const auto& c) { return c != nullptr; }));
}

}  // namespace s2sim::workloads
