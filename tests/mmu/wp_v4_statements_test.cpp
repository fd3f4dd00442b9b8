// The seed walker's statement table (mmu/wp_v4_statements.h) against mmu/wp_v4.cpp,
// the statements v4 names to its walk, and the pmd that the seed's loop reads again
// on every pass (pte_offset_kernel(pmd, ipa) dereferences *pmd on ARM).
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "mmu/access_sink.h"
#include "mmu/fault_handler.h"
#include "mmu/granule.h"
#include "mmu/kvm.h"
#include "mmu/wp_v4_statements.h"
#include "mmu/wp_walkers.h"

using namespace s2sim::mmu;

namespace {

constexpr ipa_t ipa_of(gfn_t g) { return g << PAGE_SHIFT; }

// Every access v4 makes, with the statement it named to the walk at the time.
struct Touch {
  bool store;
  level_t level;
  phys_addr_t pa;
  V4Statement statement;
};

class StatementSink final : public AccessSink {
 public:
  void on_load(phys_addr_t pa, level_t level) override { add(false, level, pa); }
  void on_store(phys_addr_t pa, level_t level) override { add(true, level, pa); }
  const S2Walk* walk = nullptr;
  std::vector<Touch> accesses;

 private:
  void add(bool store, level_t level, phys_addr_t pa) {
    accesses.push_back({store, level, pa, static_cast<V4Statement>(walk->statement())});
  }
};

// A slot of `npages` from `base`, every page mapped read/write by a write fault.
std::unique_ptr<Kvm> populated(gfn_t base, std::uint64_t npages) {
  auto kvm = std::make_unique<Kvm>(KvmOptions{});
  EXPECT_EQ(kvm->memslots.add(0, base, npages, false, 40), "");
  for (gfn_t g = base; g < base + npages; ++g)
    EXPECT_EQ(kvm_handle_guest_abort(*kvm, ipa_of(g), s2sim::mmu::Access::Write).outcome, FaultOutcome::MappedPage);
  return kvm;
}

std::vector<Touch> run_v4(Kvm& kvm, gfn_t gfn_offset, std::uint64_t mask, unsigned bpl = 32) {
  StatementSink sink;
  S2Walk w(kvm.pgtable, &sink, &kvm.hazards, "v4");
  sink.walk = &w;
  V4Walker v4;
  WpStats stats;
  v4.write_protect_masked(w, *kvm.memslots.by_id(0), gfn_offset, mask, bpl, stats);
  return sink.accesses;
}

std::string read_source(const std::string& path) {
  std::ifstream in(std::string(S2SIM_SOURCE_DIR) + "/" + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b);
}

}  // namespace

// The table is the seed's function as mmu/wp_v4.cpp writes it: every text, in order,
// is a line of the function body once the `.at(Name)` tags are taken out, and every
// tagged line carries the tag of its own statement.
TEST(V4Statements, TheTableIsTheFunctionAsWrittenAndEveryTagNamesItsOwnLine) {
  const std::string src = read_source("mmu/wp_v4.cpp");
  ASSERT_FALSE(src.empty()) << "mmu/wp_v4.cpp not found under " << S2SIM_SOURCE_DIR;
  const std::regex tag(R"(\.at\((\w+)\))");
  std::istringstream in(src);
  std::size_t next = 0;  // the table entry to find next
  const auto table = v4_statements();
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    const bool tagged = std::regex_search(line, m, tag);
    const std::string tag_name = tagged ? m[1].str() : "";
    std::string plain = trim(std::regex_replace(line, tag, ""));
    if (const auto c = plain.find("  //"); c != std::string::npos) plain = plain.substr(0, c);
    if (next < table.size() && plain == table[next].text) {
      if (tagged) {
        // The enum's spelling of this entry: the tag must be it.
        static const char* const kNames[] = {
            "None", "Gfnofst", "FirstIpa", "OffsetIpa", "Next", "CrossesPmd", "PgdOffset", "PgdPresent",
            "PgdOffsetNext", "PgdPresentNext", "PudOffset", "PudLoad", "PudPresent", "PudOffsetNext", "PudLoadNext",
            "PudPresentNext", "PmdOffset", "PmdLoad", "PmdPresent", "PmdOffsetNext", "PmdLoadNext", "PmdPresentNext",
            "PmdReload", "PteOffsetKernel", "PteLoad", "PtePresent", "PteReadonly", "SetReadonly", "ClearBit",
            "MaskDone", "NextIpa", "SkipUpper", "LoopPgdOffset", "LoopPgdPresent", "LoopPudOffset", "LoopPudLoad",
            "LoopPudPresent", "LoopPmdOffset", "LoopPmdLoad", "LoopPmdPresent"};
        EXPECT_EQ(tag_name, kNames[static_cast<std::size_t>(table[next].id)]) << line;
      }
      ++next;
    } else {
      EXPECT_FALSE(tagged) << "a tagged line that is not the next statement of the table: " << line;
    }
  }
  EXPECT_EQ(next, table.size()) << "not found in mmu/wp_v4.cpp, in order: " << table[next].text;
}

TEST(V4Statements, IdsLookUpTheirEntries) {
  for (const WalkerStatement& s : v4_statements()) {
    EXPECT_EQ(&v4_statement(s.id), &s);
    EXPECT_EQ(&v4_statement(static_cast<std::uint8_t>(s.id)), &s);
    EXPECT_NE(std::string(s.name), "");
  }
  EXPECT_STREQ(v4_statement(V4Statement::None).name, "none");
  EXPECT_STREQ(v4_statement(std::uint8_t{200}).name, "none");
  EXPECT_STREQ(v4_statement(V4Statement::PteOffsetKernel).text, "pte = pte_offset_kernel(w, pmdv, ipa);");
}

// The seed's pte_offset_kernel(pmd, ipa) reads *pmd on each pass of the loop (ARM's
// pmd_page_vaddr(*(pmd)) + pte_index(addr); -fno-strict-aliasing keeps the read
// after each u64 pte store). Aligned window, every bit set: the level-1 entry once,
// then per page the pmd and the pte, each pmd read named pte_offset_kernel's.
TEST(V4PmdReload, AnAlignedWindowReadsThePmdOncePerPage) {
  const std::unique_ptr<Kvm> kvm = populated(1024, 32);
  const std::vector<Touch> a = run_v4(*kvm, 0, 0xFFFFFFFFull);
  const phys_addr_t pmd = kvm->pgtable.entry_pa(ipa_of(1024), 2);
  ASSERT_EQ(a.size(), 1u + 32 * 3);
  EXPECT_EQ(a[0].level, 1);
  EXPECT_EQ(a[0].statement, V4Statement::PudLoad);
  for (unsigned i = 0; i < 32; ++i) {
    SCOPED_TRACE("page " + std::to_string(i));
    const Touch& pmd_read = a[1 + 3 * i];
    const Touch& pte_read = a[2 + 3 * i];
    const Touch& pte_store = a[3 + 3 * i];
    EXPECT_FALSE(pmd_read.store);
    EXPECT_EQ(pmd_read.level, 2);
    EXPECT_EQ(pmd_read.pa, pmd);
    EXPECT_EQ(pmd_read.statement, V4Statement::PmdReload);
    EXPECT_STREQ(v4_statement(pmd_read.statement).name, "pte_offset_kernel");
    EXPECT_EQ(pte_read.level, 3);
    EXPECT_EQ(pte_read.pa, kvm->pgtable.entry_pa(ipa_of(1024 + i), 3));
    EXPECT_TRUE(pte_store.store);
    EXPECT_EQ(pte_store.statement, V4Statement::SetReadonly);
  }
}

// The read is per pass, not per store: bits whose pte is already read-only still
// read the pmd first. Bits 3, 9 and 17 of an aligned window, 9 already protected.
TEST(V4PmdReload, EveryPassReadsThePmdWhetherOrNotItStores) {
  const std::unique_ptr<Kvm> kvm = populated(2048, 32);
  run_v4(*kvm, 0, std::uint64_t{1} << 9);  // protect gfn 2057 first
  const std::vector<Touch> a = run_v4(*kvm, 0, (1u << 3) | (1u << 9) | (1u << 17));
  std::size_t pmd_reads = 0, stores = 0;
  for (const Touch& x : a) {
    pmd_reads += x.level == 2;
    stores += x.store;
  }
  EXPECT_EQ(pmd_reads, 3u);
  EXPECT_EQ(stores, 2u);
}

// Crossing a pmd, the upper walk of each pass has just read *pmd for pmd_present(),
// with nothing stored since: one pmd read a pass there too, none named PmdReload.
TEST(V4PmdReload, ACrossingWindowReadsThePmdOncePerPageInTheUpperWalk) {
  const std::unique_ptr<Kvm> kvm = populated(1008, 32);  // gfns 1008..1039 straddle the boundary at 1024
  const std::vector<Touch> a = run_v4(*kvm, 0, 0xFFFFFFFFull);
  std::size_t pmd_reads = 0;
  for (const Touch& x : a) {
    if (x.level != 2) continue;
    ++pmd_reads;
    EXPECT_NE(x.statement, V4Statement::PmdReload);
    EXPECT_STREQ(v4_statement(x.statement).name, "pmd_present");
  }
  EXPECT_EQ(pmd_reads, 32u);
}

// Hazards carry the statement that made them: the empty pmd is followed in
// pte_offset_kernel(), once per set bit.
TEST(V4Statements, HazardsNameTheirStatement) {
  Kvm kvm(KvmOptions{});
  ASSERT_EQ(kvm.memslots.add(0, 1024, 1024, false, 40), "");
  for (gfn_t g = 1024; g < 1056; ++g) kvm_handle_guest_abort(kvm, ipa_of(g), s2sim::mmu::Access::Write);
  // A page in the next 2 MiB of the same GiB keeps the pmd table (and the level-1 entry)
  // alive when the unmap empties the first pmd (unmap_pmds frees only empty tables).
  kvm_handle_guest_abort(kvm, ipa_of(1536), s2sim::mmu::Access::Write);
  ASSERT_TRUE(kvm_unmap_pmd_range(kvm, 1024));
  run_v4(kvm, 0, 0b1011);
  ASSERT_EQ(kvm.hazards.count(HazardKind::WalkNonPresent), 3u);
  for (const Hazard& h : kvm.hazards.first())
    EXPECT_EQ(static_cast<V4Statement>(h.statement), V4Statement::PteOffsetKernel) << to_string(h.kind);
}

// mmu::crosses_pmd(gfnofst, bits_per_long) is the decision v4 makes from IPAs: with
// every bit set, v4 repeats the level-1 load for each page exactly when it is true.
TEST(Granule, CrossesPmdIsTheSeedsDecision) {
  for (const unsigned bpl : {32u, 64u}) {
    for (const gfn_t base : {gfn_t{1024}, gfn_t{1024 - 16}, gfn_t{1024 + 31}, gfn_t{1024 + 32}, gfn_t{1536 - 64},
                             gfn_t{1536 - 65}, PUD_PAGES - 1}) {
      const std::unique_ptr<Kvm> kvm = populated(base, bpl);
      const std::vector<Touch> a = run_v4(*kvm, 0, bpl == 64 ? ~std::uint64_t{0} : 0xFFFFFFFFull, bpl);
      std::size_t level1 = 0;
      for (const Touch& x : a) level1 += x.level == 1;
      EXPECT_EQ(level1 > 1, crosses_pmd(base, bpl)) << "base " << base << " bits " << bpl;
    }
  }
}
