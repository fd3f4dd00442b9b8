// Lab 5, find the bug: one call of kvm_mmu_write_protect_pt_masked() by the 2014 seed
// patch's v4 walker (mmu/wp_v4.cpp) on a table state where one of its latent bugs
// bites (the hazards of mmu/hazard.h):
//   walk_non_present  the window does not cross a pmd and the host unmapped the pmd
//                     after the bits were set: v4 never checks it and takes a pte-table
//                     address from the empty entry;
//   block_as_table    a hugepage slot keeps its 2 MiB blocks while logging
//                     (block_policy keep): v4 takes the block's output address for a
//                     pte table, scribbles S2AP bits into guest data and leaves the
//                     block writable;
//   wrong_table_wp    the window crosses a pmd and the first set bit's pmd was
//                     unmapped: v4 falls back to next's pmd but indexes its pte table
//                     with the first bit's IPA, protecting an unrelated page.
// The state is built the way the kernel gets there (memslot, dirty logging, guest
// faults through kvm_handle_guest_abort, host unmaps through the MMU-notifier path),
// the word handed to the walker is the dirty bitmap's own, and every answer comes
// from running v4 and v4-fixed on identical copies: hazards from the HazardLog, the
// damage from comparing the tables. v4-fixed must report no hazard at all -- that is
// the check that the fix the student picks is the one that works.
#include <algorithm>
#include <bit>
#include <memory>
#include <stdexcept>
#include <utility>

#include "mmu/access_sink.h"
#include "mmu/descriptor.h"
#include "mmu/dirty_log.h"
#include "mmu/fault_handler.h"
#include "mmu/kvm.h"
#include "mmu/pgtable_accessors.h"
#include "mmu/wp_v4_statements.h"
#include "mmu/wp_walker.h"
#include "sim/labs/lab_choice.h"
#include "sim/labs/lab_problems.h"
#include "sim/labs/lab_text.h"
#include "workloads/prng.h"

namespace s2sim::sim::lab {

namespace {

using mmu::gfn_t;
using mmu::HazardKind;
using mmu::ipa_t;
using mmu::phys_addr_t;
using mmu::S2Desc;
using mmu::V4Statement;
using mmu::WalkerStatement;
using workloads::Rng;

constexpr unsigned kBitsPerLong = 32;
constexpr gfn_t kPmdPages = 512;

enum class Bug { NonPresent, Block, WrongTable };

const char* hazard_name(Bug b) {
  switch (b) {
    case Bug::NonPresent:
      return "walk_non_present";
    case Bug::Block:
      return "block_as_table";
    case Bug::WrongTable:
      return "wrong_table_wp";
  }
  return "";
}

ipa_t ipa_of(gfn_t g) { return g << mmu::PAGE_SHIFT; }

// What happened to the VM before the call, in order; replayed on every copy.
struct Event {
  enum class Kind { TouchBeforeLogging, EnableLogging, Read, Write, UnmapPmd } kind;
  gfn_t gfn = 0;
  std::uint64_t count = 1;  // Read/Write: consecutive gfns
};

struct Scenario {
  Bug bug = Bug::NonPresent;
  gfn_t base = 0;
  std::uint64_t npages = 0;
  bool hugepages = false;
  std::vector<Event> events;
  gfn_t gfn_offset = 0;  // the word handed to the walker: gfn_offset / 32
};

// A 2 MiB region start in the first 4 GiB of IPA, never at a 1 GiB boundary (so
// that next's pmd hangs off the same level-1 entry: wp_v4.cpp note 3 is another lab).
gfn_t draw_region(Rng& rng) {
  for (;;) {
    const gfn_t r = 512 + rng.below(1500);
    if (r % 512 != 0 && (r + 1) % 512 != 0) return r * kPmdPages;
  }
}

std::vector<unsigned> draw_bits(Rng& rng, unsigned lo, unsigned hi, unsigned n) {
  n = std::min(n, hi - lo);
  std::vector<unsigned> bits;
  while (bits.size() < n) {
    const unsigned b = lo + static_cast<unsigned>(rng.below(hi - lo));
    if (std::find(bits.begin(), bits.end(), b) == bits.end()) bits.push_back(b);
  }
  std::sort(bits.begin(), bits.end());
  return bits;
}

Scenario draw_scenario(Rng& rng) {
  Scenario s;
  s.bug = static_cast<Bug>(rng.below(3));
  using K = Event::Kind;
  switch (s.bug) {
    case Bug::NonPresent: {
      // Slot base a multiple of 32 pages: no window crosses a pmd, crosses_pmd is false.
      const gfn_t region = draw_region(rng);
      const std::uint64_t k = rng.below(16), j = rng.below(16);
      s.base = region - 32 * k;
      s.npages = 32 * k + kPmdPages + 32 * rng.below(16);
      s.gfn_offset = 32 * k + 32 * j;
      const gfn_t w0 = s.base + s.gfn_offset;
      s.events.push_back({K::EnableLogging});
      s.events.push_back({K::Read, w0, kBitsPerLong});  // the guest reads the window: read-only ptes
      for (unsigned b : draw_bits(rng, 0, kBitsPerLong, 2 + static_cast<unsigned>(rng.below(5))))
        s.events.push_back({K::Write, w0 + b});
      s.events.push_back({K::UnmapPmd, w0 + rng.below(kBitsPerLong)});
      break;
    }
    case Bug::Block: {
      // A hugepage slot of whole 2 MiB regions; one is mapped by a block before logging.
      const gfn_t region = draw_region(rng);
      const std::uint64_t m = rng.below(2), regions = m + 1 + rng.below(3);
      s.base = region - kPmdPages * m;
      s.npages = kPmdPages * regions;
      s.hugepages = true;
      const std::uint64_t j = rng.below(kPmdPages / kBitsPerLong);
      s.gfn_offset = kPmdPages * m + kBitsPerLong * j;
      s.events.push_back({K::TouchBeforeLogging, region + rng.below(kPmdPages)});
      s.events.push_back({K::EnableLogging});
      s.events.push_back({K::Write, region + rng.below(kPmdPages)});
      break;
    }
    case Bug::WrongTable: {
      // The window straddles the pmd boundary b: `before` pages below it.
      const gfn_t b = draw_region(rng);
      const unsigned before = 1 + static_cast<unsigned>(rng.below(kBitsPerLong - 1));
      const gfn_t w0 = b - before;
      const std::uint64_t k = rng.below(8);
      s.base = w0 - 32 * k;
      s.gfn_offset = 32 * k;
      std::vector<unsigned> bits =
          draw_bits(rng, 0, before, 1 + static_cast<unsigned>(rng.below(std::min(before, 3u))));
      for (unsigned x : draw_bits(rng, before, kBitsPerLong, 1 + static_cast<unsigned>(rng.below(3))))
        bits.push_back(x);
      const gfn_t first = w0 + bits.front();
      const gfn_t run = first + kPmdPages - rng.below(8);  // pages the guest also writes, 2 MiB on
      s.npages = (run + 16) - s.base + 32 * rng.below(8);
      s.events.push_back({K::EnableLogging});
      for (unsigned x : bits) s.events.push_back({K::Write, w0 + x});
      s.events.push_back({K::Write, run, 12});
      s.events.push_back({K::UnmapPmd, first});
      break;
    }
  }
  return s;
}

struct Vm {
  explicit Vm(const Scenario& s) : kvm(options(s)) {
    const std::string err = kvm.memslots.add(0, s.base, s.npages, s.hugepages, kvm.options.geometry.ipa_bits);
    if (!err.empty()) throw std::logic_error("lab 5 memslot: " + err);
    for (const Event& e : s.events) {
      switch (e.kind) {
        case Event::Kind::TouchBeforeLogging:
          if (mmu::kvm_handle_guest_abort(kvm, ipa_of(e.gfn), mmu::Access::Write).outcome !=
              mmu::FaultOutcome::MappedBlock)
            throw std::logic_error("lab 5: no block mapped");
          break;
        case Event::Kind::EnableLogging:
          if (mmu::kvm_enable_dirty_logging(kvm, 0, kBitsPerLong) != 0) throw std::logic_error("lab 5: logging");
          break;
        case Event::Kind::Read:
        case Event::Kind::Write:
          for (gfn_t g = e.gfn; g < e.gfn + e.count; ++g)
            mmu::kvm_handle_guest_abort(kvm, ipa_of(g),
                                        e.kind == Event::Kind::Read ? mmu::Access::Read : mmu::Access::Write);
          break;
        case Event::Kind::UnmapPmd:
          if (!mmu::kvm_unmap_pmd_range(kvm, e.gfn)) throw std::logic_error("lab 5: nothing to unmap");
          break;
      }
    }
    slot = kvm.memslots.by_id(0);
  }
  static mmu::KvmOptions options(const Scenario& s) {
    mmu::KvmOptions o;
    if (s.bug == Bug::Block) o.block_policy = mmu::BlockPolicy::Keep;
    return o;
  }
  mmu::Kvm kvm;
  mmu::Memslot* slot = nullptr;
};

// Every descriptor access a walker makes, and each hazard where it was reported
// (between which two accesses), in order: the worked answer's trace.
class TraceSink final : public mmu::AccessSink {
 public:
  explicit TraceSink(const mmu::HazardLog& h) : hazards_(h) {}
  void on_load(phys_addr_t pa, mmu::level_t level) override {
    add("load  level " + std::to_string(level) + " at " + pa_hex(pa));
  }
  void on_store(phys_addr_t pa, mmu::level_t level) override {
    add("store level " + std::to_string(level) + " at " + pa_hex(pa));
  }
  // Hazards reported after the last access.
  void finish() { add(""); }
  std::vector<std::string> lines;
  std::size_t first_hazard_line = 0;  // index in lines, 0 if none

 private:
  void add(const std::string& access) {
    for (; seen_ < hazards_.first().size(); ++seen_) {
      const mmu::Hazard& h = hazards_.first()[seen_];
      if (!first_hazard_line) first_hazard_line = lines.size() + 1;
      lines.push_back("hazard " + std::string(mmu::to_string(h.kind)) + " (at " + pa_hex(h.pa) + ", level " +
                      std::to_string(h.level) + ", handling gfn " + hex(h.ipa >> mmu::PAGE_SHIFT) + ")");
    }
    if (!access.empty()) lines.push_back(access);
  }
  const mmu::HazardLog& hazards_;
  std::size_t seen_ = 0;
};

struct Run {
  std::unique_ptr<Vm> vm;
  std::unique_ptr<TraceSink> trace;
  mmu::WpStats stats;
};

void run_walker(Run& r, const Scenario& s, std::uint64_t mask, const std::string& walker_name) {
  r.vm = std::make_unique<Vm>(s);
  const std::unique_ptr<mmu::WpWalker> walker = mmu::make_wp_walker(walker_name);
  r.vm->kvm.hazards.clear();
  r.trace = std::make_unique<TraceSink>(r.vm->kvm.hazards);
  mmu::S2Walk walk(r.vm->kvm.pgtable, r.trace.get(), &r.vm->kvm.hazards, walker->name());
  walker->write_protect_masked(walk, *r.vm->slot, s.gfn_offset, mask, kBitsPerLong, r.stats);
  r.trace->finish();
}

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

class BugLab {
 public:
  explicit BugLab(std::uint64_t seed) : seed_(seed), rng_(workloads::derive_seed(seed, 5)), s_(draw_scenario(rng_)) {
    probe_ = std::make_unique<Vm>(s_);
    mask_ = probe_->slot->dirty_bitmap->word(s_.gfn_offset / kBitsPerLong);
    if (!mask_) throw std::logic_error("lab 5: empty bitmap word");
    run_walker(v4_, s_, mask_, "v4");
    run_walker(fixed_, s_, mask_, "v4-fixed");
    const mmu::HazardLog& h = v4_.vm->kvm.hazards;
    if (h.first().empty() || std::string(mmu::to_string(h.first()[0].kind)) != hazard_name(s_.bug))
      throw std::logic_error("lab 5 seed " + std::to_string(seed) + ": v4 did not trip " + hazard_name(s_.bug));
    // The statement that reports it: where the table address is taken from the bad
    // pmd, or (wrong_table_wp) the store through what pte_offset_kernel() computed.
    const V4Statement at = s_.bug == Bug::WrongTable ? V4Statement::SetReadonly : V4Statement::PteOffsetKernel;
    if (static_cast<V4Statement>(h.first()[0].statement) != at)
      throw std::logic_error("lab 5 seed " + std::to_string(seed) + ": " + hazard_name(s_.bug) + " reported in " +
                             mmu::v4_statement(h.first()[0].statement).name);
    // The check of the fix: the same call on the same state with v4-fixed is clean.
    if (fixed_.vm->kvm.hazards.total() != 0)
      throw std::logic_error("lab 5 seed " + std::to_string(seed) + ": v4-fixed reported a hazard");
    // The damage, page by page.
    for (gfn_t g = s_.base; g < s_.base + s_.npages; ++g) {
      const bool v4_rw = writable(*v4_.vm, g), fixed_rw = writable(*fixed_.vm, g);
      if (v4_rw && !fixed_rw) left_writable_.push_back(g);
      if (!v4_rw && fixed_rw && mapped(*v4_.vm, g)) wrongly_protected_.push_back(g);
    }
  }

  Problem make() {
    p_.lab = 5;
    p_.seed = seed_;
    p_.title = "find the bug";
    write_setup();
    add_hazard_question();
    add_count_question();
    add_statement_question();
    add_crosses_question();
    add_left_writable_question();
    add_wrongly_protected_question();
    add_fix_question();
    finalize(p_);
    return std::move(p_);
  }

 private:
  static bool mapped(const Vm& vm, gfn_t g) { return vm.kvm.pgtable.lookup(ipa_of(g)).mapped; }
  static bool writable(const Vm& vm, gfn_t g) {
    const mmu::S2Lookup l = vm.kvm.pgtable.lookup(ipa_of(g));
    return l.mapped && l.desc.writable();
  }
  gfn_t w0() const { return s_.base + s_.gfn_offset; }
  gfn_t first_bit_gfn() const { return w0() + static_cast<unsigned>(std::countr_zero(mask_)); }
  bool crosses() const { return w0() / kPmdPages != (w0() + kBitsPerLong - 1) / kPmdPages; }
  const mmu::HazardLog& hazards() const { return v4_.vm->kvm.hazards; }
  std::uint64_t first_kind_count() const { return hazards().count(hazards().first()[0].kind); }
  std::uint64_t bits() const { return static_cast<std::uint64_t>(std::popcount(mask_)); }
  const mmu::S2PageTable& pt() const { return probe_->kvm.pgtable; }  // the state at the call

  std::string event_text(const Event& e) const {
    switch (e.kind) {
      case Event::Kind::TouchBeforeLogging:
        return "the guest wrote gfn " + hex(e.gfn) +
               " before logging: the hugepage slot let the fault handler map its whole 2 MiB region [" +
               hex(e.gfn / kPmdPages * kPmdPages) + ", " + hex(e.gfn / kPmdPages * kPmdPages + kPmdPages) +
               ") with one read/write block";
      case Event::Kind::EnableLogging:
        return std::string("dirty logging was enabled on the slot: every mapping write-protected") +
               (s_.bug == Bug::Block ? " (the block whole)" : "") + ", TLBs flushed";
      case Event::Kind::Read:
        return "the guest read gfns " + hex(e.gfn) + " to " + hex(e.gfn + e.count - 1) + ": read-only ptes";
      case Event::Kind::Write:
        if (s_.bug == Bug::Block)
          return "the guest wrote gfn " + hex(e.gfn) +
                 ": with block_policy keep the fault makes the whole block read/write and marks all its 512 pages "
                 "dirty";
        return e.count == 1 ? "the guest wrote gfn " + hex(e.gfn) + ": write fault, pte read/write, bit set"
                            : "the guest wrote gfns " + hex(e.gfn) + " to " + hex(e.gfn + e.count - 1) +
                                  ": write faults, ptes read/write, bits set";
      case Event::Kind::UnmapPmd: {
        const gfn_t r = e.gfn / kPmdPages * kPmdPages;
        return "the host unmapped the 2 MiB region [" + hex(r) + ", " + hex(r + kPmdPages) +
               ") (MMU notifier -> unmap_stage2_range: pmd cleared, its pte table freed); the dirty bits stay set";
      }
    }
    return "";
  }

  void write_setup() {
    std::string& s = p_.setup;
    s = "A memslot of " + std::to_string(s_.npages) + " pages at base_gfn " + hex(s_.base) + " (IPA " +
        pa_hex(ipa_of(s_.base)) + ")" + (s_.hugepages ? ", backed by 2 MiB hugepages" : "") +
        "; ARMv7 LPAE stage 2, BITS_PER_LONG 32" +
        (s_.bug == Bug::Block ? ",\nblock_policy keep (a write fault on a block keeps it whole)" : "") +
        ". In this order:\n";
    int i = 1;
    for (const Event& e : s_.events) s += "  " + std::to_string(i++) + ". " + wrap(event_text(e), 92, "     ") + "\n";
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
    for (gfn_t g = a; g <= b; g = (g / kPmdPages + 1) * kPmdPages) {
      const phys_addr_t pa = pt().entry_pa(ipa_of(g), 2);
      const std::uint64_t v = pt().mem().load64(pa);
      s += "  level-2 entry  " + pa_hex(pa) + ": " + desc_hex(v) + "  (2 MiB region of gfn " +
           hex(g / kPmdPages * kPmdPages) + ")\n";
      pmds.push_back({{"pa", pa_hex(pa)}, {"value", desc_hex(v)}});
    }
    s += "\nRead mmu/wp_v4.cpp (the seed's walker, statement for statement) and follow this call through it.";
    nlohmann::json events = nlohmann::json::array();
    for (const Event& e : s_.events) events.push_back(event_text(e));
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
  std::vector<std::string> trace_steps() const {
    const TraceSink& t = *v4_.trace;
    const std::size_t end = std::min(t.lines.size(), t.first_hazard_line + 1);
    std::vector<std::string> out(t.lines.begin(), t.lines.begin() + static_cast<std::ptrdiff_t>(end));
    if (end < t.lines.size())
      out.push_back("... (" + std::to_string(t.lines.size()) + " lines in all, " + std::to_string(hazards().total()) +
                    " of them hazard reports)");
    return out;
  }

  void add_hazard_question() {
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

  void add_count_question() {
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

  void add_statement_question() {
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

  void add_crosses_question() {
    const ipa_t offset_ipa = ipa_of(w0()), next = ipa_of(w0() + kBitsPerLong - 1);
    const ipa_t pmd_mask = ~((ipa_t{1} << 21) - 1);
    Question q;
    q.text = "is crosses_pmd true in v4 for this call? (true or false)";
    q.accepts.words = {{"true", "yes", "1"}, {"false", "no", "0"}};
    q.answers = {crosses() ? "true" : "false"};
    q.steps = {"offset_ipa = " + pa_hex(offset_ipa) + ", next = " + pa_hex(next) + ": pmds " +
               pa_hex(offset_ipa & pmd_mask) + " and " + pa_hex(next & pmd_mask) +
               (crosses() ? ", different" : ", the same")};
    q.mistakes = {{crosses() ? "false" : "true",
                   crosses() ? "the window [gfnofst, gfnofst + 31] straddles a 2 MiB boundary: offset_ipa & "
                               "PMD_MASK differs from next & PMD_MASK"
                             : "the whole window [gfnofst, gfnofst + 31] lies inside one 2 MiB region"}};
    p_.questions.push_back(std::move(q));
  }

  void add_left_writable_question() {
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
        const gfn_t r = first_bit_gfn() / kPmdPages * kPmdPages;
        q.steps = {"v4-fixed write-protects the block on its pmd entry: all 512 pages [" + hex(r) + ", " +
                       hex(r + kPmdPages - 1) + "] read-only",
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
            if (g / kPmdPages != first_bit_gfn() / kPmdPages) second.push_back(g);
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

  void add_wrongly_protected_question() {
    Question q;
    q.text = "which gfns does v4 write-protect although v4-fixed leaves them read/write? (a list, or none)";
    q.accepts.list = true;
    q.answers = {gfn_list(wrongly_protected_)};
    if (s_.bug == Bug::WrongTable) {
      const gfn_t g = first_bit_gfn();
      q.steps = {"pte_index(ipa) = " + std::to_string(g % kPmdPages) + " in next's pte table: the pte of gfn " +
                     hex(g) + " + 512 = " + hex(g + kPmdPages) + ", a page whose bit is not in this mask",
                 "so " + hex(g + kPmdPages) + " takes one needless write-protect fault later; gfn " + hex(g) +
                     " itself was meant"};
      q.mistakes.push_back(
          {hex(g), "v4 meant to protect gfn " + hex(g) +
                       ", but it is unmapped; the entry it "
                       "wrote is entry pte_index(ipa) of next's table, which maps the page 512 gfns on"});
      q.mistakes.push_back({hex(g - kPmdPages),
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

  void add_fix_question() {
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

  std::uint64_t seed_;
  Rng rng_;
  Scenario s_;
  std::unique_ptr<Vm> probe_;  // the state at the call, untouched by any walker
  std::uint64_t mask_ = 0;
  Run v4_, fixed_;
  std::vector<gfn_t> left_writable_, wrongly_protected_;
  Problem p_;
};

}  // namespace

Problem make_bug_lab(std::uint64_t seed) { return BugLab(seed).make(); }

}  // namespace s2sim::sim::lab
