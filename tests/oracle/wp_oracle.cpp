// The reference model of the write-protect walkers (see wp_oracle.h). Everything here
// is written from the ARM ARM's descriptor layout and the kernel's walkers; nothing
// comes from mmu/.
#include "oracle/wp_oracle.h"

#include <map>
#include <optional>
#include <set>

namespace s2sim::oracle {

const char* walker_name(Walker w) {
  switch (w) {
    case Walker::Naive: return "naive";
    case Walker::V4: return "v4";
    case Walker::V4Fixed: return "v4-fixed";
    case Walker::Range: return "range";
  }
  return "?";
}

std::uint64_t Prediction::writes_to(Target t) const {
  std::uint64_t n = 0;
  for (const Store& s : writes) n += s.target == t;
  return n;
}

namespace {

// --- the long-descriptor format (ARM ARM DDI 0406C.d B3.6.2, Figures B3-15..B3-17) ---
// bit 0: valid. bit 1 at levels 0-2: 1 = table, 0 = block (a block is allowed at
// levels 1 and 2 only with a 4 KiB granule); at level 3: 1 = page, 0 = reserved.
// Stage-2 HAP (S2AP) in bits [7:6]: 0b01 read-only, 0b11 read/write.
constexpr std::uint64_t kValidBit = 1u << 0;
constexpr std::uint64_t kTableBit = 1u << 1;
constexpr std::uint64_t kHapBits = std::uint64_t{3} << 6;
constexpr std::uint64_t kHapReadOnly = std::uint64_t{1} << 6;
constexpr int kLeafLevel = 3;

// Address bits a lookup level resolves: level 3 -> 12 (4 KiB), 2 -> 21, 1 -> 30, 0 -> 39.
constexpr unsigned level_shift(int level) { return 12 + 9 * static_cast<unsigned>(kLeafLevel - level); }

bool valid(std::uint64_t d) { return d & kValidBit; }
bool is_table(std::uint64_t d, int level) { return level < kLeafLevel && valid(d) && (d & kTableBit); }
bool is_block(std::uint64_t d, int level) { return level >= 1 && level < kLeafLevel && valid(d) && !(d & kTableBit); }

// The kernel's tests on a loaded entry (arch/arm/include/asm/pgtable-3level.h,
// kvm_mmu.h): present = the valid bit; none = all zero; huge = a valid block.
bool present(std::uint64_t d) { return valid(d); }
bool none(std::uint64_t d) { return d == 0; }
bool huge(std::uint64_t d) { return valid(d) && !(d & kTableBit); }
// kvm_s2pte_readonly(): HAP is exactly read-only. kvm_set_s2pte_readonly(): clear
// HAP, set read-only. The pmd forms are the same bits.
bool readonly(std::uint64_t d) { return (d & kHapBits) == kHapReadOnly; }
std::uint64_t set_readonly(std::uint64_t d) { return (d & ~kHapBits) | kHapReadOnly; }

std::uint64_t bit_index_lowest(std::uint64_t m) {  // __ffs
  std::uint64_t i = 0;
  while (!((m >> i) & 1)) ++i;
  return i;
}
std::uint64_t bit_index_highest(std::uint64_t m) {  // __fls
  std::uint64_t i = 63;
  while (!((m >> i) & 1)) --i;
  return i;
}

// One call's view of memory and tables, with every access counted.
class Model {
 public:
  Model(const Regime& r, std::uint64_t root, const ReadWord& read, Prediction& p)
      : r_(r), root_(root), read_(read), p_(p), oa_mask_(((std::uint64_t{1} << r.pa_bits) - 1) & ~std::uint64_t{0xFFF}) {}

  bool pud_folded() const { return r_.start_level == 1; }
  int pgd_level() const { return static_cast<int>(r_.start_level); }
  int pud_level() const { return pud_folded() ? pgd_level() : 1; }

  // Index of `ipa` in a table of `level`: 9 bits, except at the start level, which
  // resolves everything above it (concatenated tables: 1024 entries for a 40-bit IPA).
  std::uint64_t index(int level, std::uint64_t ipa) const {
    const std::uint64_t i = ipa >> level_shift(level);
    if (level == pgd_level()) return i & ((std::uint64_t{1} << (r_.ipa_bits - level_shift(level))) - 1);
    return i & 511;
  }
  std::uint64_t output_address(std::uint64_t d) const { return d & oa_mask_; }

  std::uint64_t word(std::uint64_t pa) const {
    const auto it = written_.find(pa);
    return it != written_.end() ? it->second : read_(pa);
  }
  std::uint64_t load(std::uint64_t pa, int level) {
    ++p_.loads[static_cast<std::size_t>(level)];
    return word(pa);
  }
  void store(std::uint64_t pa, int level, std::uint64_t value, std::uint64_t ipa) {
    ++p_.stores[static_cast<std::size_t>(level)];
    p_.writes.push_back(Store{pa, level, value, ipa, classify(pa, level, ipa)});
    written_[pa] = value;
  }
  // pmd_page_vaddr()/pud_page_vaddr(): the output address, whatever the entry is.
  std::uint64_t next_table(std::uint64_t d, int level) {
    if (!is_table(d, level)) {
      if (is_block(d, level)) ++p_.pointers_from_block;
      else ++p_.pointers_from_invalid;
    }
    return output_address(d);
  }

  // --- the kernel's accessors -----------------------------------------------------
  std::uint64_t pgd_offset(std::uint64_t ipa) const { return root_ + index(pgd_level(), ipa) * 8; }
  // pgtable-nopud.h: with the pud folded pgd_present() is 1 and reads nothing.
  bool pgd_present(std::uint64_t pgd) { return pud_folded() || present(load(pgd, pgd_level())); }
  // Folded: the pud is the pgd entry itself. Else the pud table of *pgd.
  std::uint64_t pud_offset(std::uint64_t pgd, std::uint64_t ipa) {
    if (pud_folded()) return pgd;
    return next_table(load(pgd, pgd_level()), pgd_level()) + index(1, ipa) * 8;
  }
  std::uint64_t pmd_offset(std::uint64_t pudv, std::uint64_t ipa) {
    return next_table(pudv, pud_level()) + index(2, ipa) * 8;
  }
  std::uint64_t pte_offset_kernel(std::uint64_t pmdv, std::uint64_t ipa) {
    return next_table(pmdv, 2) + index(3, ipa) * 8;
  }
  // kvm_set_s2pmd_readonly() on a block entry unless it already is.
  void protect_block(std::uint64_t entry, int level, std::uint64_t v, std::uint64_t ipa) {
    if (readonly(v)) return;
    store(entry, level, set_readonly(v), ipa);
    ++p_.blocks_protected;
  }
  void protect_pte(std::uint64_t pte, std::uint64_t v, std::uint64_t ipa) {
    store(pte, kLeafLevel, set_readonly(v), ipa);
    ++p_.ptes_protected;
  }

  Prediction& out() { return p_; }

 private:
  // The entry that maps `ipa` at `level`, walking tables from the root as they were
  // before the call; nullopt when a non-table entry stops the walk above `level`.
  std::optional<std::uint64_t> entry_for(std::uint64_t ipa, int level) const {
    std::uint64_t table = root_;
    for (int l = pgd_level();; ++l) {
      const std::uint64_t e = table + index(l, ipa) * 8;
      if (l == level) return e;
      const std::uint64_t d = read_(e);
      if (!is_table(d, l)) return std::nullopt;
      table = output_address(d);
    }
  }
  // Every table frame reachable from the root, before the call.
  const std::set<std::uint64_t>& table_frames() {
    if (frames_) return *frames_;
    frames_.emplace();
    const std::uint64_t root_entries = std::uint64_t{1} << (r_.ipa_bits - level_shift(pgd_level()));
    scan(root_, pgd_level(), root_entries);
    return *frames_;
  }
  void scan(std::uint64_t table, int level, std::uint64_t entries) {
    for (std::uint64_t f = 0; f < (entries + 511) / 512; ++f) frames_->insert(table + f * 4096);
    if (level == kLeafLevel) return;
    for (std::uint64_t i = 0; i < entries; ++i) {
      const std::uint64_t d = read_(table + i * 8);
      if (is_table(d, level)) scan(output_address(d), level + 1, 512);
    }
  }
  Target classify(std::uint64_t pa, int level, std::uint64_t ipa) {
    if (entry_for(ipa, level) == pa) return Target::Entry;
    return table_frames().count(pa & ~std::uint64_t{0xFFF}) ? Target::WrongEntry : Target::OutsideTables;
  }

  const Regime& r_;
  std::uint64_t root_;
  const ReadWord& read_;
  Prediction& p_;
  std::uint64_t oa_mask_;
  std::map<std::uint64_t, std::uint64_t> written_;
  std::optional<std::set<std::uint64_t>> frames_;
};

std::uint64_t page_ipa(std::uint64_t gfn) { return gfn << 12; }

// --- naive: a whole walk from the pgd for every set bit -------------------------------
void naive(Model& m, const Call& c) {
  const std::uint64_t gfnofst = c.base_gfn + c.gfn_offset;
  for (std::uint64_t mask = c.mask; mask; mask &= mask - 1) {
    const std::uint64_t ipa = page_ipa(gfnofst + bit_index_lowest(mask));
    const std::uint64_t pgd = m.pgd_offset(ipa);
    if (!m.pgd_present(pgd)) continue;
    const std::uint64_t pud = m.pud_offset(pgd, ipa);
    const std::uint64_t pudv = m.load(pud, m.pud_level());
    if (!present(pudv)) continue;
    if (huge(pudv)) {
      m.protect_block(pud, m.pud_level(), pudv, ipa);
      continue;
    }
    const std::uint64_t pmd = m.pmd_offset(pudv, ipa);
    const std::uint64_t pmdv = m.load(pmd, 2);
    if (!present(pmdv)) continue;
    if (huge(pmdv)) {
      m.protect_block(pmd, 2, pmdv, ipa);
      continue;
    }
    const std::uint64_t pte = m.pte_offset_kernel(pmdv, ipa);
    const std::uint64_t ptev = m.load(pte, kLeafLevel);
    if (present(ptev) && !readonly(ptev)) m.protect_pte(pte, ptev, ipa);
  }
}

// --- v4: the 2014 seed's kvm_mmu_write_protect_pt_masked() ----------------------------
// ipa = first set page; next = the window's last page (gfnofst + BITS_PER_LONG - 1);
// crosses_pmd when the two lie in different 2 MiB. The upper levels are looked up
// once for `ipa` (falling back to `next`'s entries when one is missing and the window
// crosses), then the loop handles every set bit with that pmd -- unless crossing,
// when each later bit gets its own upper lookup (skipped silently if absent). No
// entry is ever tested for being a block, and with no crossing none for presence.
void v4(Model& m, const Call& c, PmdReads reads) {
  if (!c.mask) return;
  std::uint64_t mask = c.mask;
  const std::uint64_t gfnofst = c.base_gfn + c.gfn_offset;
  std::uint64_t ipa = page_ipa(gfnofst + bit_index_lowest(mask));
  const std::uint64_t offset_ipa = page_ipa(gfnofst);
  const std::uint64_t next = page_ipa(gfnofst + (c.bits_per_long - 1));
  const bool crosses_pmd = (offset_ipa >> 21) != (next >> 21);

  std::uint64_t pgd = m.pgd_offset(ipa);
  if (crosses_pmd && !m.pgd_present(pgd)) {
    pgd = m.pgd_offset(next);
    if (!m.pgd_present(pgd)) return;
  }
  std::uint64_t pud = m.pud_offset(pgd, ipa);
  std::uint64_t pudv = m.load(pud, m.pud_level());
  if (crosses_pmd && !present(pudv)) {
    pud = m.pud_offset(pgd, next);
    pudv = m.load(pud, m.pud_level());
    if (!present(pudv)) return;
  }
  std::uint64_t pmd = m.pmd_offset(pudv, ipa);
  std::uint64_t pmdv = 0;
  if (crosses_pmd || (reads != PmdReads::SeedC && reads != PmdReads::SeedCompiled)) {
    pmdv = m.load(pmd, 2);
    if (crosses_pmd && !present(pmdv)) {
      pmd = m.pmd_offset(pudv, next);
      pmdv = m.load(pmd, 2);
      if (!present(pmdv)) return;
    }
  }
  for (;;) {
    // pte_offset_kernel(pmd, ipa) reads *pmd
    const bool reload = reads == PmdReads::SeedCompiled ? !crosses_pmd : reads != PmdReads::BeforeLoopOnly;
    if (reload) pmdv = m.load(pmd, 2);
    const std::uint64_t pte = m.pte_offset_kernel(pmdv, ipa);
    const std::uint64_t ptev = m.load(pte, kLeafLevel);
    if (present(ptev) && !readonly(ptev)) m.protect_pte(pte, ptev, ipa);
    // next_ipa: the following set bits; when crossing, each looks its upper levels up
    // again and is skipped if one is missing.
    for (;;) {
      mask &= mask - 1;
      if (!mask) return;
      ipa = page_ipa(gfnofst + bit_index_lowest(mask));
      if (!crosses_pmd) break;
      pgd = m.pgd_offset(ipa);
      if (!m.pgd_present(pgd)) continue;
      pud = m.pud_offset(pgd, ipa);
      pudv = m.load(pud, m.pud_level());
      if (!present(pudv)) continue;
      pmd = m.pmd_offset(pudv, ipa);
      pmdv = m.load(pmd, 2);
      if (!present(pmdv)) continue;
      break;
    }
  }
}

// --- v4-fixed: one upper walk per 2 MiB the set bits touch ----------------------------
void v4_fixed(Model& m, const Call& c) {
  const std::uint64_t gfnofst = c.base_gfn + c.gfn_offset;
  bool have_region = false, region_is_table = false;
  std::uint64_t region = 0, pmdv = 0;
  for (std::uint64_t mask = c.mask; mask; mask &= mask - 1) {
    const std::uint64_t ipa = page_ipa(gfnofst + bit_index_lowest(mask));
    if (!have_region || (ipa >> 21) != region) {
      have_region = true;
      region = ipa >> 21;
      region_is_table = false;
      const std::uint64_t pgd = m.pgd_offset(ipa);
      if (!m.pgd_present(pgd)) continue;
      const std::uint64_t pud = m.pud_offset(pgd, ipa);
      const std::uint64_t pudv = m.load(pud, m.pud_level());
      if (!present(pudv)) continue;
      if (huge(pudv)) {
        m.protect_block(pud, m.pud_level(), pudv, ipa);
        continue;
      }
      const std::uint64_t pmd = m.pmd_offset(pudv, ipa);
      pmdv = m.load(pmd, 2);
      if (!present(pmdv)) continue;
      if (huge(pmdv)) {
        m.protect_block(pmd, 2, pmdv, ipa);
        continue;
      }
      region_is_table = true;
    }
    if (!region_is_table) continue;
    const std::uint64_t pte = m.pte_offset_kernel(pmdv, ipa);
    const std::uint64_t ptev = m.load(pte, kLeafLevel);
    if (present(ptev) && !readonly(ptev)) m.protect_pte(pte, ptev, ipa);
  }
}

// --- range: stage2_wp_range(kvm, base + __ffs(mask), base + __fls(mask) + 1) ---------
// Each level loops over the entries covering [addr, end): none entries skipped, blocks
// protected on the entry, tables descended; one load per entry visited.
std::uint64_t addr_end(std::uint64_t addr, std::uint64_t end, unsigned shift) {  // *_addr_end()
  const std::uint64_t size = std::uint64_t{1} << shift;
  const std::uint64_t boundary = (addr + size) & ~(size - 1);
  return boundary - 1 < end - 1 ? boundary : end;
}

struct RangeWalk {
  Model& m;
  std::uint64_t mask, mask_gfn;

  void ptes(std::uint64_t pmdv, std::uint64_t addr, std::uint64_t end) {
    std::uint64_t pte = m.pte_offset_kernel(pmdv, addr);
    do {
      const std::uint64_t v = m.load(pte, kLeafLevel);
      if (!none(v) && !readonly(v)) {
        m.protect_pte(pte, v, addr);
        if (!((mask >> ((addr >> 12) - mask_gfn)) & 1)) ++m.out().clean_pages_protected;
      }
      pte += 8;
      addr += 4096;
    } while (addr != end);
  }
  void pmds(std::uint64_t pudv, std::uint64_t addr, std::uint64_t end) {
    std::uint64_t pmd = m.pmd_offset(pudv, addr);
    do {
      const std::uint64_t next = addr_end(addr, end, level_shift(2));
      const std::uint64_t v = m.load(pmd, 2);
      if (!none(v)) {
        if (huge(v)) m.protect_block(pmd, 2, v, addr);
        else ptes(v, addr, next);
      }
      pmd += 8;
      addr = next;
    } while (addr != end);
  }
  void puds(std::uint64_t pgd, std::uint64_t addr, std::uint64_t end) {
    std::uint64_t pud = m.pud_offset(pgd, addr);
    do {
      // Folded: the one "pud" is the pgd entry and covers what the pgd entry covers.
      const std::uint64_t next = m.pud_folded() ? end : addr_end(addr, end, level_shift(1));
      const std::uint64_t v = m.load(pud, m.pud_level());
      if (!none(v)) {
        if (huge(v)) m.protect_block(pud, m.pud_level(), v, addr);
        else pmds(v, addr, next);
      }
      pud += 8;
      addr = next;
    } while (addr != end);
  }
};

void range(Model& m, const Call& c) {
  if (!c.mask) return;
  const std::uint64_t gfnofst = c.base_gfn + c.gfn_offset;
  std::uint64_t addr = page_ipa(gfnofst + bit_index_lowest(c.mask));
  const std::uint64_t end = page_ipa(gfnofst + bit_index_highest(c.mask) + 1);
  RangeWalk rw{m, c.mask, gfnofst};
  std::uint64_t pgd = m.pgd_offset(addr);
  do {
    const std::uint64_t next = addr_end(addr, end, level_shift(m.pgd_level()));
    if (m.pgd_present(pgd)) rw.puds(pgd, addr, next);
    pgd += 8;
    addr = next;
  } while (addr != end);
}

}  // namespace

Prediction predict(Walker walker, const Regime& regime, std::uint64_t root_pa, const ReadWord& read, const Call& call,
                   const V4Options& v4opts) {
  Prediction p;
  Model m(regime, root_pa, read, p);
  switch (walker) {
    case Walker::Naive: naive(m, call); break;
    case Walker::V4: v4(m, call, v4opts.pmd_reads); break;
    case Walker::V4Fixed: v4_fixed(m, call); break;
    case Walker::Range: range(m, call); break;
  }
  return p;
}

}  // namespace s2sim::oracle
