// Lab 1, descriptor anatomy: read five 64-bit stage-2 descriptors found at given
// lookup levels, then write one. The layout is the ARM ARM's (DDI 0406C.d B3.6.2,
// "Long-descriptor translation table format descriptors", stage-2 attributes in
// Figure B3-17); every answer is what mmu::decode() says, the encoding is what
// mmu::make_page()/make_block() build.
//
// The five descriptors are drawn so that each problem has a page, a block, a table
// and an invalid one (bit 0 clear, or the block encoding 0b01 at level 3), plus one
// more leaf: the traps are read-only vs write-only (S2AP bit order), 0b01 at level
// 3, a block whose address field has low bits set (they are not part of a block's
// address), attribute bits above bit 39 (they are not part of any address).
#include <array>
#include <utility>

#include "mmu/descriptor.h"
#include "mmu/granule.h"
#include "sim/labs/lab_figures.h"
#include "sim/labs/lab_problems.h"
#include "sim/labs/lab_text.h"
#include "workloads/prng.h"

namespace s2sim::sim::lab {

namespace {

using mmu::DescType;
using mmu::level_t;
using mmu::phys_addr_t;
using mmu::S2Desc;
using workloads::Rng;
namespace desc = mmu::desc;

enum class Kind { PageRw, PageRo, PageWo, PageDevice, PageNoAf, Block2M, Block1G, Table, Invalid, Reserved3 };

struct Item {
  S2Desc d;
  level_t level;
};

std::uint64_t attrs(unsigned memattr, unsigned s2ap, unsigned sh, bool af, bool xn) {
  return (std::uint64_t{memattr} << desc::MEMATTR_SHIFT) | (std::uint64_t{s2ap} << desc::S2AP_SHIFT) |
         (std::uint64_t{sh} << desc::SH_SHIFT) | (af ? desc::AF : 0) | (xn ? desc::XN : 0);
}

bool coin(Rng& rng) { return rng.below(2) == 0; }
unsigned ro_or_rw(Rng& rng) { return coin(rng) ? desc::S2AP_RO : desc::S2AP_RW; }

// Output addresses in a 40-bit PA space, above the first 2 GiB (where DRAM starts on
// the boards KVM/ARM ran on), aligned to the mapping size.
phys_addr_t page_pa(Rng& rng) { return (0x80000 + rng.below(0x10000000ull - 0x80000)) << 12; }
phys_addr_t block2m_pa(Rng& rng) { return (0x400 + rng.below(0x80000ull - 0x400)) * mmu::PMD_SIZE; }
phys_addr_t block1g_pa(Rng& rng) { return (2 + rng.below(1022)) * mmu::PUD_SIZE; }
phys_addr_t table_pa(Rng& rng) { return 0x80000000ull + (rng.below(0x4000) << 12); }

// Level: easy leaves out the traps (no junk below a block's address, no XN beside a
// read-only page), hard always sets them.
bool trap(Rng& rng, Level level) {
  const bool c = coin(rng);  // drawn at every level, so the rest of the problem stays the same
  return level == Level::Hard || (level == Level::Normal && c);
}

Item draw(Kind k, Rng& rng, Level level) {
  const std::uint64_t normal_wb = desc::MEMATTR_NORMAL_WB;
  switch (k) {
    case Kind::PageRw:
      return {mmu::make_page(page_pa(rng), attrs(normal_wb, desc::S2AP_RW, desc::SH_INNER, true, false)), 3};
    case Kind::PageRo:
      // XN set half the time: bit 54 sits above the address field and must be left out of it.
      return {mmu::make_page(page_pa(rng), attrs(normal_wb, desc::S2AP_RO, desc::SH_INNER, true, trap(rng, level))), 3};
    case Kind::PageWo:
      return {mmu::make_page(page_pa(rng), attrs(normal_wb, desc::S2AP_WO, desc::SH_INNER, true, false)), 3};
    case Kind::PageDevice:
      // A device mapping (kvm_phys_addr_ioremap, PAGE_S2_DEVICE): device memory, never executable.
      return {
          mmu::make_page(page_pa(rng), attrs(desc::MEMATTR_DEVICE_nGnRE, ro_or_rw(rng), desc::SH_OUTER, true, true)),
          3};
    case Kind::PageNoAf:
      return {mmu::make_page(page_pa(rng), attrs(normal_wb, ro_or_rw(rng), desc::SH_INNER, false, false)), 3};
    case Kind::Block2M: {
      S2Desc d = mmu::make_block(block2m_pa(rng), attrs(normal_wb, ro_or_rw(rng), desc::SH_INNER, true, false));
      if (trap(rng, level)) d.raw |= (1 + rng.below(mmu::PMD_PAGES - 1)) << 12;  // junk in [20:12]: not part of a 2 MiB block's address
      return {d, 2};
    }
    case Kind::Block1G: {
      S2Desc d = mmu::make_block(block1g_pa(rng), attrs(normal_wb, ro_or_rw(rng), desc::SH_INNER, true, false));
      if (trap(rng, level)) d.raw |= (1 + rng.below(mmu::PUD_PAGES - 1)) << 12;  // junk in [29:12]
      return {d, 1};
    }
    case Kind::Table: return {mmu::make_table(table_pa(rng)), static_cast<level_t>(1 + rng.below(2))};
    case Kind::Invalid: {
      // A real mapping with its valid bit cleared: every other bit still looks meaningful.
      const S2Desc page = mmu::make_page(page_pa(rng), attrs(normal_wb, ro_or_rw(rng), desc::SH_INNER, true, false));
      return {S2Desc{page.raw & ~desc::VALID}, static_cast<level_t>(1 + rng.below(3))};
    }
    case Kind::Reserved3:
      return {mmu::make_block(page_pa(rng), attrs(normal_wb, ro_or_rw(rng), desc::SH_INNER, true, false)), 3};
  }
  return {};
}

// Five kinds: a page, a block, a table, an invalid one, and one more leaf; in random
// order. Easy draws no page without AF and no reserved level-3 encoding; hard always
// has the reserved encoding and a page without AF or a write-only one.
std::vector<Kind> draw_kinds(Rng& rng, Level level) {
  auto pick = [&](std::vector<Kind>& from) {
    const std::size_t i = rng.below(from.size());
    const Kind k = from[i];
    from.erase(from.begin() + static_cast<std::ptrdiff_t>(i));
    return k;
  };
  std::vector<Kind> pages = {Kind::PageRw, Kind::PageRo, Kind::PageWo, Kind::PageDevice, Kind::PageNoAf};
  std::vector<Kind> blocks = {Kind::Block2M, Kind::Block1G};
  std::vector<Kind> invalid = {Kind::Invalid, Kind::Reserved3};
  if (level == Level::Easy) {
    pages.pop_back();  // PageNoAf
    invalid.pop_back();
  } else if (level == Level::Hard) {
    invalid = {Kind::Reserved3};
  }
  std::vector<Kind> out = {pick(pages), pick(blocks), Kind::Table, pick(invalid)};
  std::vector<Kind> rest = pages;
  rest.insert(rest.end(), blocks.begin(), blocks.end());
  if (level == Level::Hard) {
    rest.clear();
    for (const Kind k : pages)
      if (k == Kind::PageNoAf || k == Kind::PageWo) rest.push_back(k);
    if (rest.empty()) rest = pages;
  }
  out.push_back(pick(rest));
  for (std::size_t i = out.size() - 1; i > 0; --i) std::swap(out[i], out[rng.below(i + 1)]);
  return out;
}

const char* block_size(level_t level) { return level == 1 ? "1 GiB" : "2 MiB"; }
const char* block_bits(level_t level) { return level == 1 ? "[39:30]" : "[39:21]"; }

bool is_leaf(DescType t) { return t == DescType::Page || t == DescType::Block; }

std::string type_reason(const mmu::DecodedDesc& d) {
  const unsigned bits = static_cast<unsigned>(d.raw & desc::TYPE_MASK);
  const std::string lv = "level " + std::to_string(d.level);
  if ((bits & 1) == 0) return "bit 0 is 0: invalid, whatever the other bits hold (the hardware ignores them)";
  if (bits == 1 && d.level == 3)
    return "bits [1:0] = 0b01 at level 3: reserved, so invalid (blocks exist only at levels 1 and 2)";
  if (bits == 1) return "bits [1:0] = 0b01 at " + lv + ": a block (" + block_size(d.level) + ")";
  if (d.level == 3) return "bits [1:0] = 0b11 at level 3: a page (4 KiB)";
  return "bits [1:0] = 0b11 at " + lv + ": a table (the address of the next-level table follows)";
}

// Why an invalid descriptor is invalid, for hints that say so.
std::string invalid_reason(const mmu::DecodedDesc& d) {
  return (d.raw & 1) == 0 ? "the descriptor is invalid (bit 0 is 0)"
                          : "the descriptor is invalid (0b01 at level 3 is reserved)";
}

const std::vector<std::vector<std::string>> kTypeWords = {
    {"page"}, {"block"}, {"table"}, {"invalid", "fault", "reserved"}};
const std::vector<std::vector<std::string>> kS2apWords = {
    {"read-only", "ro"}, {"read/write", "rw"}, {"write-only", "wo"}, {"none", "no access"}, not_applicable_words()};
const std::vector<std::vector<std::string>> kAfWords = {
    {"1", "set", "yes", "true"}, {"0", "clear", "no", "false"}, not_applicable_words()};

const char* const kS2apOrder = "S2AP bit 6 is read, bit 7 is write";

void add_type_question(Problem& p, const std::string& name, const mmu::DecodedDesc& d) {
  Question q;
  q.text = name + ": type";
  q.accepts.words = kTypeWords;
  q.answers = {mmu::to_string(d.type)};
  q.steps = {type_reason(d)};
  const unsigned bits = static_cast<unsigned>(d.raw & desc::TYPE_MASK);
  if ((bits & 1) == 0) {
    for (const char* w : {"page", "block", "table"})
      q.mistakes.push_back({w, "bit 0 is 0: the descriptor is invalid, whatever the other bits hold"});
  } else if (bits == 1 && d.level == 3) {
    q.mistakes.push_back({"block",
                          "0b01 at level 3 is reserved, not a block: blocks exist only at levels 1 and 2 "
                          "(a level-3 0b01 descriptor is invalid)"});
    q.mistakes.push_back({"page", "a level-3 page is 0b11; 0b01 at level 3 is reserved, so the descriptor is invalid"});
  } else if (bits == 1) {
    q.mistakes.push_back({"page", "0b01 at levels 1 and 2 is a block; pages exist only at level 3"});
    q.mistakes.push_back({"table", "a table is 0b11; 0b01 at levels 1 and 2 is a block"});
  } else if (d.level == 3) {
    q.mistakes.push_back(
        {"table", "at level 3, 0b11 is a page: level 3 is the last level, there is no table below it"});
    q.mistakes.push_back({"block", "0b11 at level 3 is a page; 0b01 would be a block at levels 1 and 2"});
  } else {
    q.mistakes.push_back({"page", "0b11 is a page only at level 3; at levels 1 and 2 it points to a next-level table"});
    q.mistakes.push_back({"block", "a block is 0b01; 0b11 at levels 1 and 2 is a table"});
  }
  q.explain = [](const AnswerValue&) {
    return std::string(
        "read bits [1:0] with the level: bit 0 clear = invalid; 0b11 = table at levels 1-2, page at "
        "level 3; 0b01 = block at levels 1-2, reserved (invalid) at level 3");
  };
  p.questions.push_back(std::move(q));
}

void add_address_question(Problem& p, const std::string& name, const mmu::DecodedDesc& d) {
  Question q;
  q.text = name + ": output address";
  q.accepts.number = true;
  q.accepts.words = {not_applicable_words()};
  const std::uint64_t field = d.raw & desc::OA_MASK_40;  // bits [39:12] as they stand
  switch (d.type) {
    case DescType::Invalid:
      q.answers = {"n/a"};
      q.steps = {"an invalid descriptor has no output address: n/a"};
      q.mistakes.push_back({pa_hex(field), invalid_reason(d) + ": it has no output address (answer n/a), "
                                                               "whatever bits [39:12] hold"});
      break;
    case DescType::Table:
      q.answers = {pa_hex(d.output_address)};
      q.steps = {"next-level table address = bits [39:12] = " + pa_hex(d.output_address)};
      break;
    case DescType::Page:
      q.answers = {pa_hex(d.output_address)};
      q.steps = {"output address = bits [39:12] = " + pa_hex(d.output_address)};
      break;
    case DescType::Block:
      q.answers = {pa_hex(d.output_address)};
      q.steps = {std::string("a ") + block_size(d.level) + " block's output address is bits " + block_bits(d.level) +
                 " (aligned to " + block_size(d.level) + ") = " + pa_hex(d.output_address)};
      if (field != d.output_address) {
        q.steps.push_back("the address field's bits below that (" + hex(field & ~d.output_address) +
                          ") are not part of a block's address");
        q.mistakes.push_back({pa_hex(field), std::string("forgot to align the block's output address: a ") +
                                                 block_size(d.level) + " block's address is bits " +
                                                 block_bits(d.level) + ", the bits below are not part of it"});
      }
      break;
  }
  if (d.type != DescType::Invalid) {
    q.mistakes.push_back({"n/a", "bit 0 is 1: the descriptor is valid and has an address in bits [39:12]"});
    q.mistakes.push_back({hex(d.output_address >> 12),
                          "the output address is bits [39:12] kept in place (its low 12 "
                          "bits are zero), not shifted down to a frame number"});
    q.mistakes.push_back({hex(d.raw & ~std::uint64_t{0xFFF}),
                          "the address stops at bit 39: bits above it (XN [54], contiguous [52]) are attributes"});
    q.mistakes.push_back({hex(d.raw), "the address is bits [39:12] only: clear the attribute bits [11:0] and [63:40]"});
  }
  q.explain = [](const AnswerValue&) {
    return std::string(
        "the output address is bits [39:12] of the descriptor, in place (for a block, aligned to the "
        "block size); n/a if invalid");
  };
  p.questions.push_back(std::move(q));
}

void add_s2ap_question(Problem& p, const std::string& name, const mmu::DecodedDesc& d) {
  Question q;
  q.text = name + ": S2AP in words";
  q.accepts.words = kS2apWords;
  if (!is_leaf(d.type)) {
    const std::string why = d.type == DescType::Table
                                ? "a stage-2 table descriptor carries no access permissions: answer n/a"
                                : invalid_reason(d) + ": it has no fields, answer n/a";
    q.answers = {"n/a"};
    q.steps = {why};
    for (const char* w : {"read-only", "read/write", "write-only", "none"}) q.mistakes.push_back({w, why});
  } else {
    const std::string name_s2ap = mmu::s2ap_name(d.s2ap);
    q.answers = {name_s2ap};
    q.steps = {"S2AP = bits [7:6] = " + bin(d.s2ap, 2) + ": bit 6 (read) " + ((d.s2ap & 1) ? "set" : "clear") +
               ", bit 7 (write) " + ((d.s2ap & 2) ? "set" : "clear") + ": " + name_s2ap};
    // Reading [7:6] the wrong way round swaps read-only and write-only.
    const unsigned swapped = ((d.s2ap & 1) << 1) | ((d.s2ap >> 1) & 1);
    q.mistakes.push_back(
        {mmu::s2ap_name(swapped), std::string(kS2apOrder) + ": " + bin(d.s2ap, 2) + " is " + name_s2ap});
    q.mistakes.push_back({"n/a", "a page or block has its access permissions in S2AP, bits [7:6]"});
  }
  q.explain = [](const AnswerValue&) {
    return std::string(kS2apOrder) + " (0b01 read-only, 0b10 write-only, 0b11 read/write, 0b00 none)";
  };
  p.questions.push_back(std::move(q));
}

void add_af_question(Problem& p, const std::string& name, const mmu::DecodedDesc& d) {
  Question q;
  q.text = name + ": AF";
  q.accepts.words = kAfWords;
  if (!is_leaf(d.type)) {
    const std::string why = d.type == DescType::Table ? "a stage-2 table descriptor has no access flag: answer n/a"
                                                      : invalid_reason(d) + ": it has no fields, answer n/a";
    q.answers = {"n/a"};
    q.steps = {why};
    q.mistakes.push_back({"1", why});
    q.mistakes.push_back({"0", why});
  } else {
    q.answers = {d.af ? "1" : "0"};
    q.steps = {std::string("AF = bit 10 (0x400) of ") + hex(d.raw & 0xFFF, 3) + " = " + (d.af ? "1" : "0") +
               (d.af ? "" : ": the first access takes an access-flag fault (ARMv7 stage 2 never sets AF in hardware)")};
    q.mistakes.push_back({d.af ? "0" : "1", "AF is bit 10 (0x400): look at the low 12 bits, " + hex(d.raw & 0xFFF, 3)});
    q.mistakes.push_back({"n/a", "a page or block has an access flag, bit 10"});
  }
  q.explain = [](const AnswerValue&) { return std::string("AF is bit 10 (0x400); n/a if not a page or block"); };
  p.questions.push_back(std::move(q));
}

// The fields a descriptor's value is made of, for "your value differs in ..." hints.
struct Field {
  const char* name;
  std::uint64_t mask;
};
const std::array<Field, 9> kFields = {{{"type [1:0]", desc::TYPE_MASK},
                                       {"MemAttr [5:2]", desc::MEMATTR_MASK},
                                       {"S2AP [7:6]", desc::S2AP_MASK},
                                       {"SH [9:8]", desc::SH_MASK},
                                       {"AF [10]", desc::AF},
                                       {"output address [39:12]", desc::OA_MASK_40},
                                       {"contiguous [52]", desc::CONT},
                                       {"XN [54]", desc::XN},
                                       {"other bits", 0}}};

std::string field_diff(std::uint64_t want, std::uint64_t got) {
  std::uint64_t known = 0;
  std::vector<std::string> names;
  for (const Field& f : kFields) {
    const std::uint64_t m = f.mask ? f.mask : ~known;
    known |= f.mask;
    if ((want ^ got) & m) names.push_back(f.name);
  }
  return "your value differs from the asked descriptor in: " + join(names, ", ");
}

void add_encode_question(Problem& p, Rng& rng) {
  // What to encode: a page or a block, with random fields.
  const unsigned pick = static_cast<unsigned>(rng.below(20));
  const level_t level = pick < 10 ? 3 : pick < 17 ? 2 : 1;
  const phys_addr_t pa = level == 3 ? page_pa(rng) : level == 2 ? block2m_pa(rng) : block1g_pa(rng);
  const unsigned r = static_cast<unsigned>(rng.below(20));
  const unsigned s2ap = r < 9 ? desc::S2AP_RO : r < 17 ? desc::S2AP_RW : desc::S2AP_WO;
  const unsigned m = static_cast<unsigned>(rng.below(20));
  const unsigned memattr = m < 12   ? desc::MEMATTR_NORMAL_WB
                           : m < 17 ? desc::MEMATTR_DEVICE_nGnRE
                                    : desc::MEMATTR_NORMAL_WT;
  const unsigned s = static_cast<unsigned>(rng.below(20));
  const unsigned sh = s < 14 ? desc::SH_INNER : s < 17 ? desc::SH_OUTER : desc::SH_NON;
  const bool af = rng.below(20) < 17;
  const bool xn = rng.below(5) < 2;
  const std::uint64_t a = attrs(memattr, s2ap, sh, af, xn);
  const S2Desc d = level == 3 ? mmu::make_page(pa, a) : mmu::make_block(pa, a);
  const std::uint64_t v = d.raw;

  const std::string what =
      level == 3 ? "a level-3 page descriptor"
                 : std::string("a level-") + std::to_string(level) + " block descriptor (" + block_size(level) + ")";
  Question q;
  q.text = "encode " + what + ": output address " + pa_hex(pa) + ", S2AP " + mmu::s2ap_name(s2ap) + ", " +
           mmu::memattr_name(memattr) + " memory (MemAttr " + bin(memattr, 4) + "), " + mmu::sh_name(sh) + " (SH " +
           bin(sh, 2) + "), AF " + (af ? "1" : "0") + ", XN " + (xn ? "1" : "0") +
           "; every other bit 0.\nWrite the 64-bit value (hex).";
  q.accepts.number = true;
  q.answers = {desc_hex(v)};
  auto part = [&](const char* name, std::uint64_t mask, const std::string& meaning) {
    q.steps.push_back(std::string(name) + " = " + meaning + " -> " + hex(v & mask));
  };
  part("type [1:0]", desc::TYPE_MASK, bin(v & desc::TYPE_MASK, 2) + (level == 3 ? " (page)" : " (block)"));
  part("MemAttr [5:2]", desc::MEMATTR_MASK, bin(memattr, 4));
  part("S2AP [7:6]", desc::S2AP_MASK, bin(s2ap, 2) + " (" + mmu::s2ap_name(s2ap) + ": bit 6 read, bit 7 write)");
  part("SH [9:8]", desc::SH_MASK, bin(sh, 2));
  part("AF [10]", desc::AF, af ? "1" : "0");
  part("output address [39:12]", desc::OA_MASK_40, pa_hex(pa));
  part("XN [54]", desc::XN, xn ? "1" : "0");
  q.steps.push_back("OR of the parts: " + desc_hex(v));

  const unsigned swapped = ((s2ap & 1) << 1) | ((s2ap >> 1) & 1);
  q.mistakes.push_back({desc_hex((v & ~desc::S2AP_MASK) | (std::uint64_t{swapped} << desc::S2AP_SHIFT)),
                        std::string(kS2apOrder) + ": " + mmu::s2ap_name(s2ap) + " is " + bin(s2ap, 2)});
  if (level == 3)
    q.mistakes.push_back({desc_hex((v & ~desc::TYPE_MASK) | desc::TYPE_BLOCK),
                          "a level-3 page has bits [1:0] = 0b11; 0b01 is reserved at level 3"});
  else
    q.mistakes.push_back({desc_hex(v | desc::TYPE_TABLE), "0b11 at levels 1 and 2 is a table; a block is 0b01"});
  if (af)
    q.mistakes.push_back({desc_hex(v & ~desc::AF),
                          "AF is bit 10 (0x400): without it the first access takes an "
                          "access-flag fault (ARMv7 stage 2 never sets AF in hardware)"});
  q.mistakes.push_back({desc_hex((v & ~desc::MEMATTR_MASK) | memattr), "MemAttr is bits [5:2]: shift it left by 2"});
  if (sh)
    q.mistakes.push_back(
        {desc_hex(v & ~desc::SH_MASK), "SH is bits [9:8]: " + bin(sh, 2) + " -> " + hex(v & desc::SH_MASK)});
  if (xn) q.mistakes.push_back({desc_hex(v & ~desc::XN), "XN is bit 54, in the upper attributes: 0x0040000000000000"});
  q.explain = [v](const AnswerValue& got) { return field_diff(v, got.number); };
  p.questions.push_back(std::move(q));

  p.setup_json["encode"] = {{"level", level},
                            {"type", level == 3 ? "page" : "block"},
                            {"output_address", pa_hex(pa)},
                            {"s2ap", mmu::s2ap_name(s2ap)},
                            {"memattr", bin(memattr, 4)},
                            {"sh", bin(sh, 2)},
                            {"af", af ? 1 : 0},
                            {"xn", xn ? 1 : 0}};
}

}  // namespace

Problem make_descriptor_lab(const ProblemId& id) {
  Rng rng(workloads::derive_seed(id.seed, 1));
  Problem p = start_problem(id, "descriptor anatomy");
  p.setup =
      "Five 64-bit stage-2 descriptors (ARMv7 LPAE: 40-bit output addresses, 4 KiB\n"
      "granule), each as the walk reads it at the lookup level shown:\n\n";
  p.setup_json["descriptors"] = nlohmann::json::array();
  const std::vector<Kind> kinds = draw_kinds(rng, id.level);
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const Item it = draw(kinds[i], rng, id.level);
    const std::string name(1, static_cast<char>('A' + i));
    p.setup += "  " + name + "  level " + std::to_string(it.level) + "  " + desc_hex(it.d.raw) + "\n";
    p.setup_json["descriptors"].push_back({{"name", name}, {"level", it.level}, {"value", desc_hex(it.d.raw)}});
    // Each descriptor's bits under the field layout of a block or page descriptor: the
    // student still decides which layout applies at that level.
    p.figures.push_back(draw_fields("lab1-" + name + ".svg", "descriptor " + name + " (level " + std::to_string(it.level) + ")",
                                    it.d.raw, name + "  level " + std::to_string(it.level) + "  " + desc_hex(it.d.raw) +
                                        "  (fields of a block or page descriptor, ARM ARM B3.6.2)"));
    const mmu::DecodedDesc d = mmu::decode(it.d, it.level);
    add_type_question(p, name, d);
    add_address_question(p, name, d);
    add_s2ap_question(p, name, d);
    add_af_question(p, name, d);
  }
  p.setup +=
      "\nFour questions for each descriptor, answered as:\n"
      "  type            page, block, table or invalid\n"
      "  output address  hex (for a table: the next-level table's address); n/a if invalid\n"
      "  S2AP            in words: read-only, read/write, write-only or none; n/a if not a page or block\n"
      "  AF              1 or 0; n/a if not a page or block\n"
      "The last question asks you to write a descriptor from its fields.\n";
  add_encode_question(p, rng);
  finalize(p);
  return p;
}

}  // namespace s2sim::sim::lab
