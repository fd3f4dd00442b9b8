#include "sim/labs/lab5_find_the_bug/bug_lab.h"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <utility>

#include "mmu/granule.h"
#include "mmu/pgtable_accessors.h"
#include "mmu/wp_v4_statements.h"
#include "sim/labs/lab_choice.h"
#include "sim/labs/lab_figures.h"
#include "sim/labs/lab_problems.h"
#include "sim/labs/lab_text.h"

namespace s2sim::sim::lab {

namespace bug {

namespace {

using mmu::gfn_t;
using mmu::phys_addr_t;

void run_walker(Run& r, const Scenario& s, std::uint64_t mask, const std::string& walker_name) {
  r.vm = std::make_unique<Vm>(s);
  const std::unique_ptr<mmu::WpWalker> walker = mmu::make_wp_walker(walker_name);
  r.vm->kvm.hazards.clear();
  r.trace = std::make_unique<TraceSink>(r.vm->kvm.hazards);
  mmu::S2Walk walk(r.vm->kvm.pgtable, r.trace.get(), &r.vm->kvm.hazards, walker->name());
  walker->write_protect_masked(walk, *r.vm->slot, s.gfn_offset, mask, kBitsPerLong, r.stats);
  r.trace->finish();
}

// The statement of mmu/wp_v4.cpp that reports the bug's first hazard: where the
// table address is taken from the bad pmd, or (wrong_table_wp) the store through the
// address pte_offset_kernel() computed from next's table.
mmu::V4Statement reporting_statement(Bug b) {
  return b == Bug::WrongTable ? mmu::V4Statement::SetReadonly : mmu::V4Statement::PteOffsetKernel;
}

}  // namespace

std::string gfn_list(const std::vector<gfn_t>& gfns) {
  if (gfns.empty()) return "none";
  // Runs of consecutive gfns as ranges.
  std::vector<std::string> parts;
  for (std::size_t i = 0; i < gfns.size();) {
    std::size_t j = i;
    while (j + 1 < gfns.size() && gfns[j + 1] == gfns[j] + 1) ++j;
    parts.push_back(j > i + 1 ? hex(gfns[i]) + "-" + hex(gfns[j])
                              : (j == i + 1 ? hex(gfns[i]) + ", " + hex(gfns[j]) : hex(gfns[i])));
    i = j + 1;
  }
  return join(parts, ", ");
}

BugLab::BugLab(const ProblemId& id) : id_(id), rng_(workloads::derive_seed(id.seed, 5)), s_(draw_scenario(rng_)) {
  probe_ = std::make_unique<Vm>(s_);
  mask_ = probe_->slot->dirty_bitmap->word(s_.gfn_offset / kBitsPerLong);
  if (!mask_) throw std::logic_error("lab 5: empty bitmap word");
  run_walker(v4_, s_, mask_, "v4");
  run_walker(fixed_, s_, mask_, "v4-fixed");
  const mmu::HazardLog& h = v4_.vm->kvm.hazards;
  if (h.first().empty() || std::string(mmu::to_string(h.first()[0].kind)) != hazard_name(s_.bug))
    throw std::logic_error("lab 5 " + id.label() + ": v4 did not trip " + hazard_name(s_.bug));
  if (static_cast<mmu::V4Statement>(h.first()[0].statement) != reporting_statement(s_.bug))
    throw std::logic_error("lab 5 " + id.label() + ": " + hazard_name(s_.bug) + " reported in " +
                           mmu::v4_statement(h.first()[0].statement).name);
  // The check of the fix: the same call on the same state with v4-fixed is clean.
  if (fixed_.vm->kvm.hazards.total() != 0)
    throw std::logic_error("lab 5 " + id.label() + ": v4-fixed reported a hazard");
  // The damage, page by page.
  for (gfn_t g = s_.base; g < s_.base + s_.npages; ++g) {
    const bool v4_rw = writable(*v4_.vm, g), fixed_rw = writable(*fixed_.vm, g);
    if (v4_rw && !fixed_rw) left_writable_.push_back(g);
    if (!v4_rw && fixed_rw && mapped(*v4_.vm, g)) wrongly_protected_.push_back(g);
  }
}

Problem BugLab::make() {
  p_ = start_problem(id_, "find the bug");
  write_setup();
  add_hazard_question();
  add_count_question();
  add_statement_question();
  add_crosses_question();
  add_left_writable_question();
  add_wrongly_protected_question();
  add_fix_question();
  add_figures();
  finalize(p_);
  return std::move(p_);
}

// The entries the setup lists, as a tree, and the word's window; solve adds the 2 MiB
// boundaries to the window (q4 asks whether the window crosses one).
void BugLab::add_figures() {
  const gfn_t a = w0(), b = w0() + kBitsPerLong - 1;
  std::vector<phys_addr_t> entries = {pt().lookup(ipa_of(a)).visited[0]};
  for (gfn_t g = a; g <= b; g = mmu::pmd_end_gfn(g)) entries.push_back(pt().entry_pa(ipa_of(g), 2));
  p_.figures.push_back(draw_tree("lab5-tables.svg", "the tables at the call", tree_of(pt(), entries, {})));
  Window w{w0(), kBitsPerLong, mask_, false, {}};
  p_.figures.push_back(draw_window("lab5-window.svg", "the word handed to the v4 walker", w));
  p_.solved_figures = p_.figures;
  w.show_boundaries = true;
  p_.solved_figures.back() = draw_window("lab5-window.svg", "the word handed to the v4 walker, 2 MiB boundaries", w);
}

bool BugLab::mapped(const Vm& vm, gfn_t g) { return vm.kvm.pgtable.lookup(ipa_of(g)).mapped; }

bool BugLab::writable(const Vm& vm, gfn_t g) {
  const mmu::S2Lookup l = vm.kvm.pgtable.lookup(ipa_of(g));
  return l.mapped && l.desc.writable();
}

gfn_t BugLab::first_bit_gfn() const { return w0() + static_cast<unsigned>(std::countr_zero(mask_)); }
bool BugLab::crosses() const { return mmu::crosses_pmd(w0(), kBitsPerLong); }
std::uint64_t BugLab::bits() const { return static_cast<std::uint64_t>(std::popcount(mask_)); }

void BugLab::write_setup() {
  std::string& s = p_.setup;
  s = "A memslot of " + std::to_string(s_.npages) + " pages at base_gfn " + hex(s_.base) + " (IPA " +
      pa_hex(ipa_of(s_.base)) + ")" + (s_.hugepages ? ", backed by 2 MiB hugepages" : "") +
      "; ARMv7 LPAE stage 2, BITS_PER_LONG 32" +
      (s_.bug == Bug::Block ? ",\nblock_policy keep (a what-if, not kernel behaviour: a write fault on a block keeps "
                              "it whole, where\nLinux 4.0 dissolves it)"
                            : "") +
      ". In this order:\n";
  int i = 1;
  for (const Event& e : s_.events) s += "  " + std::to_string(i++) + ". " + wrap(event_text(e, s_), 92, "     ") + "\n";
  s += "  " + std::to_string(i) + ". get_dirty_log reaches bitmap word " + std::to_string(s_.gfn_offset / 32) +
       " and, with the v4 walker, calls\n"
       "       kvm_mmu_write_protect_pt_masked(kvm, slot, gfn_offset = " +
       std::to_string(s_.gfn_offset) + ", mask = " + hex(mask_, 8) +
       ")\n"
       "     mask in binary, bit 31 first: " +
       mask_binary(mask_, kBitsPerLong) + "\n\n";
  // The descriptors on the window's path, as they are at the call.
  const gfn_t a = w0(), b = w0() + kBitsPerLong - 1;
  const mmu::S2Lookup first = pt().lookup(ipa_of(a));
  s += "The tables at the call (level 1 = pgd with the pud folded, level 2 = pmd):\n";
  s += "  VTTBR = " + desc_hex(pt().vttbr()) + "\n";
  s += "  level-1 entry  " + pa_hex(first.visited[0]) + ": " + desc_hex(pt().mem().load64(first.visited[0])) + "\n";
  nlohmann::json pmds = nlohmann::json::array();
  for (gfn_t g = a; g <= b; g = mmu::pmd_end_gfn(g)) {
    const phys_addr_t pa = pt().entry_pa(ipa_of(g), 2);
    const std::uint64_t v = pt().mem().load64(pa);
    s += "  level-2 entry  " + pa_hex(pa) + ": " + desc_hex(v) + "  (2 MiB region of gfn " +
         hex(mmu::pmd_base_gfn(g)) + ")\n";
    pmds.push_back({{"pa", pa_hex(pa)}, {"value", desc_hex(v)}});
  }
  s += "\nRead mmu/wp_v4.cpp (the seed's walker, statement for statement) and follow this call through it.";
  nlohmann::json events = nlohmann::json::array();
  for (const Event& e : s_.events) events.push_back(event_text(e, s_));
  p_.setup_json = {
      {"base_gfn", hex(s_.base)},
      {"npages", s_.npages},
      {"hugepages", s_.hugepages},
      {"block_policy", s_.bug == Bug::Block ? "keep" : "dissolve"},
      {"events", events},
      {"gfn_offset", s_.gfn_offset},
      {"mask", hex(mask_, 8)},
      {"vttbr", desc_hex(pt().vttbr())},
      {"level1_entry", {{"pa", pa_hex(first.visited[0])}, {"value", desc_hex(pt().mem().load64(first.visited[0]))}}},
      {"pmd_entries", pmds}};
}

// v4's accesses up to its first hazard and one after, one line each.
std::vector<std::string> BugLab::trace_steps() const {
  const TraceSink& t = *v4_.trace;
  const std::size_t end = std::min(t.lines.size(), t.first_hazard_line + 1);
  std::vector<std::string> out(t.lines.begin(), t.lines.begin() + static_cast<std::ptrdiff_t>(end));
  if (end < t.lines.size())
    out.push_back("... (" + std::to_string(t.lines.size()) + " lines in all, " + std::to_string(hazards().total()) +
                  " of them hazard reports)");
  return out;
}

}  // namespace bug

Problem make_bug_lab(const ProblemId& id) { return bug::BugLab(id).make(); }

}  // namespace s2sim::sim::lab
