// Lab 3, the masked walk: one call of kvm_mmu_write_protect_pt_masked(kvm, slot,
// gfn_offset, mask) as get_dirty_log makes it for one BITS_PER_LONG-bit word (32 on
// ARMv7) of the dirty bitmap, on a memslot whose pages are all mapped read/write by
// 4 KiB ptes. What each walker protects, whether the 2014 patch's crosses_pmd is true,
// where the descriptors are, and how many upper-level (non-pte) loads each walker
// makes.
//
// Every answer comes from running the real walkers (mmu::make_wp_walker) on a
// freshly populated table with a CountingSink; crosses_pmd is read off the v4 walker
// itself (with a full mask it repeats the level-1 load for every bit exactly when
// crosses_pmd is true), so nothing here restates a walker's logic.
#include <algorithm>
#include <bit>
#include <memory>
#include <stdexcept>
#include <utility>

#include "mmu/access_sink.h"
#include "mmu/descriptor.h"
#include "mmu/granule.h"
#include "mmu/kvm.h"
#include "mmu/pgtable_accessors.h"
#include "mmu/wp_walker.h"
#include "sim/labs/lab_figures.h"
#include "sim/labs/lab_problems.h"
#include "sim/labs/lab_text.h"
#include "workloads/prng.h"

namespace s2sim::sim::lab {

namespace {

using mmu::gfn_t;
using mmu::ipa_t;
using mmu::phys_addr_t;
using mmu::S2Desc;
using workloads::Rng;
namespace desc = mmu::desc;

constexpr unsigned kBitsPerLong = 32;  // BITS_PER_LONG on ARMv7
using mmu::PMD_PAGES;                  // pages per 2 MiB pmd region

struct Call {
  gfn_t base_gfn = 0;
  std::uint64_t npages = 0;
  gfn_t gfn_offset = 0;
  std::uint64_t mask = 0;
  gfn_t gfnofst() const { return base_gfn + gfn_offset; }
};

// A VM with the call's memslot, every page mapped read/write by a pte: the state
// after a round in which the guest wrote everything (logging maps 4 KiB only).
struct PopulatedVm {
  explicit PopulatedVm(const Call& c) : kvm(mmu::KvmOptions{}) {
    const std::string err = kvm.memslots.add(0, c.base_gfn, c.npages, false, kvm.options.geometry.ipa_bits);
    if (!err.empty()) throw std::logic_error("lab 3 memslot: " + err);
    slot = kvm.memslots.by_id(0);
    for (gfn_t g = slot->base_gfn; g < slot->end_gfn(); ++g)
      kvm.pgtable.map_page(g << mmu::PAGE_SHIFT, kvm.gfn_to_pa(*slot, g), desc::PAGE_S2_ATTRS | desc::L_PTE_S2_RDWR);
  }
  mmu::Kvm kvm;
  mmu::Memslot* slot = nullptr;
};

struct Run {
  mmu::CountingSink sink;
  mmu::WpStats stats;
  std::vector<gfn_t> protected_gfns;  // ptes read-only after the call
  std::uint64_t hazards = 0;
  std::uint64_t upper() const { return sink.upper_level_loads(); }
};

Run run_walker(const Call& c, const std::string& name, std::uint64_t mask) {
  PopulatedVm vm(c);
  const std::unique_ptr<mmu::WpWalker> walker = mmu::make_wp_walker(name);
  if (!walker) throw std::logic_error("lab 3: no walker " + name);
  Run r;
  mmu::S2Walk walk(vm.kvm.pgtable, &r.sink, &vm.kvm.hazards, walker->name());
  walker->write_protect_masked(walk, *vm.slot, c.gfn_offset, mask, kBitsPerLong, r.stats);
  for (gfn_t g = vm.slot->base_gfn; g < vm.slot->end_gfn(); ++g) {
    const mmu::S2Lookup l = vm.kvm.pgtable.lookup(g << mmu::PAGE_SHIFT);
    if (l.mapped && mmu::kvm_s2pte_readonly(l.desc)) r.protected_gfns.push_back(g);
  }
  r.hazards = vm.kvm.hazards.total();
  return r;
}

std::string gfn_list(const std::vector<gfn_t>& gfns) {
  std::vector<std::string> s;
  for (gfn_t g : gfns) s.push_back(hex(g));
  return s.empty() ? "none" : join(s, ", ");
}

std::vector<unsigned> set_bits(std::uint64_t mask) {
  std::vector<unsigned> out;
  for (; mask; mask &= mask - 1) out.push_back(static_cast<unsigned>(std::countr_zero(mask)));
  return out;
}

// The call: scenario first (window crossing a 2 MiB boundary, unaligned but inside
// one region, or 2 MiB-aligned base), then a few set bits. Easy always takes the
// aligned base (no crossing), hard always a crossing window.
Call draw_call(Rng& rng, Level level) {
  Call c;
  const std::uint64_t k = rng.below(8);
  c.gfn_offset = kBitsPerLong * k;  // get_dirty_log hands out whole words
  // A 2 MiB boundary somewhere in the first 4 GiB of IPA, not at a 1 GiB boundary.
  const gfn_t gib = rng.below(4) * mmu::PUD_PAGES;
  const gfn_t boundary = gib + (1 + rng.below(500)) * PMD_PAGES;
  const unsigned drawn = static_cast<unsigned>(rng.below(10));
  const unsigned scenario = level == Level::Easy ? 9 : level == Level::Hard ? drawn % 5 : drawn;
  unsigned before = 0;  // window pages before the boundary, when crossing
  if (scenario < 5) {
    before = 1 + static_cast<unsigned>(rng.below(kBitsPerLong - 1));
    c.base_gfn = boundary - c.gfn_offset - before;
  } else if (scenario < 7) {
    const gfn_t start = boundary + kBitsPerLong * rng.below(15) + 1 + rng.below(kBitsPerLong - 1);
    c.base_gfn = start - c.gfn_offset;
  } else {
    c.base_gfn = boundary;
  }
  c.npages = c.gfn_offset + kBitsPerLong + rng.below(64);
  const unsigned nbits = 2 + static_cast<unsigned>(rng.below(5));
  if (before && rng.below(4) != 0) {  // usually set bits on both sides of the boundary
    c.mask |= std::uint64_t{1} << rng.below(before);
    c.mask |= std::uint64_t{1} << (before + rng.below(kBitsPerLong - before));
  }
  while (static_cast<unsigned>(std::popcount(c.mask)) < nbits) c.mask |= std::uint64_t{1} << rng.below(kBitsPerLong);
  return c;
}

class MaskedLab {
 public:
  explicit MaskedLab(const ProblemId& id)
      : rng_(workloads::derive_seed(id.seed, 3)),
        call_(draw_call(rng_, id.level)),
        vm_(call_),
        p_(start_problem(id, "the masked walk")) {
    for (const char* w : {"naive", "v4", "v4-fixed", "range"}) runs_.emplace_back(w, run_walker(call_, w, call_.mask));
    // crosses_pmd as the v4 walker decides it: with every bit set it repeats the upper
    // walk per bit if and only if crosses_pmd is true.
    const Run probe = run_walker(call_, "v4", (std::uint64_t{1} << kBitsPerLong) - 1);
    crosses_pmd_ = probe.sink.loads[1] > 1;
    for (const auto& [name, r] : runs_)
      if (r.hazards) throw std::logic_error("lab 3: walker " + name + " hit a hazard on a fully populated table");
  }

  Problem make() {
    write_setup();
    add_gfns_question();
    add_crosses_question();
    add_descriptor_questions();
    add_range_count_question();
    for (const auto& [name, r] : runs_) add_loads_question(name, r);
    // The word's window: show leaves the 2 MiB boundaries to the student (q2 asks
    // whether one is crossed); solve draws them with each page's pmd region.
    Window w{call_.gfnofst(), kBitsPerLong, call_.mask, false, {}};
    p_.figures.push_back(draw_window("lab3-window.svg", "the dirty-bitmap word's window", w));
    w.show_boundaries = true;
    p_.solved_figures.push_back(
        draw_window("lab3-window.svg", "the dirty-bitmap word's window and the 2 MiB boundaries", w));
    finalize(p_);
    return std::move(p_);
  }

 private:
  const Run& run(const std::string& name) const {
    for (const auto& [n, r] : runs_)
      if (n == name) return r;
    throw std::logic_error("lab 3: no run " + name);
  }
  ipa_t ipa_of(gfn_t g) const { return g << mmu::PAGE_SHIFT; }
  const mmu::S2PageTable& pt() const { return vm_.kvm.pgtable; }
  std::uint64_t word(phys_addr_t pa) const { return pt().mem().load64(pa); }
  gfn_t first_gfn() const { return call_.gfnofst() + static_cast<unsigned>(std::countr_zero(call_.mask)); }
  gfn_t last_gfn() const { return call_.gfnofst() + 63u - static_cast<unsigned>(std::countl_zero(call_.mask)); }
  // pmd regions touched by the set bits, as v4-fixed walked them (one pmd load each).
  std::uint64_t bit_regions() const { return run("v4-fixed").sink.loads[2]; }

  void write_setup() {
    const Call& c = call_;
    std::string& s = p_.setup;
    s = "A memslot of " + std::to_string(c.npages) + " pages at base_gfn " + hex(c.base_gfn) + " (IPA " +
        pa_hex(ipa_of(c.base_gfn)) +
        "). Every page is mapped\n"
        "read/write by a 4 KiB pte (while logging, KVM maps 4 KiB pages only). get_dirty_log found\n"
        "a non-zero word in the dirty bitmap and calls\n"
        "  kvm_mmu_write_protect_pt_masked(kvm, slot, gfn_offset = " +
        std::to_string(c.gfn_offset) + ", mask = " + hex(c.mask, 8) +
        ")\n"
        "  mask in binary, bit 31 first: " +
        mask_binary(c.mask, kBitsPerLong) +
        "\n"
        "BITS_PER_LONG is 32 on ARMv7: bit i of mask stands for gfn base_gfn + gfn_offset + i.\n\n"
        "The walkers (s2sim's names):\n"
        "  naive     a full walk (level-1 entry, pmd, pte) for every set bit\n"
        "  v4        the 2014 patch: one upper walk (level-1 entry, pmd) for the first set bit,\n"
        "            then for each further set bit the pmd again (pte_offset_kernel(pmd, ipa)\n"
        "            reads *pmd) and the pte -- unless crosses_pmd, when it walks the upper\n"
        "            levels again for every further set bit\n"
        "  v4-fixed  one upper walk for each 2 MiB (pmd) region the set bits touch\n"
        "  range     stage2_wp_range() over [__ffs(mask), __fls(mask)]\n\n";
    // The descriptors on the window's path: the level-1 entry and the pmd entries of
    // every 2 MiB region the 32-page window touches.
    const gfn_t w0 = c.gfnofst(), w1 = c.gfnofst() + kBitsPerLong - 1;
    const mmu::S2Lookup first = pt().lookup(ipa_of(w0));
    s += "The tables on the window's path (ARMv7 LPAE: level 1 = pgd with the pud folded, level 2 = pmd):\n";
    s += "  VTTBR = " + desc_hex(pt().vttbr()) + "\n";
    s += "  level-1 entry  " + pa_hex(first.visited[0]) + ": " + desc_hex(word(first.visited[0])) + "\n";
    nlohmann::json pmds = nlohmann::json::array();
    for (gfn_t g = w0; g <= w1; g = mmu::pmd_end_gfn(g)) {
      const mmu::S2Lookup l = pt().lookup(ipa_of(g));
      s += "  level-2 entry  " + pa_hex(l.visited[1]) + ": " + desc_hex(word(l.visited[1])) + "\n";
      pmds.push_back({{"pa", pa_hex(l.visited[1])}, {"value", desc_hex(word(l.visited[1]))}});
    }
    s += "(the pte tables they point to hold a valid read/write pte for every page of the slot)\n";
    p_.setup_json = {{"base_gfn", hex(c.base_gfn)},
                     {"npages", c.npages},
                     {"gfn_offset", c.gfn_offset},
                     {"mask", hex(c.mask, 8)},
                     {"bits_per_long", kBitsPerLong},
                     {"vttbr", desc_hex(pt().vttbr())},
                     {"level1_entry", {{"pa", pa_hex(first.visited[0])}, {"value", desc_hex(word(first.visited[0]))}}},
                     {"pmd_entries", pmds}};
  }

  void add_gfns_question() {
    const Call& c = call_;
    const std::vector<unsigned> bits = set_bits(c.mask);
    Question q;
    q.text = "which gfns does naive write-protect? (a list of gfns, hex or decimal, any order; a-b ranges allowed)";
    q.accepts.list = true;
    q.answers = {gfn_list(run("naive").protected_gfns)};
    std::vector<std::string> bit_names;
    for (unsigned b : bits) bit_names.push_back(std::to_string(b));
    q.steps = {"gfnofst = base_gfn + gfn_offset = " + hex(c.base_gfn) + " + " + std::to_string(c.gfn_offset) + " = " +
                   hex(c.gfnofst()) + "; bit i stands for gfn gfnofst + i",
               "set bits of " + hex(c.mask, 8) + ": " + join(bit_names, ", "),
               "naive protects exactly the pages of the set bits (each is mapped read/write): " + q.answers[0]};
    auto shifted = [&](auto f) {
      std::vector<gfn_t> g;
      for (unsigned b : bits) g.push_back(f(b));
      std::sort(g.begin(), g.end());
      return gfn_list(g);
    };
    q.mistakes = {
        {shifted([&](unsigned b) { return c.gfnofst() + (kBitsPerLong - 1 - b); }),
         "bits are numbered from the least significant end: bit 0 is mask & 1, the first page of the window"},
        {shifted([&](unsigned b) { return c.base_gfn + b; }),
         "forgot gfn_offset: bit i stands for base_gfn + gfn_offset + i (gfn_offset = word index x 32)"},
        {shifted([&](unsigned b) { return c.gfn_offset + b; }),
         "forgot base_gfn: bit i stands for base_gfn + gfn_offset + i, the bitmap is relative to the memslot"},
        {shifted([&](unsigned b) { return c.gfnofst() + b + 1; }), "bits count from 0: bit 0 is gfn gfnofst itself"},
        {gfn_list(run("range").protected_gfns),
         "that is what range protects (every page from the first to the last set bit); naive protects exactly the "
         "pages whose bit is set"},
    };
    const std::vector<gfn_t> want = run("naive").protected_gfns;
    q.explain = [want](const AnswerValue& v) {
      std::size_t hit = 0;
      for (std::uint64_t g : v.list) hit += std::binary_search(want.begin(), want.end(), g);
      return std::to_string(hit) + " of your " + std::to_string(v.list.size()) + " gfns are right, " +
             std::to_string(want.size()) + " are protected; bit i of mask stands for gfn base_gfn + gfn_offset + i";
    };
    p_.questions.push_back(std::move(q));
  }

  void add_crosses_question() {
    const Call& c = call_;
    const ipa_t offset_ipa = ipa_of(c.gfnofst());
    const ipa_t next = ipa_of(c.gfnofst() + kBitsPerLong - 1);
    Question q;
    q.text = "is crosses_pmd true in v4 for this call? (true or false)";
    q.accepts.words = {{"true", "yes", "1"}, {"false", "no", "0"}};
    q.answers = {crosses_pmd_ ? "true" : "false"};
    q.steps = {"offset_ipa = gfnofst << 12 = " + pa_hex(offset_ipa) + ", next = (gfnofst + 31) << 12 = " + pa_hex(next),
               "their pmds (IPA & PMD_MASK): " + pa_hex(offset_ipa & mmu::PMD_MASK) + " and " + pa_hex(next & mmu::PMD_MASK) +
                   (crosses_pmd_ ? ": different, crosses_pmd = true" : ": the same, crosses_pmd = false")};
    std::string hint;
    if (crosses_pmd_ && bit_regions() == 1)
      hint =
          "crosses_pmd looks at the whole 32-page window [gfnofst, gfnofst + 31], not only at the set bits: "
          "offset_ipa and next lie in different 2 MiB regions";
    else if (crosses_pmd_)
      hint =
          "offset_ipa (gfnofst << 12) and next ((gfnofst + 31) << 12) lie in different 2 MiB regions: IPA & "
          "PMD_MASK differs";
    else if (!mmu::pmd_aligned(c.base_gfn))
      hint = "base_gfn is not 2 MiB aligned, but this window [" + hex(c.gfnofst()) + ", " +
             hex(c.gfnofst() + kBitsPerLong - 1) + "] still lies inside one 2 MiB region";
    else
      hint =
          "base_gfn is 2 MiB aligned and gfn_offset a multiple of 32: a 32-page window never straddles a 2 MiB "
          "boundary";
    q.mistakes = {{crosses_pmd_ ? "false" : "true", "wrong crosses_pmd: " + hint}};
    p_.questions.push_back(std::move(q));
  }

  void add_descriptor_questions() {
    const gfn_t g = last_gfn(), g0 = first_gfn();
    const mmu::S2Lookup l = pt().lookup(ipa_of(g));
    const mmu::S2Lookup l0 = pt().lookup(ipa_of(g0));
    const std::uint64_t l1 = word(l.visited[0]), pmd = word(l.visited[1]);
    const phys_addr_t pmd_table = S2Desc{l1}.output_address(), pte_table = S2Desc{pmd}.output_address();
    const phys_addr_t pte_table0 = S2Desc{word(l0.visited[1])}.output_address();
    const std::uint64_t pmd_index = mmu::pmd_index(ipa_of(g)), pte_index = mmu::pte_index(ipa_of(g));
    const bool crossed = l.visited[1] != l0.visited[1];
    const std::string first_pmd_hint =
        "you used the pmd index of the first page for the second: this window crosses a "
        "pmd (gfn " +
        hex(g0) + " and gfn " + hex(g) + " are in different 2 MiB regions)";
    const std::string type_bits_hint =
        "clear the type bits [1:0] first: the next table's address is bits [39:12] of "
        "the entry (...003 -> ...000)";
    {
      Question q;
      q.text = "gfn " + hex(g) +
               " is the last set bit's page: where is the level-2 (pmd) entry a walk for it "
               "loads? (its physical address, hex)";
      q.accepts.number = true;
      q.answers = {pa_hex(l.visited[1])};
      q.steps = {"IPA = gfn << 12 = " + pa_hex(ipa_of(g)) + "; the level-1 entry holds " + desc_hex(l1) +
                     ": the pmd table is at " + pa_hex(pmd_table),
                 "pmd_index = IPA[29:21] = " + std::to_string(pmd_index) + " -> " + pa_hex(pmd_table) + " + " +
                     std::to_string(pmd_index) + " x 8 = " + pa_hex(l.visited[1])};
      if (crossed) q.mistakes.push_back({pa_hex(l0.visited[1]), first_pmd_hint});
      q.mistakes.push_back({pa_hex(l1 + pmd_index * 8), type_bits_hint});
      q.mistakes.push_back({pa_hex(pmd_table + (ipa_of(g) >> mmu::PMD_SHIFT) * 8),
                            "pmd_index() is IPA[29:21], 9 bits: the bits above 29 index the level-1 table"});
      q.mistakes.push_back({pa_hex(pmd_table + pmd_index), "each descriptor is 8 bytes: add pmd_index x 8"});
      q.mistakes.push_back(
          {pa_hex(l.visited[0]), "that is the level-1 entry; the pmd entry is in the table it points to"});
      q.explain = [](const AnswerValue&) {
        return std::string(
            "pmd entry = (level-1 entry with bits [11:0] cleared) + pmd_index x 8, pmd_index = "
            "IPA[29:21]");
      };
      p_.questions.push_back(std::move(q));
    }
    {
      Question q;
      q.text = "where is the pte that maps gfn " + hex(g) + "? (its physical address, hex)";
      q.accepts.number = true;
      q.answers = {pa_hex(l.visited[2])};
      q.steps = {"the pmd entry " + pa_hex(l.visited[1]) + " holds " + desc_hex(pmd) + ": the pte table is at " +
                     pa_hex(pte_table),
                 "pte_index = IPA[20:12] = gfn & 511 = " + std::to_string(pte_index) + " -> " + pa_hex(pte_table) +
                     " + " + std::to_string(pte_index) + " x 8 = " + pa_hex(l.visited[2])};
      if (crossed) q.mistakes.push_back({pa_hex(pte_table0 + pte_index * 8), first_pmd_hint});
      q.mistakes.push_back({pa_hex(pmd + pte_index * 8), type_bits_hint});
      q.mistakes.push_back({pa_hex(pte_table + (g - call_.gfnofst()) * 8),
                            "pte_index() is IPA[20:12] (gfn & 511), not the bit number in the mask"});
      q.mistakes.push_back({pa_hex(pte_table + pte_index), "each descriptor is 8 bytes: add pte_index x 8"});
      q.explain = [](const AnswerValue&) {
        return std::string("pte = (pmd entry with bits [11:0] cleared) + pte_index x 8, pte_index = IPA[20:12]");
      };
      p_.questions.push_back(std::move(q));
    }
  }

  void add_range_count_question() {
    const Call& c = call_;
    const Run& r = run("range");
    const unsigned lo = static_cast<unsigned>(std::countr_zero(c.mask));
    const unsigned hi = 63u - static_cast<unsigned>(std::countl_zero(c.mask));
    Question q;
    q.text = "how many ptes does range write-protect? (decimal)";
    q.accepts.number = true;
    q.answers = {std::to_string(r.stats.ptes_write_protected)};
    q.steps = {"range protects [__ffs(mask), __fls(mask)] = bits " + std::to_string(lo) + " to " + std::to_string(hi) +
                   " = gfns " + hex(first_gfn()) + " to " + hex(last_gfn()),
               "every pte there is present and read/write, clean pages between the set bits included: " + q.answers[0]};
    q.mistakes = {
        {std::to_string(std::popcount(c.mask)),
         "range protects every present pte in [__ffs, __fls], the clean pages between the set bits too"},
        {std::to_string(hi - lo), "off by one: [__ffs(mask), __fls(mask)] includes both ends"},
        {std::to_string(kBitsPerLong), "range stops at the last set bit: [__ffs, __fls], not the whole word"},
    };
    p_.questions.push_back(std::move(q));
  }

  void add_loads_question(const std::string& name, const Run& r) {
    const std::uint64_t l1 = r.sink.loads[1], l2 = r.sink.loads[2], l3 = r.sink.loads[3];
    const auto n = [](std::uint64_t v) { return std::to_string(v); };
    const std::uint64_t bits = static_cast<std::uint64_t>(std::popcount(call_.mask));
    Question q;
    q.text = "how many upper-level (level-1 and pmd, not pte) descriptor loads does " + name + " make? (decimal)";
    q.accepts.number = true;
    q.answers = {n(r.upper())};
    std::string why;
    if (name == "naive")
      why = "a full walk per set bit: " + n(bits) + " walks x 2 upper loads";
    else if (name == "v4" && crosses_pmd_)
      why = "crosses_pmd is true: the upper walk is repeated for every set bit";
    else if (name == "v4")
      why = "crosses_pmd is false: the level-1 entry once for the whole call, and the pmd once per set bit (" +
            n(bits) + "): the loop's pte_offset_kernel(pmd, ipa) reads *pmd on every pass";
    else if (name == "v4-fixed")
      why = "one upper walk per 2 MiB region the set bits touch (" + n(l2) + ")";
    else
      why = "stage2_wp_range: the level-1 entry once (the pud is folded into it), then every pmd in [__ffs, __fls] (" +
            n(l2) + ")";
    q.steps = {why, "level-1 loads " + n(l1) + " + pmd loads " + n(l2) + " = " + q.answers[0] + " (the " + n(l3) +
                        " pte loads do not count)"};
    const std::string folded =
        "counted loads as if the pud were not folded: on ARMv7 LPAE pud_offset() returns the "
        "level-1 entry itself and pgd_present() reads nothing, so an upper walk is 2 loads "
        "(level-1 entry, pmd), not 3";
    q.mistakes.push_back({n(r.upper() + l1), folded});
    q.mistakes.push_back({n(r.upper() + l3), "pte (level-3) loads are not upper-level loads"});
    const Run& naive = run("naive");
    const Run& fixed = run("v4-fixed");
    const Run& v4 = run("v4");
    const std::uint64_t one_walk = naive.upper() / bits;
    if (name == "naive") {
      q.mistakes.push_back({n(one_walk), "naive shares nothing between pages: a full walk for every set bit"});
      q.mistakes.push_back({n(bits), "each naive walk loads two upper descriptors: the level-1 entry and the pmd"});
    } else if (name == "v4" && crosses_pmd_) {
      q.mistakes.push_back({n(one_walk),
                            "crosses_pmd is true: v4 redoes the upper walk for every set bit after the "
                            "first, not once per call"});
      q.mistakes.push_back({n(fixed.upper()),
                            "one upper walk per pmd region is v4-fixed; v4 with crosses_pmd true "
                            "walks the upper levels for every set bit"});
    } else if (name == "v4") {
      q.mistakes.push_back({n(naive.upper()),
                            "crosses_pmd is false: v4 reads the level-1 entry once for the whole call; only the "
                            "pmd is read again for every set bit"});
      q.mistakes.push_back({n(one_walk),
                            "pte_offset_kernel(pmd, ipa) is pmd_page_vaddr(*(pmd)) + pte_index(ipa) on ARM: "
                            "each pass of the loop reads the pmd entry again (the pte store before it keeps "
                            "the compiler from reusing it), so the pmd is loaded once per set bit"});
    } else if (name == "v4-fixed") {
      q.mistakes.push_back({n(v4.upper()),
                            "v4-fixed walks the upper levels once per 2 MiB region the set bits touch, "
                            "whatever crosses_pmd says"});
      q.mistakes.push_back({n(naive.upper()), "v4-fixed does not walk per set bit: once per 2 MiB region"});
      if (bit_regions() == 1 && crosses_pmd_)
        q.mistakes.push_back({n(2 * one_walk),
                              "the window crosses a pmd but the set bits do not: v4-fixed walks per "
                              "region of the set bits, one here"});
      if (bit_regions() == 2)
        q.mistakes.push_back({n(one_walk), "the set bits lie in two 2 MiB regions: one upper walk each"});
    } else {
      q.mistakes.push_back({n(2 * l2),
                            "stage2_wp_range loads the level-1 entry once for the whole range, then one pmd "
                            "per 2 MiB region in [__ffs, __fls]"});
      q.mistakes.push_back({n(naive.upper()), "range walks [__ffs, __fls] once, not once per set bit"});
    }
    q.explain = [](const AnswerValue&) {
      return std::string(
          "count the level-1 and level-2 descriptor loads only; on ARMv7 an upper walk is the level-1 "
          "entry (pud folded) plus the pmd");
    };
    p_.questions.push_back(std::move(q));
  }

  Rng rng_;
  Call call_;
  PopulatedVm vm_;
  std::vector<std::pair<std::string, Run>> runs_;
  bool crosses_pmd_ = false;
  Problem p_;
};

}  // namespace

Problem make_masked_lab(const ProblemId& id) { return MaskedLab(id).make(); }

}  // namespace s2sim::sim::lab
