#include "workloads/generator.h"

#include <charconv>

namespace s2sim::workloads {

Generator::Generator(std::string kind, const CommonKeys& keys, const WorkloadEnv& env)
    : kind_(std::move(kind)), keys_(keys) {
  const unsigned n = env.vcpus == 0 ? 1 : env.vcpus;
  lanes_.reserve(n);
  for (unsigned v = 0; v < n; ++v) {
    lanes_.push_back(Lane{lane_region(keys, v, n), 0, false, Rng(derive_seed(env.seed, v, kPageStream)),
                          Rng(derive_seed(env.seed, v, kAccessStream))});
  }
}

ReadProgress Generator::read_progress() const {
  ReadProgress p;
  for (const Lane& l : lanes_) {
    p.done += l.done ? keys_.ops : l.issued;
    p.total += keys_.ops;
  }
  return p;
}

bool Generator::next(unsigned vcpu, GuestOp& op) { return next_batch(vcpu, &op, 1) == 1; }

std::size_t Generator::next_batch(unsigned vcpu, GuestOp* out, std::size_t n) {
  return fill(vcpu, out, n, [this](unsigned v, Lane& l, mmu::gfn_t& gfn, GuestOp& o) { return pick(v, l, gfn, o); });
}

std::string Generator::describe() const {
  std::string s = kind_ + ": " + std::to_string(keys_.ops) + " ops/vCPU over gfns [" + hex(keys_.first_gfn) + ", " +
                  hex(keys_.first_gfn + keys_.pages) + ") (" + std::to_string(keys_.pages) + " pages, " +
                  (keys_.shared ? "shared" : "partitioned per vCPU") + "), write_ratio " +
                  format_number(keys_.write_ratio) + ", think " + std::to_string(keys_.think_cycles) + " cycles";
  const std::string own = describe_own();
  if (!own.empty()) s += ", " + own;
  return s;
}

std::string format_number(double v) {
  char buf[32];  // shortest form that reads back exactly: "1", "0.99", "1e-06"
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

}  // namespace s2sim::workloads
