#include "sim/lab_registry.h"

#include "sim/lab_problems.h"

namespace s2sim::sim::lab {

const std::vector<LabInfo>& labs() {
  static const std::vector<LabInfo> all = {
      {1, "descriptor-anatomy", "decode five stage-2 descriptors (type, output address, S2AP, AF) and encode one",
       "docs/labs/01-descriptor-anatomy.md", &make_descriptor_lab},
      {2, "walk-the-tables", "translate IPAs by hand through a memory dump of an ARMv7 LPAE stage-2 tree",
       "docs/labs/02-walk-the-tables.md", &make_walk_lab},
      {3, "the-masked-walk",
       "predict what each write-protect walker protects and loads for one dirty-bitmap word (crosses_pmd)",
       "docs/labs/03-the-masked-walk.md", &make_masked_lab},
      {4, "the-dirty-log-round", "order snapshot, write-protect, TLB flush and copy so no guest write is lost", "",
       nullptr},
      {5, "v4-hazards", "make the 2014 crosses_pmd walker protect the wrong table, and explain the lost write", "",
       nullptr},
      {6, "pre-copy-convergence", "find the dirty rate at which pre-copy migration stops converging", "", nullptr},
  };
  return all;
}

const LabInfo* find_lab(int number) {
  for (const LabInfo& l : labs())
    if (l.number == number) return &l;
  return nullptr;
}

}  // namespace s2sim::sim::lab
