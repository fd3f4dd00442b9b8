// Lab 5's scenarios: what happened to the VM before the write-protect call, drawn
// per seed so that the v4 walker trips one chosen bug, and replayed on a fresh VM
// the way the kernel gets there (memslot, dirty logging, guest faults through
// kvm_handle_guest_abort, host unmaps through the MMU-notifier path).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mmu/kvm.h"
#include "mmu/types.h"
#include "workloads/prng.h"

namespace s2sim::sim::lab::bug {

inline constexpr unsigned kBitsPerLong = 32;  // BITS_PER_LONG on ARMv7

// The three latent bugs of mmu/wp_v4.cpp a scenario can make bite.
enum class Bug { NonPresent, Block, WrongTable };
// The hazard s2sim reports first for it: "walk_non_present", ...
const char* hazard_name(Bug b);

inline mmu::ipa_t ipa_of(mmu::gfn_t g) { return g << mmu::PAGE_SHIFT; }

// What happened to the VM before the call, in order; replayed on every copy.
struct Event {
  enum class Kind { TouchBeforeLogging, EnableLogging, Read, Write, UnmapPmd } kind;
  mmu::gfn_t gfn = 0;
  std::uint64_t count = 1;  // Read/Write: consecutive gfns
};

struct Scenario {
  Bug bug = Bug::NonPresent;
  mmu::gfn_t base = 0;
  std::uint64_t npages = 0;
  bool hugepages = false;
  std::vector<Event> events;
  mmu::gfn_t gfn_offset = 0;  // the word handed to the walker: gfn_offset / 32

  mmu::gfn_t window_first() const { return base + gfn_offset; }  // gfnofst
};

// Draws the bug first, then a memslot and events that make v4 trip it.
Scenario draw_scenario(workloads::Rng& rng);

// One line of the problem statement for an event.
std::string event_text(const Event& e, const Scenario& s);

// A VM with the scenario's memslot (id 0) and its events replayed.
struct Vm {
  explicit Vm(const Scenario& s);
  static mmu::KvmOptions options(const Scenario& s);
  mmu::Kvm kvm;
  mmu::Memslot* slot = nullptr;
};

}  // namespace s2sim::sim::lab::bug
