// Lab 5, q4-q6: whether crosses_pmd is true, and the damage v4 does that v4-fixed,
// on the same state, does not: pages left writable, pages wrongly protected.
#include <bit>
#include <stdexcept>
#include <utility>

#include "mmu/granule.h"
#include "sim/labs/lab5_find_the_bug/bug_lab.h"
#include "sim/labs/lab_text.h"

namespace s2sim::sim::lab::bug {

using mmu::gfn_t;
using mmu::ipa_t;

void BugLab::add_crosses_question() {
  const ipa_t offset_ipa = ipa_of(w0()), next = ipa_of(w0() + kBitsPerLong - 1);
  Question q;
  q.text = "is crosses_pmd true in v4 for this call? (true or false)";
  q.accepts.words = {{"true", "yes", "1"}, {"false", "no", "0"}};
  q.answers = {crosses() ? "true" : "false"};
  q.steps = {"offset_ipa = " + pa_hex(offset_ipa) + ", next = " + pa_hex(next) + ": pmds " +
             pa_hex(offset_ipa & mmu::PMD_MASK) + " and " + pa_hex(next & mmu::PMD_MASK) +
             (crosses() ? ", different" : ", the same")};
  q.mistakes = {{crosses() ? "false" : "true",
                 crosses() ? "the window [gfnofst, gfnofst + 31] straddles a 2 MiB boundary: offset_ipa & "
                             "PMD_MASK differs from next & PMD_MASK"
                           : "the whole window [gfnofst, gfnofst + 31] lies inside one 2 MiB region"}};
  p_.questions.push_back(std::move(q));
}

void BugLab::add_left_writable_question() {
  Question q;
  q.text =
      "after the call, which gfns does v4 leave read/write although v4-fixed, on the same state, write-\n"
      "protects them? (a list of gfns, a-b ranges allowed, or none)";
  q.accepts.list = true;
  q.answers = {gfn_list(left_writable_)};
  std::vector<gfn_t> set;
  for (std::uint64_t m = mask_; m; m &= m - 1) set.push_back(w0() + static_cast<unsigned>(std::countr_zero(m)));
  switch (s_.bug) {
    case Bug::NonPresent:
      q.steps = {
          "the set bits' pages are not mapped any more (their pmd was cleared): neither walker has "
          "anything to protect; their next access faults them in again"};
      q.mistakes.push_back({gfn_list(set),
                            "those pages are not mapped any more: nothing protects or leaves "
                            "them writable; the next access faults them back in"});
      break;
    case Bug::Block: {
      const gfn_t r = mmu::pmd_base_gfn(first_bit_gfn());
      q.steps = {"v4-fixed write-protects the block on its pmd entry: all 512 pages [" + hex(r) + ", " +
                     hex(mmu::pmd_end_gfn(r) - 1) + "] read-only",
                 "v4 never touches the block entry: the whole block stays read/write, and every later write "
                 "to it goes unlogged"};
      q.mistakes.push_back({gfn_list(set),
                            "a block is one descriptor: v4-fixed protects all 512 pages of it at "
                            "once, and v4 leaves all 512 writable, not only this word's 32"});
      break;
    }
    case Bug::WrongTable:
      q.steps = {
          "the set bits in the first region are unmapped (nothing to protect); those in the second "
          "region are walked again from the top (crosses_pmd) and protected by both walkers"};
      {
        std::vector<gfn_t> second;
        for (gfn_t g : set)
          if (mmu::pmd_region(g) != mmu::pmd_region(first_bit_gfn())) second.push_back(g);
        q.mistakes.push_back({gfn_list(second),
                              "v4 protects those: after the first bit, crosses_pmd makes it walk "
                              "the upper levels again for every bit, with the presence checks"});
      }
      q.mistakes.push_back({hex(first_bit_gfn()),
                            "the first set bit's page is not mapped any more (its pmd was "
                            "cleared): there is no pte to leave writable"});
      break;
  }
  p_.questions.push_back(std::move(q));
}

void BugLab::add_wrongly_protected_question() {
  Question q;
  q.text = "which gfns does v4 write-protect although v4-fixed leaves them read/write? (a list, or none)";
  q.accepts.list = true;
  q.answers = {gfn_list(wrongly_protected_)};
  if (s_.bug == Bug::WrongTable) {
    const gfn_t g = first_bit_gfn();
    q.steps = {"pte_index(ipa) = " + std::to_string(mmu::pte_index(ipa_of(g))) + " in next's pte table: the pte of gfn " +
                   hex(g) + " + 512 = " + hex(g + mmu::PMD_PAGES) + ", a page whose bit is not in this mask",
               "so " + hex(g + mmu::PMD_PAGES) + " takes one needless write-protect fault later; gfn " + hex(g) +
                   " itself was meant"};
    q.mistakes.push_back(
        {hex(g), "v4 meant to protect gfn " + hex(g) +
                     ", but it is unmapped; the entry it "
                     "wrote is entry pte_index(ipa) of next's table, which maps the page 512 gfns on"});
    q.mistakes.push_back({hex(g - mmu::PMD_PAGES),
                          "next's table maps the region after the boundary: pte_index(ipa) "
                          "there is the page 512 gfns after ipa's, not before"});
    q.mistakes.push_back({"none",
                          "v4 stores into one pte that no set bit stands for: find pte_index(ipa) in "
                          "next's table"});
  } else {
    q.steps = {s_.bug == Bug::Block
                   ? "v4's stores land in the guest's own data frame (guest_frame_corrupted), not in any pte or "
                     "block: no mapping changes"
                   : "v4 finds nothing present through the empty entry and stores nothing"};
    if (!wrongly_protected_.empty()) throw std::logic_error("lab 5: unexpected protection");
  }
  q.explain = [](const AnswerValue&) {
    return std::string(
        "compare what v4 and v4-fixed do to each pte: the answer is the ptes only v4 made "
        "read-only");
  };
  p_.questions.push_back(std::move(q));
}

}  // namespace s2sim::sim::lab::bug
