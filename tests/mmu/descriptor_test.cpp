// Golden stage-2 descriptor encodings, each derived by hand from the ARM ARM bit
// layout (DDI 0406C.d B3.6.2): type [1:0], MemAttr [5:2], S2AP [7:6], SH [9:8],
// AF [10], output address [39:12], contiguous [52], XN [54].
#include <gtest/gtest.h>

#include "mmu/descriptor.h"

using namespace s2sim::mmu;

namespace {
constexpr std::uint64_t kNormalWB = std::uint64_t{desc::MEMATTR_NORMAL_WB} << desc::MEMATTR_SHIFT;
constexpr std::uint64_t kInner = std::uint64_t{desc::SH_INNER} << desc::SH_SHIFT;
}  // namespace

TEST(DescriptorGolden, PageReadWrite) {
  // 0x80123000 | type 0b11 (0x3) | MemAttr 0b1111<<2 (0x3C) | S2AP 0b11<<6 (0xC0)
  //  | SH 0b11<<8 (0x300) | AF 1<<10 (0x400)  = 0x80123000 + 0x7FF
  const S2Desc d = make_page(0x80123000, kNormalWB | desc::L_PTE_S2_RDWR | kInner | desc::AF);
  EXPECT_EQ(d.raw, 0x00000000801237FFull);
}

TEST(DescriptorGolden, PageReadOnly) {
  // as above with S2AP 0b01<<6 (0x40) instead of 0xC0: 0x7FF - 0x80 = 0x77F
  const S2Desc d = make_page(0x80123000, kNormalWB | desc::L_PTE_S2_RDONLY | kInner | desc::AF);
  EXPECT_EQ(d.raw, 0x000000008012377Full);
}

TEST(DescriptorGolden, KernelPageS2IsReadOnlyPage) {
  // PAGE_S2 = MemAttr WB (0x3C) | RDONLY (0x40) | SH inner (0x300) | AF (0x400) = 0x77C;
  // with the page type bits 0b11: 0x77F.
  EXPECT_EQ(desc::PAGE_S2_ATTRS, 0x77Cull);
  EXPECT_EQ(make_page(0, desc::PAGE_S2_ATTRS).raw, 0x77Full);
}

TEST(DescriptorGolden, TableDescriptor) {
  // Next-level table at 0x80004000: address | 0b11 = 0x80004003; no attributes.
  EXPECT_EQ(make_table(0x80004000).raw, 0x0000000080004003ull);
  EXPECT_EQ(make_table(0x80004000).type(1), DescType::Table);
  EXPECT_EQ(make_table(0x80004000).type(2), DescType::Table);
}

TEST(DescriptorGolden, Block2MiBReadWrite) {
  // 2 MiB block at 0x80200000: type 0b01 (0x1) | 0x3C | 0xC0 | 0x300 | 0x400 = 0x7FD
  const S2Desc d = make_block(0x80200000, kNormalWB | desc::L_PTE_S2_RDWR | kInner | desc::AF);
  EXPECT_EQ(d.raw, 0x00000000802007FDull);
  EXPECT_EQ(d.type(2), DescType::Block);
  EXPECT_TRUE(pmd_huge(d));
}

TEST(DescriptorGolden, Block1GiBReadOnlyXN) {
  // 1 GiB block at 0xC0000000: 0x1 | 0x3C | 0x40 | 0x300 | 0x400 = 0x77D; XN bit 54
  // = 0x0040000000000000.
  const S2Desc d = make_block(0xC0000000, kNormalWB | desc::L_PTE_S2_RDONLY | kInner | desc::AF | desc::XN);
  EXPECT_EQ(d.raw, 0x00400000C000077Dull);
  EXPECT_EQ(d.type(1), DescType::Block);
  EXPECT_TRUE(d.xn());
}

TEST(DescriptorGolden, DevicePageNoAccessFlag) {
  // Device (ARMv7; ARMv8's Device-nGnRE) MemAttr 0b0001<<2 = 0x4; S2AP RW 0xC0; SH non-shareable 0; AF 0;
  // page 0x1C000000 | 0x3 -> 0x1C0000C7.
  const S2Desc d = make_page(0x1C000000, (std::uint64_t{desc::MEMATTR_DEVICE_nGnRE} << 2) | desc::L_PTE_S2_RDWR);
  EXPECT_EQ(d.raw, 0x000000001C0000C7ull);
  EXPECT_FALSE(d.af());
}

TEST(DescriptorGolden, ContiguousWriteThrough) {
  // MemAttr 0b1010 (WT) <<2 = 0x28; S2AP RW 0xC0; SH outer 0b10<<8 = 0x200; AF 0x400;
  // contiguous bit 52 = 0x0010000000000000; page 0xFF_FFFF_F000 (top of a 40-bit PA).
  const S2Desc d = make_page(0xFFFFFFF000ull, (0xAull << 2) | desc::L_PTE_S2_RDWR |
                                                 (std::uint64_t{desc::SH_OUTER} << 8) | desc::AF | desc::CONT);
  EXPECT_EQ(d.raw, 0x001000FFFFFFF6EBull);
  EXPECT_EQ(d.output_address(), 0xFFFFFFF000ull);
}

TEST(DescriptorGolden, WriteOnlyAndNone) {
  // S2AP 0b10 (write-only) = 0x80; S2AP 0b00 = nothing: page at 0x80000000 with AF.
  EXPECT_EQ(make_page(0x80000000, (std::uint64_t{desc::S2AP_WO} << 6) | desc::AF).raw, 0x80000483ull);
  EXPECT_EQ(make_page(0x80000000, desc::AF).raw, 0x80000403ull);
  EXPECT_TRUE(S2Desc{0x80000483ull}.writable());
  EXPECT_FALSE(S2Desc{0x80000483ull}.readable());
}

TEST(DescriptorGolden, SetReadonlyIsReadModifyWriteOfBits7To6) {
  // kvm_set_s2pte_readonly clears [7:6] then sets 0b01: 0x801237FF -> 0x8012377F;
  // kvm_set_s2pte_writable ORs in 0b11: back to 0x801237FF.
  const S2Desc rw{0x801237FFull};
  EXPECT_FALSE(kvm_s2pte_readonly(rw));
  const S2Desc ro = kvm_set_s2pte_readonly(rw);
  EXPECT_EQ(ro.raw, 0x8012377Full);
  EXPECT_TRUE(kvm_s2pte_readonly(ro));
  EXPECT_EQ(kvm_set_s2pte_writable(ro).raw, 0x801237FFull);
  // A write-only entry (0b10) is not "read-only" in the kernel's test, and becomes
  // read-only (0b01), not 0b11, when protected.
  EXPECT_FALSE(kvm_s2pte_readonly(S2Desc{0x80000483ull}));
  EXPECT_EQ(kvm_set_s2pte_readonly(S2Desc{0x80000483ull}).raw, 0x80000443ull);
}

TEST(DescriptorTypes, TypeBitsPerLevel) {
  // 0b01 is a block at levels 1-2, reserved (invalid) at level 3 and at level 0.
  EXPECT_EQ(S2Desc{0x1}.type(1), DescType::Block);
  EXPECT_EQ(S2Desc{0x1}.type(2), DescType::Block);
  EXPECT_EQ(S2Desc{0x1}.type(3), DescType::Invalid);
  EXPECT_EQ(S2Desc{0x1}.type(0), DescType::Invalid);
  EXPECT_EQ(S2Desc{0x3}.type(3), DescType::Page);
  EXPECT_EQ(S2Desc{0x3}.type(0), DescType::Table);
  EXPECT_EQ(S2Desc{0x2}.type(2), DescType::Invalid);
  EXPECT_EQ(S2Desc{0x0}.type(3), DescType::Invalid);
  EXPECT_FALSE(pte_present(S2Desc{0x2}));
  EXPECT_TRUE(pmd_none(S2Desc{0}));
  EXPECT_FALSE(pmd_huge(S2Desc{0x3}));
}

TEST(DescriptorDecode, FieldsAndMeanings) {
  const DecodedDesc d = decode(S2Desc{0x00400000801237FDull}, 2);
  EXPECT_EQ(d.type, DescType::Block);
  EXPECT_EQ(d.output_address, 0x80000000ull);  // 2 MiB aligned; low bits are RES0
  EXPECT_EQ(d.res0_violation, 0x123000ull);
  EXPECT_EQ(d.memattr, 0xFu);
  EXPECT_EQ(d.s2ap, 3u);
  EXPECT_EQ(d.sh, 3u);
  EXPECT_TRUE(d.af);
  EXPECT_TRUE(d.xn);
  EXPECT_EQ(memattr_name(0xF), "normal write-back");
  EXPECT_EQ(memattr_name(0x1), "device");  // ARMv7 wording (ARMv8: Device-nGnRE)
  EXPECT_EQ(memattr_name(0x0), "strongly-ordered");
  EXPECT_STREQ(s2ap_name(1), "read-only");
  // Bits [47:40] set in a 40-bit PA descriptor are reported.
  EXPECT_EQ(decode(S2Desc{0x0000AB0080000003ull}, 3).res0_violation, 0x0000AB0000000000ull);
  EXPECT_EQ(decode(S2Desc{0x0000AB0080000003ull}, 3, 48).output_address, 0x0000AB0080000000ull);
}
