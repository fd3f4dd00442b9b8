// Lab 5, q1 and q2: which hazard v4 reports first, and how often in the call.
#include <string>
#include <utility>

#include "sim/labs/lab5_find_the_bug/bug_lab.h"

namespace s2sim::sim::lab::bug {

void BugLab::add_hazard_question() {
  const mmu::Hazard& h = hazards().first()[0];
  Question q;
  q.text =
      "which hazard does s2sim report first when v4 makes this call? (wrong_table_wp, walk_non_present,\n"
      "block_as_table, guest_frame_corrupted or stray_access)";
  q.accepts.words = {{"wrong_table_wp", "wrong table wp", "wrong table"},
                     {"walk_non_present", "walk non present", "non present", "non-present"},
                     {"block_as_table", "block as table"},
                     {"guest_frame_corrupted", "guest frame corrupted"},
                     {"stray_access", "stray access"},
                     {"none", "no hazard"}};
  q.answers = {hazard_name(s_.bug)};
  q.steps = {"v4's descriptor accesses, as s2sim records them:"};
  for (const std::string& line : trace_steps()) q.steps.push_back("  " + line);
  q.steps.push_back("the first hazard: " + std::string(mmu::to_string(h.kind)));
  const std::string none = "the v4 walker does go wrong here; v4-fixed, on the same state, reports nothing";
  switch (s_.bug) {
    case Bug::NonPresent:
      q.mistakes = {
          {"block_as_table", "the pmd entry is 0: not a block (0b01) -- not valid at all"},
          {"wrong_table_wp",
           "v4 stores nothing: the 'ptes' it reads through the empty entry read as 0, not "
           "present, so no entry of any table is protected"},
          {"stray_access",
           "the accesses through the bad pointer are explained by the hazard of taking it; "
           "s2sim reports them once, as that"},
          {"guest_frame_corrupted", "nothing is stored: what v4 reads through the empty entry is not present"},
          {"none", none}};
      break;
    case Bug::Block:
      q.mistakes = {
          {"guest_frame_corrupted",
           "that comes second: v4 first takes a pte-table address from the block entry "
           "(block_as_table); storing into what is really guest data follows"},
          {"walk_non_present", "the pmd entry is valid -- a block (bits [1:0] = 0b01), not an empty entry"},
          {"wrong_table_wp", "v4 never reaches a real pte table here: the 'table' is the block's guest data"},
          {"none", none}};
      break;
    case Bug::WrongTable:
      q.mistakes = {{"walk_non_present",
                     "crosses_pmd is true, so v4 does check pmd_present() and falls back to next's "
                     "pmd, which is present: no pointer is taken from the empty entry"},
                    {"block_as_table",
                     "there is no block here: both 2 MiB regions are mapped by pte tables (or not at "
                     "all)"},
                    {"none", none}};
      break;
  }
  p_.questions.push_back(std::move(q));
}

void BugLab::add_count_question() {
  const std::string kind = mmu::to_string(hazards().first()[0].kind);
  const std::uint64_t n = first_kind_count();
  Question q;
  q.text = "how many times does s2sim report that hazard (your q1) in this one call? (decimal)";
  q.accepts.number = true;
  q.answers = {std::to_string(n)};
  if (s_.bug == Bug::WrongTable) {
    q.steps = {
        "only the first set bit goes through the fallback to next's pmd; crosses_pmd is true, so every "
        "further bit gets its own upper walk, which checks pmd_present() and skips the empty pmd or finds "
        "its own pte correctly: " +
        std::to_string(n)};
    q.mistakes.push_back({std::to_string(bits()),
                          "only the first set bit uses the fallback; the others are walked again from the top "
                          "(crosses_pmd is true) and checked"});
  } else {
    q.steps = {
        "crosses_pmd is false: after the first bit the loop goes straight back to "
        "pte_offset_kernel(w, pmdv, ipa), having read the same pmd entry again, once per set bit: " +
        std::to_string(bits()) + " set bits, " + std::to_string(n) + " reports"};
    q.mistakes.push_back({"1",
                          "the loop repeats pte_offset_kernel(w, pmdv, ipa) on the same bad pmd entry for "
                          "every set bit: one report per bit"});
    if (s_.bug == Bug::Block && hazards().total() != n)
      q.mistakes.push_back({std::to_string(hazards().total()),
                            "that counts every hazard; the " + kind + " reports alone are one per set bit"});
  }
  q.explain = [bits = bits()](const AnswerValue&) {
    return "count the set bits of mask (" + std::to_string(bits) +
           ") and follow the loop of mmu/wp_v4.cpp: which ones reach the bad statement?";
  };
  p_.questions.push_back(std::move(q));
}

}  // namespace s2sim::sim::lab::bug
