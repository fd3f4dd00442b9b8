// Lab 5, q7: which change to v4 removes the hazard (multiple choice).
#include <string>
#include <utility>
#include <vector>

#include "sim/labs/lab5_find_the_bug/bug_lab.h"
#include "sim/labs/lab_choice.h"

namespace s2sim::sim::lab::bug {

void BugLab::add_fix_question() {
  const Choice present{
      "check pmd_present() on every upper walk, not only when crosses_pmd is true, and skip "
      "the set bits a non-present pmd covers",
      ""};
  const Choice huge{
      "test pmd_huge() before following a pmd, and write-protect a 2 MiB block on the pmd entry "
      "itself (kvm_set_s2pmd_readonly) instead of walking into it",
      ""};
  const Choice fallback{
      "after falling back to next's pmd, continue from the first set bit inside next's 2 MiB "
      "region (recompute ipa) instead of indexing next's pte table with ipa",
      ""};
  const Choice flush{"flush the TLB entry of each pte right after write-protecting it, inside the walker",
                     "TLB maintenance is get_dirty_log's, once per call (kvm_flush_remote_tlbs), and no flush "
                     "changes which descriptor the walker writes"};
  Choice right;
  std::vector<Choice> wrong;
  switch (s_.bug) {
    case Bug::NonPresent:
      right = present;
      wrong = {{huge.text, "the pmd is not a block here: it is empty (0)"},
               {fallback.text,
                "there is no fallback on this path: crosses_pmd is false, so v4 never looks at "
                "next"},
               flush};
      break;
    case Bug::Block:
      right = huge;
      wrong = {{present.text,
                "a block entry is present (bit 0 set): a presence check lets it through; what is "
                "missing is telling a block (0b01) from a table (0b11)"},
               {fallback.text, "there is no fallback here: crosses_pmd is false and the pmd is present"},
               flush};
      break;
    case Bug::WrongTable:
      right = fallback;
      wrong = {{present.text,
                "v4 does check pmd_present() here (crosses_pmd is true); the trouble is what it "
                "does once the check fails: next's pmd with ipa's pte index"},
               {huge.text, "there is no block here"},
               flush};
      break;
  }
  Question q;
  make_choice(q, "which change to v4 removes this hazard?", right, wrong, rng_);
  q.steps.push_back("v4-fixed (mmu/wp_v4_fixed.cpp) makes all three changes that are not about TLBs");
  q.steps.push_back("the same call with v4-fixed on the same state: 0 hazards, " +
                    std::to_string(fixed_.stats.ptes_write_protected) + " ptes and " +
                    std::to_string(fixed_.stats.blocks_write_protected) + " blocks write-protected");
  p_.questions.push_back(std::move(q));
}

}  // namespace s2sim::sim::lab::bug
