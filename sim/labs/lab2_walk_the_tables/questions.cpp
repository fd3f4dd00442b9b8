// Lab 2's memory dump and questions: each access's PA or fault, worked step by step,
// the typical index slips as mistakes, and the load count of one walk.
#include <algorithm>
#include <utility>

#include "sim/labs/lab2_walk_the_tables/walk_lab.h"
#include "sim/labs/lab_figures.h"
#include "sim/labs/lab_problems.h"
#include "sim/labs/lab_text.h"

namespace s2sim::sim::lab {

namespace walk {

namespace {

const char* fault_kind_word(FaultKind k) {
  switch (k) {
    case FaultKind::Translation: return "translation";
    case FaultKind::Permission: return "permission";
    case FaultKind::AccessFlag: return "access-flag";
    case FaultKind::None: break;
  }
  return "none";
}

std::string outcome(const TranslateResult& r) {
  if (r.fault == FaultKind::None) return pa_hex(r.pa);
  return fault_answer(fault_kind_word(r.fault), r.level);
}

const char* index_bits(level_t level) { return level == 1 ? "IPA[39:30]" : level == 2 ? "IPA[29:21]" : "IPA[20:12]"; }

// `ipa` with bits [lo+8:lo] replaced by `v` (a 9-bit index).
ipa_t with_index(ipa_t ipa, unsigned lo, std::uint64_t v) {
  constexpr ipa_t kIndex = mmu::PTRS_PER_TABLE - 1;
  return (ipa & ~(kIndex << lo)) | ((v & kIndex) << lo);
}
std::uint64_t bits9(ipa_t ipa, unsigned lo) { return (ipa >> lo) & (mmu::PTRS_PER_TABLE - 1); }

std::string describe_entry(S2Desc d, level_t level) {
  const mmu::DecodedDesc x = mmu::decode(d, level);
  switch (x.type) {
    case DescType::Table: return "a table at " + pa_hex(x.output_address);
    case DescType::Page:
      return std::string("a page at ") + pa_hex(x.output_address) + ", " + mmu::s2ap_name(x.s2ap) + ", AF " +
             (x.af ? "1" : "0");
    case DescType::Block:
      return std::string("a ") + (level == 1 ? "1 GiB" : "2 MiB") + " block at " + pa_hex(x.output_address) + ", " +
             mmu::s2ap_name(x.s2ap) + ", AF " + (x.af ? "1" : "0");
    case DescType::Invalid: break;
  }
  return d.raw == 0 ? "0 (not in the dump): invalid" : "invalid (bit 0 is 0)";
}

}  // namespace

Problem WalkLab::make() {
  const auto accesses = pick_accesses();
  write_setup(accesses);
  for (std::size_t i = 0; i < accesses.size(); ++i) add_access_question(accesses[i].first, accesses[i].second);
  const std::size_t k = rng_.below(accesses.size());
  add_loads_question(k, accesses[k].first, accesses[k].second);
  add_figures(accesses);
  finalize(p_);
  return std::move(p_);
}

// The tree as a figure: show draws every non-zero entry of the dump; solve marks the
// entries each question's walk loads.
void WalkLab::add_figures(const std::vector<std::pair<ipa_t, Access>>& accesses) {
  std::vector<phys_addr_t> entries;
  for (const phys_addr_t f : table_frames()) {
    const std::uint64_t* w = mem_.table_words(f);
    for (unsigned i = 0; i < mmu::PTRS_PER_TABLE; ++i)
      if (w[i]) entries.push_back(f + i * 8);
  }
  std::vector<std::pair<phys_addr_t, std::string>> marks;
  for (std::size_t i = 0; i < accesses.size(); ++i) {
    const TranslateResult r = mmu::translate(pt_, accesses[i].first, accesses[i].second);
    for (unsigned v = 0; v < r.nvisited; ++v) {
      marks.emplace_back(r.visited[v], "q" + std::to_string(i + 1));
      entries.push_back(r.visited[v]);  // an empty entry a walk stops at is drawn too
    }
  }
  const std::string title = "stage-2 tree: VTTBR -> pgd (two pages) -> pmd -> pte";
  p_.figures.push_back(draw_tree("lab2-tree.svg", title, tree_of(pt_, entries, {}, 64)));
  p_.solved_figures.push_back(
      draw_tree("lab2-tree.svg", title + ", entries each walk loads marked", tree_of(pt_, entries, marks, 64)));
}

void WalkLab::write_setup(const std::vector<std::pair<ipa_t, Access>>& accesses) {
  std::string& s = p_.setup;
  s = "A VM's stage-2 tables as KVM/ARM builds them on ARMv7 LPAE: 40-bit IPA (VTCR.T0SZ = -8),\n"
      "walks start at level 1 (VTCR.SL0 = 1), the pud is folded into the pgd, 4 KiB granule.\n\n";
  s += "VTTBR = " + desc_hex(pt_.vttbr()) + "\n\n";
  s += "Memory dump of every stage-2 table frame: the non-zero 64-bit words (address: value);\n"
       "every word not shown is 0. Guest memory is not shown.\n";
  nlohmann::json frames = nlohmann::json::array();
  for (const phys_addr_t f : table_frames()) {
    s += "frame " + pa_hex(f) + "\n";
    const std::uint64_t* w = mem_.table_words(f);
    nlohmann::json words = nlohmann::json::array();
    for (unsigned i = 0; i < mmu::PTRS_PER_TABLE; ++i) {
      if (!w[i]) continue;
      s += "  " + pa_hex(f + i * 8) + ": " + desc_hex(w[i]) + "\n";
      words.push_back({{"pa", pa_hex(f + i * 8)}, {"value", desc_hex(w[i])}});
    }
    if (words.empty()) s += "  (all zero)\n";
    frames.push_back({{"pa", pa_hex(f)}, {"words", words}});
  }
  s += "\nQuestions 1-" + std::to_string(accesses.size()) +
       " are guest accesses, each on its own (no TLB, no walk cache). Answer each with\n"
       "the PA it reaches (hex), or the fault it takes: \"translation fault at level N\",\n"
       "\"access-flag fault at level N\" or \"permission fault at level N\".\n";
  nlohmann::json acc = nlohmann::json::array();
  for (std::size_t i = 0; i < accesses.size(); ++i) {
    acc.push_back({{"question", "q" + std::to_string(i + 1)},
                   {"access", accesses[i].second == Access::Read ? "read" : "write"},
                   {"ipa", pa_hex(accesses[i].first)}});
  }
  p_.setup_json = {{"geometry", geo_.name}, {"vttbr", desc_hex(pt_.vttbr())}, {"frames", frames}, {"accesses", acc}};
}

std::vector<Visit> WalkLab::visits(const TranslateResult& r) const {
  std::vector<Visit> v;
  for (unsigned i = 0; i < r.nvisited; ++i)
    v.push_back({r.visited_level[i], r.visited[i], mem_.load64(r.visited[i])});
  return v;
}

std::vector<std::string> WalkLab::walk_steps(ipa_t ipa, Access access, const TranslateResult& r) const {
  std::vector<std::string> steps;
  steps.push_back("VTTBR " + desc_hex(pt_.vttbr()) + ": the pgd is at " + pa_hex(pt_.pgd_pa()) +
                  " (bits [55:48] hold the VMID, not address bits)");
  phys_addr_t table = pt_.pgd_pa();
  for (const Visit& v : visits(r)) {
    const std::uint64_t idx = geo_.index(v.level, ipa);
    std::string line = "level " + std::to_string(v.level) + ": index " + index_bits(v.level) + " = " +
                       std::to_string(idx) + " -> " + pa_hex(table) + " + " + std::to_string(idx) +
                       " x 8 = " + pa_hex(v.pa);
    if (v.level == geo_.start_level && idx >= mmu::PTRS_PER_TABLE)
      line += " (entry " + std::to_string(idx) + " is in the second page of the concatenated pgd)";
    line += "\n  holds " + desc_hex(v.raw) + ": " + describe_entry(S2Desc{v.raw}, v.level);
    steps.push_back(line);
    table = S2Desc{v.raw}.output_address(geo_.oa_mask());
  }
  const char* what = access == Access::Read ? "a read" : "a write";
  switch (r.fault) {
    case FaultKind::None: {
      const std::uint64_t low = (std::uint64_t{1} << r.block_shift) - 1;
      const std::string bits = r.block_shift == 12 ? "IPA[11:0]" : r.block_shift == 21 ? "IPA[20:0]" : "IPA[29:0]";
      steps.push_back(std::string(what) + " is allowed by S2AP " + mmu::s2ap_name(r.leaf.s2ap()) +
                      ": PA = " + pa_hex(r.pa & ~low) + " + " + bits + " " + hex(ipa & low) + " = " + pa_hex(r.pa));
      break;
    }
    case FaultKind::Translation:
      steps.push_back("an invalid entry ends the walk: translation fault at level " + std::to_string(r.level));
      break;
    case FaultKind::Permission:
      steps.push_back(std::string(what) + " to a " + mmu::s2ap_name(r.leaf.s2ap()) +
                      " leaf: permission fault at level " + std::to_string(r.level));
      break;
    case FaultKind::AccessFlag:
      steps.push_back("AF is 0: access-flag fault at level " + std::to_string(r.level));
      break;
  }
  return steps;
}

std::string WalkLab::access_text(ipa_t ipa, Access access) const {
  return std::string(access == Access::Read ? "read" : "write") + " of IPA " + pa_hex(ipa);
}

void WalkLab::add_access_question(ipa_t ipa, Access access) {
  const TranslateResult r = mmu::translate(pt_, ipa, access);
  Question q;
  q.text = access_text(ipa, access) + ": its PA, or the fault";
  q.accepts.number = true;
  q.accepts.fault = true;
  q.answers = {outcome(r)};
  q.steps = walk_steps(ipa, access, r);
  auto alt = [&](ipa_t other) { return outcome(mmu::translate(pt_, other, access)); };
  auto& mk = q.mistakes;

  const std::uint64_t pgd_index = geo_.index(geo_.start_level, ipa);
  if (pgd_index >= mmu::PTRS_PER_TABLE)
    mk.push_back({alt(ipa - mmu::PTRS_PER_TABLE * mmu::PUD_SIZE),
                  "forgot the concatenated pgd: the level-1 index IPA[39:30] = " + std::to_string(pgd_index) +
                      " is 512 or more; the pgd is two concatenated 4 KiB pages (1024 entries), so the entry is " +
                      pa_hex(pt_.pgd_pa()) + " + " + std::to_string(pgd_index) +
                      " x 8 = " + pa_hex(pt_.pgd_pa() + pgd_index * 8) + ", in the second page, not entry " +
                      std::to_string(pgd_index - mmu::PTRS_PER_TABLE) + " of the first"});
  const level_t L = r.level;
  const bool leaf =
      r.fault == FaultKind::None || r.fault == FaultKind::Permission || r.fault == FaultKind::AccessFlag;
  if (leaf && L < mmu::kMaxLevel) {
    const std::string lv = std::to_string(L);
    const std::string block_hint = "missed that a block ends the walk: the level-" + lv +
                                   " entry is a block (bits [1:0] = 0b01), there is no level-" +
                                   std::to_string(L + 1) + " table below it";
    for (level_t deeper = L + 1; deeper <= mmu::kMaxLevel; ++deeper)
      mk.push_back({fault_answer("translation", deeper), block_hint});
  }
  if (r.fault == FaultKind::None) {
    const std::uint64_t low = (std::uint64_t{1} << r.block_shift) - 1;
    if (r.block_shift > mmu::PAGE_SHIFT)
      mk.push_back({pa_hex((r.pa & ~low) | (ipa & 0xFFF)), std::string("a ") + (L == 1 ? "1 GiB" : "2 MiB") +
                                                               " block maps " + (L == 1 ? "IPA[29:0]" : "IPA[20:0]") +
                                                               ": PA = block address + those bits, not only the "
                                                               "page offset IPA[11:0]"});
    mk.push_back({pa_hex(r.pa & ~low), "add the offset inside the page or block to its output address"});
    mk.push_back({pa_hex(r.pa & ~ipa_t{0xFFF}), "add the page offset IPA[11:0] to the page's output address"});
    const bool ro = r.leaf.s2ap() == desc::S2AP_RO;
    mk.push_back({fault_answer("permission", L), access == Access::Read
                                                     ? std::string("a read of a ") + mmu::s2ap_name(r.leaf.s2ap()) +
                                                           " leaf is allowed: S2AP bit 6 (read) is set"
                                                     : std::string("S2AP ") + (ro ? "0b01" : "0b11") +
                                                           " has bit 7 (write) set: writes are allowed"});
  }
  if (r.fault == FaultKind::Permission) {
    mk.push_back({pa_hex(mmu::translate(pt_, ipa, Access::Read).pa),
                  "this is a write and the leaf is read-only (S2AP 0b01: bit 7, write, is clear): a permission "
                  "fault at level " +
                      std::to_string(L) + ", no PA is produced"});
    mk.push_back({fault_answer("translation", L),
                  "the leaf is valid (bit 0 set): a valid entry that forbids the access gives a permission fault, "
                  "not a translation fault"});
  }
  if (r.fault == FaultKind::AccessFlag) {
    mk.push_back({pa_hex(r.leaf.output_address(geo_.oa_mask()) | (ipa & 0xFFF)),
                  "the leaf has AF = 0 (bit 10 clear): the first access takes an access-flag fault at level " +
                      std::to_string(L) + " (ARMv7 stage 2 never sets AF in hardware; KVM sets it on the fault)"});
    mk.push_back({fault_answer("translation", L), "the leaf is valid (bit 0 set) but AF (bit 10) is 0: an "
                                                  "access-flag fault, not a translation fault"});
    mk.push_back({fault_answer("permission", L), "the access-flag check comes before permissions: AF = 0 "
                                                 "faults first, whatever S2AP says"});
  }
  const S2Desc stop{mem_.load64(r.visited[r.nvisited - 1])};
  if (r.fault == FaultKind::Translation && L == mmu::kMaxLevel && stop.valid()) {
    const phys_addr_t oa = stop.output_address(geo_.oa_mask());
    mk.push_back({pa_hex(oa | (ipa & 0xFFF)), "the level-3 entry's bits [1:0] are 0b01: reserved at level 3 "
                                              "(blocks exist only at levels 1 and 2), so it is invalid: "
                                              "translation fault at level 3"});
    mk.push_back({pa_hex(oa | (ipa & (mmu::PMD_SIZE - 1))), "0b01 is a block only at levels 1 and 2; at level 3 "
                                                             "it is reserved: translation fault at level 3"});
  }
  if (r.fault == FaultKind::Translation)
    mk.push_back({fault_answer("permission", L), "the entry at level " + std::to_string(L) +
                                                     " is invalid (bit 0 clear): an invalid entry gives a "
                                                     "translation fault; permissions are only checked on a leaf"});

  // Index mistakes last: their results are often faults that other mistakes explain
  // better. A wrong PA pins the slip down; a fault could have other causes, so the
  // hint then says "probably".
  const std::string pmd_idx = "IPA[29:21] = " + std::to_string(bits9(ipa, 21));
  const std::string pte_idx = "IPA[20:12] = " + std::to_string(bits9(ipa, 12));
  auto index_slip = [&](ipa_t as_used, const std::string& hint) {
    const std::string got = alt(as_used);
    mk.push_back({got, (got.rfind("0x", 0) == 0 ? "" : "probably ") + hint});
  };
  index_slip(with_index(ipa, 21, bits9(ipa, 12)), "used the pmd index of the wrong level: the level-2 index is " +
                                                      pmd_idx + ", not IPA[20:12] (the level-3 index)");
  index_slip(with_index(ipa, 21, bits9(ipa, 30)), "used the pmd index of the wrong level: the level-2 index is " +
                                                      pmd_idx + ", not IPA[38:30] (level-1 bits)");
  index_slip(with_index(with_index(ipa, 21, bits9(ipa, 12)), 12, bits9(ipa, 21)),
             "swapped the indices: the level-2 (pmd) index is " + pmd_idx + ", the level-3 (pte) index " + pte_idx);
  index_slip(with_index(ipa, 12, bits9(ipa, 21)),
             "used the pte index of the wrong level: the level-3 index is " + pte_idx + ", not IPA[29:21]");

  const std::vector<Visit> walked = visits(r);
  q.explain = [walked](const AnswerValue& v) -> std::string {
    if (v.kind == AnswerValue::Kind::Fault) {
      const level_t asked = v.word.back() - '0';
      for (const Visit& w : walked)
        if (w.level == asked && S2Desc{w.raw}.valid() && w.level != walked.back().level)
          return "the level-" + std::to_string(asked) + " entry at " + pa_hex(w.pa) + " holds " + desc_hex(w.raw) +
                 ": valid, so the walk goes on past it";
      if (asked > walked.back().level || asked < walked.front().level)
        return "this walk never loads a level-" + std::to_string(asked) + " entry";
      return "the walk does stop at level " + std::to_string(asked) +
             ": recheck which fault that entry gives (invalid: translation; valid leaf that forbids the access: "
             "permission)";
    }
    return "not the PA this walk produces: take the index bits IPA[39:30], IPA[29:21], IPA[20:12] in turn, each "
           "entry 8 bytes, each table address is bits [39:12] of the entry above (type bits [1:0] cleared)";
  };
  p_.questions.push_back(std::move(q));
}

void WalkLab::add_loads_question(std::size_t k, ipa_t ipa, Access access) {
  const TranslateResult r = mmu::translate(pt_, ipa, access);
  const std::string n = std::to_string(r.nvisited);
  Question q;
  q.text = "how many descriptors does the hardware walk for q" + std::to_string(k + 1) + " (" +
           access_text(ipa, access) + ") load? (decimal)";
  q.accepts.number = true;
  q.answers = {n};
  q.steps.push_back("the walk of q" + std::to_string(k + 1) +
                    " loads one descriptor per level from level 1 to "
                    "level " +
                    std::to_string(r.level) + " (where it " +
                    (r.fault == FaultKind::Translation ? "meets an invalid entry" : "meets the leaf") + "): " + n);
  if (r.nvisited < 3)
    q.mistakes.push_back({"3", "the walk stops at the level-" + std::to_string(r.level) + " entry (" +
                                   (r.fault == FaultKind::Translation ? "invalid" : "a block ends the walk") +
                                   "): it is loaded, nothing below it"});
  q.mistakes.push_back({std::to_string(r.nvisited + 1),
                        "counted loads as if the pud were not folded: KVM's ARMv7 walks start at level 1 "
                        "(VTCR.SL0 = 1, pud folded into the pgd), so there is no level-0 load"});
  q.mistakes.push_back({std::to_string(r.nvisited - 1),
                        "the entry that ends the walk (the leaf, or the invalid entry) is loaded too: count it"});
  q.explain = [](const AnswerValue&) {
    return std::string("count one descriptor load per level, from level 1 down to the entry that ends the walk");
  };
  p_.questions.push_back(std::move(q));
}

}  // namespace walk

Problem make_walk_lab(const ProblemId& id) { return walk::WalkLab(id).make(); }

}  // namespace s2sim::sim::lab
