// Bit-exact ARMv7 LPAE / ARMv8 stage-2 translation table descriptors.
//
// Layout from the ARM ARM (DDI 0406C.d B3.6.2 "Long-descriptor translation table
// format descriptors", stage-2 attributes in B3.6.2 / Figure B3-17; ARMv8 DDI 0487
// D8.3 for the same fields in AArch64):
//   [1:0]   type: 0b11 table (levels 0-2) or page (level 3); 0b01 block (levels 1-2);
//           bit 0 clear = invalid; 0b01 at level 3 is reserved (treated as invalid)
//   [5:2]   MemAttr (stage-2 memory attributes)
//   [7:6]   S2AP / HAP: bit 6 read, bit 7 write (00 none, 01 RO, 10 WO, 11 RW)
//   [9:8]   SH shareability
//   [10]    AF access flag
//   [39:12] output address (40-bit PA on ARMv7 LPAE; [47:12] with a 48-bit PA)
//   [51]    DBM (ARMv8.1 dirty-bit modifier; not on ARMv7)
//   [52]    contiguous hint
//   [54]    XN execute-never
#pragma once

#include <cstdint>
#include <string>

#include "mmu/types.h"

namespace s2sim::mmu {

namespace desc {
inline constexpr std::uint64_t TYPE_MASK = 0x3;
inline constexpr std::uint64_t TYPE_TABLE = 0x3;  // levels 0-2: next-level table
inline constexpr std::uint64_t TYPE_PAGE = 0x3;   // level 3: 4 KiB page
inline constexpr std::uint64_t TYPE_BLOCK = 0x1;  // levels 1-2: 1 GiB / 2 MiB block
inline constexpr std::uint64_t VALID = 0x1;

inline constexpr unsigned MEMATTR_SHIFT = 2;
inline constexpr std::uint64_t MEMATTR_MASK = std::uint64_t{0xF} << MEMATTR_SHIFT;
inline constexpr unsigned MEMATTR_NORMAL_WB = 0xF;  // outer+inner write-back
inline constexpr unsigned MEMATTR_NORMAL_WT = 0xA;  // outer+inner write-through
inline constexpr unsigned MEMATTR_NORMAL_NC = 0x5;  // outer+inner non-cacheable
inline constexpr unsigned MEMATTR_DEVICE_nGnRE = 0x1;

inline constexpr unsigned S2AP_SHIFT = 6;
inline constexpr std::uint64_t S2AP_MASK = std::uint64_t{3} << S2AP_SHIFT;
inline constexpr unsigned S2AP_NONE = 0b00;
inline constexpr unsigned S2AP_RO = 0b01;
inline constexpr unsigned S2AP_WO = 0b10;
inline constexpr unsigned S2AP_RW = 0b11;
// The kernel's names (arch/arm/include/asm/pgtable-3level.h).
inline constexpr std::uint64_t L_PTE_S2_RDONLY = std::uint64_t{S2AP_RO} << S2AP_SHIFT;
inline constexpr std::uint64_t L_PTE_S2_RDWR = std::uint64_t{S2AP_RW} << S2AP_SHIFT;

inline constexpr unsigned SH_SHIFT = 8;
inline constexpr std::uint64_t SH_MASK = std::uint64_t{3} << SH_SHIFT;
inline constexpr unsigned SH_NON = 0b00;
inline constexpr unsigned SH_OUTER = 0b10;
inline constexpr unsigned SH_INNER = 0b11;

inline constexpr std::uint64_t AF = std::uint64_t{1} << 10;
inline constexpr std::uint64_t DBM = std::uint64_t{1} << 51;
inline constexpr std::uint64_t CONT = std::uint64_t{1} << 52;
inline constexpr std::uint64_t XN = std::uint64_t{1} << 54;

// Output address field. ARMv7 LPAE: bits [39:12]; bits [47:40] must be zero.
inline constexpr std::uint64_t OA_MASK_40 = 0x000000FFFFFFF000ull;
inline constexpr std::uint64_t OA_MASK_48 = 0x0000FFFFFFFFF000ull;

// Lower attributes of a fresh KVM/ARM stage-2 mapping, the kernel's PAGE_S2:
// normal write-back memory, inner shareable, access flag set, read-only.
inline constexpr std::uint64_t PAGE_S2_ATTRS =
    (std::uint64_t{MEMATTR_NORMAL_WB} << MEMATTR_SHIFT) | L_PTE_S2_RDONLY |
    (std::uint64_t{SH_INNER} << SH_SHIFT) | AF;
}  // namespace desc

// What a descriptor is when found at a given lookup level.
enum class DescType : std::uint8_t { Invalid, Table, Block, Page };

const char* to_string(DescType t);
const char* s2ap_name(unsigned s2ap);  // "none", "read-only", "write-only", "read/write"
const char* sh_name(unsigned sh);
std::string memattr_name(unsigned memattr);

// A stage-2 descriptor value. Plain 64-bit data; what it means depends on the level.
struct S2Desc {
  std::uint64_t raw = 0;

  constexpr bool valid() const { return (raw & desc::VALID) != 0; }
  constexpr DescType type(level_t level) const {
    if (!valid()) return DescType::Invalid;
    const bool bit1 = (raw & 0x2) != 0;
    if (level == kMaxLevel) return bit1 ? DescType::Page : DescType::Invalid;
    if (bit1) return DescType::Table;
    // Blocks exist at levels 1 and 2 with a 4 KiB granule; a block at level 0 is invalid.
    return level >= 1 ? DescType::Block : DescType::Invalid;
  }
  constexpr unsigned memattr() const { return static_cast<unsigned>((raw & desc::MEMATTR_MASK) >> desc::MEMATTR_SHIFT); }
  constexpr unsigned s2ap() const { return static_cast<unsigned>((raw & desc::S2AP_MASK) >> desc::S2AP_SHIFT); }
  constexpr unsigned sh() const { return static_cast<unsigned>((raw & desc::SH_MASK) >> desc::SH_SHIFT); }
  constexpr bool af() const { return (raw & desc::AF) != 0; }
  constexpr bool contiguous() const { return (raw & desc::CONT) != 0; }
  constexpr bool xn() const { return (raw & desc::XN) != 0; }
  constexpr bool dbm() const { return (raw & desc::DBM) != 0; }
  constexpr bool readable() const { return (s2ap() & 0b01) != 0; }
  constexpr bool writable() const { return (s2ap() & 0b10) != 0; }
  // Output address (table address for a table descriptor), 40-bit PA by default.
  constexpr phys_addr_t output_address(std::uint64_t oa_mask = desc::OA_MASK_40) const { return raw & oa_mask; }

  friend constexpr bool operator==(S2Desc, S2Desc) = default;
};

// Builders. `oa` must be aligned to the mapping size; attributes are the lower and
// upper attribute bits (S2AP, MemAttr, SH, AF, XN, ...), type bits are set here.
constexpr S2Desc make_table(phys_addr_t table_pa) { return S2Desc{(table_pa & desc::OA_MASK_48) | desc::TYPE_TABLE}; }
constexpr S2Desc make_page(phys_addr_t pa, std::uint64_t attrs) {
  return S2Desc{(pa & desc::OA_MASK_48) | (attrs & ~(desc::OA_MASK_48 | desc::TYPE_MASK)) | desc::TYPE_PAGE};
}
constexpr S2Desc make_block(phys_addr_t pa, std::uint64_t attrs) {
  return S2Desc{(pa & desc::OA_MASK_48) | (attrs & ~(desc::OA_MASK_48 | desc::TYPE_MASK)) | desc::TYPE_BLOCK};
}

// Kernel helpers (arch/arm/include/asm/kvm_mmu.h): S2AP is read-modify-written in place.
constexpr bool kvm_s2pte_readonly(S2Desc d) { return (d.raw & desc::S2AP_MASK) == desc::L_PTE_S2_RDONLY; }
constexpr S2Desc kvm_set_s2pte_readonly(S2Desc d) { return S2Desc{(d.raw & ~desc::S2AP_MASK) | desc::L_PTE_S2_RDONLY}; }
constexpr S2Desc kvm_set_s2pte_writable(S2Desc d) { return S2Desc{d.raw | desc::L_PTE_S2_RDWR}; }
// The pmd versions act on the same bits of a block descriptor.
constexpr bool kvm_s2pmd_readonly(S2Desc d) { return kvm_s2pte_readonly(d); }
constexpr S2Desc kvm_set_s2pmd_readonly(S2Desc d) { return kvm_set_s2pte_readonly(d); }
constexpr S2Desc kvm_set_s2pmd_writable(S2Desc d) { return kvm_set_s2pte_writable(d); }

// Presence tests as the ARM kernel defines them for LPAE: any value with the valid
// bit set is present; pmd_huge() is a valid block (bit 1 clear) at pmd level.
constexpr bool pte_present(S2Desc d) { return d.valid(); }
constexpr bool pmd_present(S2Desc d) { return d.valid(); }
constexpr bool pud_present(S2Desc d) { return d.valid(); }
constexpr bool pmd_none(S2Desc d) { return d.raw == 0; }
constexpr bool pud_none(S2Desc d) { return d.raw == 0; }
constexpr bool pmd_huge(S2Desc d) { return d.valid() && (d.raw & 0x2) == 0; }
constexpr bool pmd_block(S2Desc d) { return pmd_huge(d); }
constexpr bool pud_huge(S2Desc d) { return pmd_huge(d); }

// Every field of a descriptor as decoded at a level; what `s2sim decode` prints.
struct DecodedDesc {
  std::uint64_t raw = 0;
  level_t level = kMaxLevel;
  DescType type = DescType::Invalid;
  phys_addr_t output_address = 0;
  unsigned memattr = 0, s2ap = 0, sh = 0;
  bool af = false, contiguous = false, xn = false, dbm = false;
  std::uint64_t res0_violation = 0;  // bits that must be zero on this geometry but are not
};
DecodedDesc decode(S2Desc d, level_t level, unsigned pa_bits = 40);

}  // namespace s2sim::mmu
