// Lab 5, find the bug: one call of kvm_mmu_write_protect_pt_masked() by the 2014 seed
// patch's v4 walker (mmu/wp_v4.cpp) on a table state where one of its latent bugs
// bites (the hazards of mmu/hazard.h):
//   walk_non_present  the window does not cross a pmd and the host unmapped the pmd
//                     after the bits were set: v4 never checks it and takes a pte-table
//                     address from the empty entry;
//   block_as_table    a hugepage slot keeps its 2 MiB blocks while logging
//                     (block_policy keep, an instructive what-if: Linux 4.0 forces
//                     ptes and dissolves blocks while logging): v4 takes the block's output address for a
//                     pte table, scribbles S2AP bits into guest data and leaves the
//                     block writable;
//   wrong_table_wp    the window crosses a pmd and the first set bit's pmd was
//                     unmapped: v4 falls back to next's pmd but indexes its pte table
//                     with the first bit's IPA, protecting an unrelated page.
// The state is built the way the kernel gets there (scenario.h), the word handed to
// the walker is the dirty bitmap's own, and every answer comes from running v4 and
// v4-fixed on identical copies: hazards from the HazardLog (each naming the statement
// of mmu/wp_v4_statements.h that made it), the damage from comparing the tables.
// v4-fixed must report no hazard at all -- that is the check that the fix the
// student picks is the one that works.
//
// The pieces: scenario.{h,cpp} draws and replays the state, trace_sink.{h,cpp} records
// v4's accesses, bug_lab.cpp runs the walkers and writes the setup; the questions are
// in hazard_questions.cpp (q1, q2), statement_question.cpp (q3),
// damage_questions.cpp (q4-q6) and fix_question.cpp (q7).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mmu/wp_walker.h"
#include "sim/labs/lab.h"
#include "sim/labs/lab5_find_the_bug/scenario.h"
#include "sim/labs/lab5_find_the_bug/trace_sink.h"
#include "workloads/prng.h"

namespace s2sim::sim::lab::bug {

// One walker's call on its own copy of the state.
struct Run {
  std::unique_ptr<Vm> vm;
  std::unique_ptr<TraceSink> trace;
  mmu::WpStats stats;
};

class BugLab {
 public:
  explicit BugLab(const ProblemId& id);
  Problem make();

 private:
  static bool mapped(const Vm& vm, mmu::gfn_t g);
  static bool writable(const Vm& vm, mmu::gfn_t g);
  mmu::gfn_t w0() const { return s_.window_first(); }
  mmu::gfn_t first_bit_gfn() const;
  bool crosses() const;
  const mmu::HazardLog& hazards() const { return v4_.vm->kvm.hazards; }
  std::uint64_t first_kind_count() const { return hazards().count(hazards().first()[0].kind); }
  std::uint64_t bits() const;
  const mmu::S2PageTable& pt() const { return probe_->kvm.pgtable; }  // the state at the call

  void write_setup();
  std::vector<std::string> trace_steps() const;
  void add_hazard_question();
  void add_count_question();
  void add_statement_question();
  void add_crosses_question();
  void add_left_writable_question();
  void add_wrongly_protected_question();
  void add_fix_question();
  void add_figures();

  ProblemId id_;
  workloads::Rng rng_;
  Scenario s_;
  std::unique_ptr<Vm> probe_;  // the state at the call, untouched by any walker
  std::uint64_t mask_ = 0;
  Run v4_, fixed_;
  std::vector<mmu::gfn_t> left_writable_, wrongly_protected_;
  Problem p_;
};

// Gfns as a student writes them: runs of consecutive gfns as ranges, or "none".
std::string gfn_list(const std::vector<mmu::gfn_t>& gfns);

}  // namespace s2sim::sim::lab::bug
