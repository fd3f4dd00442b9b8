// Lab 2, walk the tables: a small stage-2 tree built with S2PageTable on the ARMv7
// LPAE geometry KVM/ARM uses (40-bit IPA, walks start at level 1, 1024-entry pgd in
// two concatenated 4 KiB pages, pud folded), shown as a memory dump the way a
// debugger would show it. The student walks it by hand, as the hardware does (ARM
// ARM DDI 0406C.d B3.6, "Long-descriptor translation table format") and as the
// kernel's pgd_offset()/pmd_offset()/pte_offset_kernel() do in software.
//
// Every answer is mmu::translate() on that tree. The typical mistakes are computed
// the same way: translate() of the IPA a student effectively used (the pgd index
// taken mod 512, the pmd index taken from the wrong bits, ...), so a hint fires
// exactly when the answer is what that mistake produces on this tree.
#include <algorithm>
#include <optional>
#include <utility>

#include "mmu/descriptor.h"
#include "mmu/geometry.h"
#include "mmu/hw_walk.h"
#include "mmu/phys_mem.h"
#include "mmu/s2_pgtable.h"
#include "sim/labs/lab_problems.h"
#include "sim/labs/lab_text.h"
#include "workloads/prng.h"

namespace s2sim::sim::lab {

namespace {

using mmu::Access;
using mmu::DescType;
using mmu::FaultKind;
using mmu::Geometry;
using mmu::ipa_t;
using mmu::level_t;
using mmu::phys_addr_t;
using mmu::S2Desc;
using mmu::S2PageTable;
using mmu::TranslateResult;
using workloads::Rng;
namespace desc = mmu::desc;

constexpr ipa_t kGiB = ipa_t{1} << 30;
constexpr ipa_t k2MiB = ipa_t{1} << 21;

// What was mapped, to draw the accesses from.
struct Mapped {
  std::vector<ipa_t> pages;        // every 4 KiB page
  std::vector<ipa_t> pages_rw;     // of those, read/write
  std::vector<ipa_t> pages_ro;     // read-only
  std::vector<ipa_t> pages_high;   // pages behind pgd entries 512-1023
  std::vector<ipa_t> pte_regions;  // 2 MiB regions with a pte table
  std::vector<ipa_t> pmd_regions;  // 1 GiB regions with a pmd table
  ipa_t block2m = 0;
  std::optional<ipa_t> block1g;
  std::vector<std::uint64_t> pgd_used;
};

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
  const ipa_t mask = ipa_t{0x1FF} << lo;
  return (ipa & ~mask) | ((v & 0x1FF) << lo);
}
std::uint64_t bits9(ipa_t ipa, unsigned lo) { return (ipa >> lo) & 0x1FF; }

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

struct Visit {
  level_t level;
  phys_addr_t pa;
  std::uint64_t raw;
};

class WalkLab {
 public:
  explicit WalkLab(std::uint64_t seed)
      : rng_(workloads::derive_seed(seed, 2)), geo_(Geometry::armv7_lpae()), pt_(mem_, geo_, pick_vmid()) {
    p_.lab = 2;
    p_.seed = seed;
    p_.title = "walk the tables";
    build_tree();
  }

  Problem make() {
    const auto accesses = pick_accesses();
    write_setup(accesses);
    for (std::size_t i = 0; i < accesses.size(); ++i) add_access_question(accesses[i].first, accesses[i].second);
    const std::size_t k = rng_.below(accesses.size());
    add_loads_question(k, accesses[k].first, accesses[k].second);
    finalize(p_);
    return std::move(p_);
  }

 private:
  std::uint16_t pick_vmid() { return static_cast<std::uint16_t>(1 + rng_.below(255)); }

  std::uint64_t attrs(bool writable) const { return desc::PAGE_S2_ATTRS | (writable ? desc::L_PTE_S2_RDWR : 0); }

  phys_addr_t page_pa() { return (0x100000 + rng_.below(0x100000)) << 12; }  // 4-8 GiB: guest RAM

  std::vector<std::uint64_t> distinct(std::size_t n, std::uint64_t below, std::vector<std::uint64_t> avoid = {}) {
    std::vector<std::uint64_t> out;
    while (out.size() < n) {
      const std::uint64_t v = rng_.below(below);
      if (std::find(out.begin(), out.end(), v) == out.end() && std::find(avoid.begin(), avoid.end(), v) == avoid.end())
        out.push_back(v);
    }
    return out;
  }

  void map_pte_table(ipa_t region2m) {
    m_.pte_regions.push_back(region2m);
    bool any_ro = false;
    const auto idx = distinct(2 + rng_.below(3), 512);
    for (std::size_t i = 0; i < idx.size(); ++i) {
      // The first page of the first table is read-only so every tree has one to write to.
      const bool writable = (m_.pte_regions.size() == 1 && i == 0) ? false : rng_.below(2) == 0;
      any_ro = any_ro || !writable;
      const ipa_t ipa = region2m + (idx[i] << 12);
      pt_.map_page(ipa, page_pa(), attrs(writable));
      m_.pages.push_back(ipa);
      (writable ? m_.pages_rw : m_.pages_ro).push_back(ipa);
      if (geo_.index(1, ipa) >= 512) m_.pages_high.push_back(ipa);
    }
  }

  void build_tree() {
    // Two 1 GiB regions with pmd tables; the second is usually behind pgd entry 512 or
    // more, in the second page of the concatenated pgd.
    const std::uint64_t lo = rng_.below(512);
    const std::uint64_t hi = rng_.below(4) != 0 ? 512 + rng_.below(512) : distinct(1, 512, {lo})[0];
    m_.pgd_used = {lo, hi};
    const bool block_in_lo = rng_.below(2) == 0;
    for (const std::uint64_t g : {lo, hi}) {
      const ipa_t region = g * kGiB;
      m_.pmd_regions.push_back(region);
      const bool with_block = (g == lo) == block_in_lo;
      const auto pmd = distinct(with_block ? 2 + rng_.below(2) : 1 + rng_.below(2), 512);
      for (std::size_t i = 0; i < pmd.size(); ++i) {
        if (with_block && i == 0) {
          m_.block2m = region + pmd[i] * k2MiB;
          const phys_addr_t pa = (0x800 + rng_.below(0x800)) << 21;  // 4-8 GiB, 2 MiB aligned
          pt_.map_block(m_.block2m, pa, 2, attrs(rng_.below(2) == 0));
        } else {
          map_pte_table(region + pmd[i] * k2MiB);
        }
      }
    }
    // Sometimes a 1 GiB block as well: a walk that ends at level 1.
    if (rng_.below(3) == 0) {
      const std::uint64_t g = distinct(1, 1024, m_.pgd_used)[0];
      m_.pgd_used.push_back(g);
      m_.block1g = g * kGiB;
      pt_.map_block(*m_.block1g, (8 + rng_.below(56)) * kGiB, 1, attrs(rng_.below(2) == 0));
    }
  }

  template <typename V>
  const typename V::value_type& any(const V& v) {
    return v[rng_.below(v.size())];
  }
  ipa_t offset() { return rng_.below(4096) & ~ipa_t{3}; }
  Access read_or_write() { return rng_.below(2) == 0 ? Access::Read : Access::Write; }

  // One candidate access of a category, or nothing if the tree has none.
  std::optional<std::pair<ipa_t, Access>> candidate(int category) {
    switch (category) {
      case 0:  // a mapped page, read
        return std::pair{any(m_.pages) + offset(), Access::Read};
      case 1:  // a read/write page, written
        if (m_.pages_rw.empty()) return std::nullopt;
        return std::pair{any(m_.pages_rw) + offset(), Access::Write};
      case 2:  // a read-only page, written: a permission fault
        return std::pair{any(m_.pages_ro) + offset(), Access::Write};
      case 3:  // inside the 2 MiB block
        return std::pair{m_.block2m + (rng_.below(512) << 12) + offset(), read_or_write()};
      case 4:  // a hole in a pte table
        for (;;) {
          const ipa_t ipa = any(m_.pte_regions) + (rng_.below(512) << 12);
          const mmu::S2Lookup l = pt_.lookup(ipa);
          if (!l.mapped && l.level == 3) return std::pair{ipa + offset(), read_or_write()};
        }
      case 5:  // a hole in a pmd table
        for (;;) {
          const ipa_t ipa = any(m_.pmd_regions) + rng_.below(512) * k2MiB + (rng_.below(512) << 12);
          const mmu::S2Lookup l = pt_.lookup(ipa);
          if (!l.mapped && l.level == 2) return std::pair{ipa + offset(), read_or_write()};
        }
      case 6: {  // a hole in the pgd, often 512 entries away from a used one
        std::uint64_t g = rng_.below(1024);
        if (rng_.below(2) == 0) g = m_.pgd_used[0] ^ 512;
        const ipa_t ipa = g * kGiB + rng_.below(512) * k2MiB + (rng_.below(512) << 12);
        const mmu::S2Lookup l = pt_.lookup(ipa);
        if (l.mapped || l.level != 1) return std::nullopt;
        return std::pair{ipa + offset(), read_or_write()};
      }
      case 7:  // a page behind the second pgd page
        if (m_.pages_high.empty()) return std::nullopt;
        return std::pair{any(m_.pages_high) + offset(), read_or_write()};
      case 8:  // inside the 1 GiB block
        if (!m_.block1g) return std::nullopt;
        return std::pair{*m_.block1g + (rng_.below(1u << 18) << 12) + offset(), read_or_write()};
    }
    return std::nullopt;
  }

  // Four accesses: always the 2 MiB block, a page behind the second pgd page when the
  // tree has one, at least one fault, the rest drawn from what is left.
  std::vector<std::pair<ipa_t, Access>> pick_accesses() {
    std::vector<int> chosen = {3};
    if (!m_.pages_high.empty()) chosen.push_back(7);
    const int faults[] = {2, 4, 5, 6};
    chosen.push_back(faults[rng_.below(4)]);
    std::vector<std::pair<ipa_t, Access>> out;
    auto take = [&](int c) {
      for (int tries = 0; tries < 8; ++tries) {
        auto a = candidate(c);
        if (!a) continue;
        bool dup = false;
        for (const auto& o : out) dup = dup || (o.first >> 12) == (a->first >> 12);
        if (!dup) {
          out.push_back(*a);
          return true;
        }
      }
      return false;
    };
    for (int c : chosen) take(c);
    std::vector<int> rest;
    for (int c = 0; c <= 8; ++c)
      if (std::find(chosen.begin(), chosen.end(), c) == chosen.end()) rest.push_back(c);
    while (out.size() < 4 && !rest.empty()) {
      const std::size_t i = rng_.below(rest.size());
      const int c = rest[i];
      rest.erase(rest.begin() + static_cast<std::ptrdiff_t>(i));
      take(c);
    }
    while (out.size() < 4) take(0);
    for (std::size_t i = out.size() - 1; i > 0; --i) std::swap(out[i], out[rng_.below(i + 1)]);
    return out;
  }

  // Every table frame, in address order: the two pgd pages and each table below.
  std::vector<phys_addr_t> table_frames() const {
    std::vector<phys_addr_t> frames;
    for (unsigned i = 0; i < geo_.start_table_pages(); ++i) frames.push_back(pt_.pgd_pa() + i * mmu::PAGE_SIZE);
    for (std::size_t f = 0; f < frames.size(); ++f) {
      const level_t level = frames[f] - pt_.pgd_pa() < geo_.start_table_pages() * mmu::PAGE_SIZE
                                ? geo_.start_level
                                : mem_.table_info(frames[f]).level;
      if (level >= mmu::kMaxLevel) continue;
      const std::uint64_t* w = mem_.table_words(frames[f]);
      for (unsigned i = 0; i < mmu::PTRS_PER_TABLE; ++i)
        if (S2Desc{w[i]}.type(level) == DescType::Table) frames.push_back(S2Desc{w[i]}.output_address(geo_.oa_mask()));
    }
    std::sort(frames.begin(), frames.end());
    return frames;
  }

  void write_setup(const std::vector<std::pair<ipa_t, Access>>& accesses) {
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
    s += "\nQuestions 1-4 are guest accesses, each on its own (no TLB, no walk cache). Answer each with\n"
         "the PA it reaches (hex), or the fault it takes: \"translation fault at level N\" or\n"
         "\"permission fault at level N\".\n";
    nlohmann::json acc = nlohmann::json::array();
    for (std::size_t i = 0; i < accesses.size(); ++i) {
      acc.push_back({{"question", "q" + std::to_string(i + 1)},
                     {"access", accesses[i].second == Access::Read ? "read" : "write"},
                     {"ipa", pa_hex(accesses[i].first)}});
    }
    p_.setup_json = {{"geometry", geo_.name}, {"vttbr", desc_hex(pt_.vttbr())}, {"frames", frames}, {"accesses", acc}};
  }

  std::vector<Visit> visits(const TranslateResult& r) const {
    std::vector<Visit> v;
    for (unsigned i = 0; i < r.nvisited; ++i)
      v.push_back({r.visited_level[i], r.visited[i], mem_.load64(r.visited[i])});
    return v;
  }

  std::vector<std::string> walk_steps(ipa_t ipa, Access access, const TranslateResult& r) const {
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

  std::string access_text(ipa_t ipa, Access access) const {
    return std::string(access == Access::Read ? "read" : "write") + " of IPA " + pa_hex(ipa);
  }

  void add_access_question(ipa_t ipa, Access access) {
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
      mk.push_back({alt(ipa - mmu::PTRS_PER_TABLE * kGiB),
                    "forgot the concatenated pgd: the level-1 index IPA[39:30] = " + std::to_string(pgd_index) +
                        " is 512 or more; the pgd is two concatenated 4 KiB pages (1024 entries), so the entry is " +
                        pa_hex(pt_.pgd_pa()) + " + " + std::to_string(pgd_index) +
                        " x 8 = " + pa_hex(pt_.pgd_pa() + pgd_index * 8) + ", in the second page, not entry " +
                        std::to_string(pgd_index - 512) + " of the first"});
    const level_t L = r.level;
    const bool leaf = r.fault == FaultKind::None || r.fault == FaultKind::Permission;
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

  void add_loads_question(std::size_t k, ipa_t ipa, Access access) {
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

  Rng rng_;
  Geometry geo_;
  mmu::PhysMem mem_;
  S2PageTable pt_;
  Mapped m_;
  Problem p_;
};

}  // namespace

Problem make_walk_lab(std::uint64_t seed) { return WalkLab(seed).make(); }

}  // namespace s2sim::sim::lab
