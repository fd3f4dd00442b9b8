// Lab 5, q3: which statement of mmu/wp_v4.cpp computes the descriptor address that
// goes wrong. Answers are statements as the table of mmu/wp_v4_statements.h names
// and writes them -- never line numbers, so the file can be reformatted freely.
#include <string>
#include <utility>
#include <vector>

#include "mmu/wp_v4_statements.h"
#include "sim/labs/lab5_find_the_bug/bug_lab.h"

namespace s2sim::sim::lab::bug {

namespace {

using mmu::V4Statement;
using mmu::WalkerStatement;

std::string without_end(std::string s) {
  if (s.ends_with(" {")) s.resize(s.size() - 2);
  if (s.ends_with(";")) s.pop_back();
  return s;
}

// Short names some students use for a statement's accessor.
std::vector<std::string> extra_spellings(const std::string& name) {
  if (name == "ffs") return {"__ffs"};
  if (name == "kvm_set_s2pte_readonly") return {"w.store", "store"};
  return {};
}

// One accepted word per statement name, in the table's order: the name, "name()",
// and each statement of that name as written (with or without its `;` or ` {`, and
// an assignment's right-hand side alone).
std::vector<std::vector<std::string>> statement_words() {
  std::vector<std::vector<std::string>> groups;
  for (const WalkerStatement& s : mmu::v4_statements()) {
    std::vector<std::string>* g = nullptr;
    for (auto& existing : groups)
      if (existing.front() == s.name) g = &existing;
    if (!g) {
      groups.push_back({s.name, std::string(s.name) + "()"});
      g = &groups.back();
      for (const std::string& x : extra_spellings(s.name)) g->push_back(x);
    }
    const std::string text = s.text, bare = without_end(text);
    for (const std::string& form : {text, bare}) g->push_back(form);
    if (const auto eq = bare.find(" = "); eq != std::string::npos && bare.find('(') > eq) {
      g->push_back(bare.substr(eq + 3));
      g->push_back(bare.substr(eq + 3) + ";");
    }
  }
  return groups;
}

}  // namespace

void BugLab::add_statement_question() {
  const std::string pte_offset = without_end(mmu::v4_statement(V4Statement::PteOffsetKernel).text);
  Question q;
  q.text =
      "which statement of mmu/wp_v4.cpp computes the descriptor address that goes wrong? (the accessor's\n"
      "name, e.g. pgd_offset, or the statement as mmu/wp_v4.cpp writes it)";
  q.accepts.words = statement_words();
  q.answers = {mmu::v4_statement(V4Statement::PteOffsetKernel).name};
  switch (s_.bug) {
    case Bug::NonPresent:
      q.steps = {"crosses_pmd is false: the presence check `" +
                 without_end(mmu::v4_statement(V4Statement::PmdPresent).text) + "` is skipped, and " + pte_offset +
                 " takes a table address from the empty pmd entry"};
      break;
    case Bug::Block:
      q.steps = {"crosses_pmd is false, and nothing in v4 tests pmd_huge(): " + pte_offset +
                 " takes the block's output address (guest RAM) for a pte table"};
      break;
    case Bug::WrongTable:
      q.steps = {"the first pmd is absent, so v4 falls back to " +
                 without_end(mmu::v4_statement(V4Statement::PmdOffsetNext).text) +
                 " -- next's pmd, correctly found -- but " + pte_offset +
                 " indexes next's pte table with ipa, the first bit's IPA: entry pte_index(ipa) of the "
                 "wrong table"};
      break;
  }
  const std::string offset_ok =
      s_.bug == Bug::WrongTable
          ? "pmd_offset(w, pudv, next) finds next's pmd entry correctly; the wrong address is made when that "
            "pmd's pte table is indexed with ipa: pte_offset_kernel(w, pmdv, ipa)"
          : "pmd_offset() finds the pmd entry correctly -- the entry is where it should be; the walker goes "
            "wrong when it takes a pte-table address from that entry's value unchecked: pte_offset_kernel";
  const std::string present =
      s_.bug == Bug::NonPresent ? "the bug is that pmd_present() is NOT called on this path (crosses_pmd is "
                                  "false); the statement that then follows the empty entry is pte_offset_kernel"
      : s_.bug == Bug::Block    ? "pmd_present() is not called on this path (crosses_pmd is false), and would "
                                  "pass anyway: a block is present; the statement that follows the block is "
                                  "pte_offset_kernel"
                                : "pmd_present() is called here and rightly finds the first pmd absent; what "
                                  "goes wrong is the pte lookup after the fallback: pte_offset_kernel";
  const std::string store =
      "the store writes where the address computed earlier points; the address itself went wrong in " + pte_offset;
  q.mistakes = {{"pmd_offset", offset_ok},
                {"pmd_present", present},
                {"kvm_set_s2pte_readonly", store},
                {"crosses_pmd",
                 "crosses_pmd decides which path runs; the statement that computes the bad "
                 "address on it is pte_offset_kernel"}};
  q.explain = [](const AnswerValue&) {
    return std::string(
        "follow the call through mmu/wp_v4.cpp: where is a table address taken from an entry "
        "without the checks it needs?");
  };
  p_.questions.push_back(std::move(q));
}

}  // namespace s2sim::sim::lab::bug
