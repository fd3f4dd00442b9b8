#include "sim/labs/lab_registry.h"

#include "sim/labs/lab_problems.h"

namespace s2sim::sim::lab {

const std::vector<LabInfo>& labs() {
  static const std::vector<LabInfo> all = {
      {1, "descriptor-anatomy", "decode five stage-2 descriptors (type, output address, S2AP, AF) and encode one",
       "docs/labs/01-descriptor-anatomy.md", &make_descriptor_lab, nullptr, true, ".txt"},
      {2, "walk-the-tables", "translate IPAs by hand through a memory dump of an ARMv7 LPAE stage-2 tree",
       "docs/labs/02-walk-the-tables.md", &make_walk_lab, nullptr, true, ".txt"},
      {3, "the-masked-walk",
       "predict what each write-protect walker protects and loads for one dirty-bitmap word (crosses_pmd)",
       "docs/labs/03-the-masked-walk.md", &make_masked_lab, nullptr, true, ".txt"},
      {4, "order-matters",
       "run get_dirty_log with one step out of the kernel's order and find the writes it loses (s2sim run)",
       "docs/labs/04-order-matters.md", &make_order_lab, nullptr, false, ".txt"},
      {5, "find-the-bug", "follow the 2014 v4 walker into a hazard: name it, find its statement, pick the fix",
       "docs/labs/05-find-the-bug.md", &make_bug_lab, nullptr, false, ".txt"},
      {6, "tune-the-migration",
       "choose the stop rule, max_rounds and walker that meet a downtime and traffic budget (s2sim run)",
       "docs/labs/06-tune-the-migration.md", &make_tune_lab, &check_tune_config, false, ".json"},
      {7, "faults-in-parallel",
       "why stage-2 faults serialize on ARMv7 and not on arm64 6.x, and what eager splitting buys (s2sim perf-test)",
       "docs/labs/07-faults-in-parallel.md", &make_perf_lab, nullptr, false, ".txt"},
      {8, "write-a-walker",
       "write kvm_mmu_write_protect_pt_masked in C++; check runs it through the no-lost-write campaign",
       "docs/labs/08-write-a-walker.md", &make_walker_lab, &check_walker, false, ".cpp", true},
  };
  return all;
}

const LabInfo* find_lab(int number) {
  for (const LabInfo& l : labs())
    if (l.number == number) return &l;
  return nullptr;
}

CheckResult check_problem(const LabInfo& info, const Problem& p, const AnswerInput& in) {
  return info.check ? info.check(p, in) : check_answer_file(p, in);
}

}  // namespace s2sim::sim::lab
