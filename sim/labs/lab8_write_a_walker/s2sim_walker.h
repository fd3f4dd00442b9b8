// s2sim_walker.h -- what a lab 8 walker is written against (s2sim lab 8, "write a walker").
//
// Write one C++ file that includes this header and defines
//
//   extern "C" void kvm_mmu_write_protect_pt_masked(struct kvm *kvm, struct kvm_memory_slot *slot,
//                                                   gfn_t gfn_offset, unsigned long mask);
//
// as KVM/ARM's get_dirty_log calls it (arch/arm/kvm/mmu.c, Linux 3.19-4.x): for every
// bit i set in `mask`, the page gfn = slot->base_gfn + gfn_offset + i must be
// write-protected in the stage-2 tables, so that the guest's next write to it faults and
// is logged again. `mask` has kvm_bits_per_long(kvm) bits (32 on ARMv7).
//
// The tables are ARMv7 LPAE stage-2 tables (40-bit IPA, pud folded): a level-1 entry
// (the "pud", which is the pgd entry) maps 1 GiB, a pmd 2 MiB, a pte 4 KiB. They live in
// the simulator's physical memory: read and write descriptors only through the
// s2_read_* / s2_write_* functions below, which count every load and store (upper-level
// loads are graded) and check each one (a table pointer taken from an entry that is not
// a table, a store into an entry that does not map the address given, ...). The
// descriptor tests below are plain bit tests on values already read: they cost nothing.
//
// A descriptor "pointer" is the physical address of the entry (phys_addr_t); a
// descriptor is its 64-bit value (pud_t, pmd_t, pte_t). Every access names the IPA it
// is made for (`addr`), as the kernel's walk carries it.
//
// Build:  s2sim lab build 8 walker.cpp       (g++ or $CXX: -std=c++20 -shared -fPIC)
// Grade:  s2sim lab check 8 walker.cpp
#ifndef S2SIM_WALKER_H
#define S2SIM_WALKER_H

#include <cstdint>

#define S2SIM_WALKER_ABI 1

typedef std::uint64_t gfn_t;        // guest frame number: IPA >> PAGE_SHIFT
typedef std::uint64_t phys_addr_t;  // an IPA, or the physical address of a descriptor
typedef std::uint64_t pud_t;        // a level-1 descriptor (ARMv7 LPAE: the pgd entry, pud folded)
typedef std::uint64_t pmd_t;        // a level-2 descriptor
typedef std::uint64_t pte_t;        // a level-3 descriptor

// What the simulator hands the walker: use the functions below, not these members.
struct s2sim_walker_ops {
  unsigned abi;            // S2SIM_WALKER_ABI
  unsigned bits_per_long;  // bits of `mask`: BITS_PER_LONG of the modelled kernel
  phys_addr_t (*pgd_offset)(void *ctx, phys_addr_t addr);
  std::uint64_t (*load)(void *ctx, phys_addr_t entry, int level, phys_addr_t addr);
  void (*store)(void *ctx, phys_addr_t entry, int level, std::uint64_t value, phys_addr_t addr);
  phys_addr_t (*table_of)(void *ctx, std::uint64_t entry, int level, phys_addr_t addr);
};
struct kvm {
  const s2sim_walker_ops *ops;
  void *ctx;
};
struct kvm_memory_slot {
  gfn_t base_gfn;
  unsigned long npages;
  int id;
};

// The plug-in's ABI version: `s2sim lab check 8` refuses a plug-in built against another.
extern "C" const unsigned s2sim_walker_abi = S2SIM_WALKER_ABI;

// --- sizes (arch/arm/include/asm/pgtable-3level.h) -----------------------------------
#define PAGE_SHIFT 12
#define PMD_SHIFT 21
#define PGDIR_SHIFT 30
#define PAGE_SIZE (1ull << PAGE_SHIFT)
#define PMD_SIZE (1ull << PMD_SHIFT)
#define PMD_MASK (~(PMD_SIZE - 1))
#define PGDIR_SIZE (1ull << PGDIR_SHIFT)
#define PGDIR_MASK (~(PGDIR_SIZE - 1))
#define PTRS_PER_PTE 512
#define PTRS_PER_PMD 512

static inline unsigned kvm_bits_per_long(const struct kvm *kvm) { return kvm->ops->bits_per_long; }

// __ffs / __fls: the lowest / highest set bit of a non-zero word.
static inline unsigned long __ffs(unsigned long word) { return static_cast<unsigned long>(__builtin_ctzl(word)); }
static inline unsigned long __fls(unsigned long word) {
  return static_cast<unsigned long>(8 * sizeof(long) - 1 - static_cast<unsigned>(__builtin_clzl(word)));
}

// The end of the 1 GiB / 2 MiB region holding `addr`, or `end` if that comes first.
static inline phys_addr_t kvm_pgd_addr_end(phys_addr_t addr, phys_addr_t end) {
  const phys_addr_t boundary = (addr + PGDIR_SIZE) & PGDIR_MASK;
  return boundary - 1 < end - 1 ? boundary : end;
}
static inline phys_addr_t pmd_addr_end(phys_addr_t addr, phys_addr_t end) {
  const phys_addr_t boundary = (addr + PMD_SIZE) & PMD_MASK;
  return boundary - 1 < end - 1 ? boundary : end;
}

// --- walking: entry addresses (no load) ----------------------------------------------
// The level-1 entry mapping `addr`: kvm->arch.pgd + pgd_index(addr).
static inline phys_addr_t pgd_offset(struct kvm *kvm, phys_addr_t addr) { return kvm->ops->pgd_offset(kvm->ctx, addr); }
// Folded pud (asm-generic/pgtable-nopud.h): the pud is the pgd entry.
static inline phys_addr_t pud_offset(phys_addr_t pgd, phys_addr_t /*addr*/) { return pgd; }
// The pmd entry mapping `addr` in the table a level-1 table descriptor points to.
static inline phys_addr_t pmd_offset(struct kvm *kvm, pud_t pud, phys_addr_t addr) {
  return kvm->ops->table_of(kvm->ctx, pud, 1, addr) + ((addr >> PMD_SHIFT) & (PTRS_PER_PMD - 1)) * 8;
}
// The pte entry mapping `addr` in the table a pmd table descriptor points to.
static inline phys_addr_t pte_offset_kernel(struct kvm *kvm, pmd_t pmd, phys_addr_t addr) {
  return kvm->ops->table_of(kvm->ctx, pmd, 2, addr) + ((addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1)) * 8;
}

// --- walking: loads and stores (each one counted and checked) ------------------------
static inline pud_t s2_read_pud(struct kvm *kvm, phys_addr_t pud, phys_addr_t addr) {
  return kvm->ops->load(kvm->ctx, pud, 1, addr);
}
static inline pmd_t s2_read_pmd(struct kvm *kvm, phys_addr_t pmd, phys_addr_t addr) {
  return kvm->ops->load(kvm->ctx, pmd, 2, addr);
}
static inline pte_t s2_read_pte(struct kvm *kvm, phys_addr_t pte, phys_addr_t addr) {
  return kvm->ops->load(kvm->ctx, pte, 3, addr);
}
// A store into a level-1 entry (a 1 GiB block), a pmd (a 2 MiB block) or a pte.
static inline void s2_write_pud(struct kvm *kvm, phys_addr_t pud, pud_t value, phys_addr_t addr) {
  kvm->ops->store(kvm->ctx, pud, 1, value, addr);
}
static inline void s2_write_pmd(struct kvm *kvm, phys_addr_t pmd, pmd_t value, phys_addr_t addr) {
  kvm->ops->store(kvm->ctx, pmd, 2, value, addr);
}
static inline void s2_write_pte(struct kvm *kvm, phys_addr_t pte, pte_t value, phys_addr_t addr) {
  kvm->ops->store(kvm->ctx, pte, 3, value, addr);
}

// --- descriptor tests on values (ARM ARM B3.6.1; arch/arm/include/asm/kvm_mmu.h) ------
// Bits [1:0]: 0b11 table (levels 1-2) or page (level 3), 0b01 block (levels 1-2),
// bit 0 clear: invalid. S2AP [7:6]: 0b01 read-only, 0b11 read/write.
static inline bool pud_none(pud_t pud) { return pud == 0; }
static inline bool pud_present(pud_t pud) { return (pud & 1) != 0; }
static inline bool pud_huge(pud_t pud) { return (pud & 3) == 1; }  // a 1 GiB block
static inline bool pmd_none(pmd_t pmd) { return pmd == 0; }
static inline bool pmd_present(pmd_t pmd) { return (pmd & 1) != 0; }
static inline bool pmd_huge(pmd_t pmd) { return (pmd & 3) == 1; }  // a 2 MiB block
static inline bool pte_present(pte_t pte) { return (pte & 1) != 0; }

#define L_PTE_S2_RDONLY (1ull << 6)
#define L_PTE_S2_RDWR (3ull << 6)
static inline bool kvm_s2pte_readonly(pte_t pte) { return (pte & L_PTE_S2_RDWR) == L_PTE_S2_RDONLY; }
static inline pte_t kvm_set_s2pte_readonly(pte_t pte) { return (pte & ~L_PTE_S2_RDWR) | L_PTE_S2_RDONLY; }
static inline bool kvm_s2pmd_readonly(pmd_t pmd) { return (pmd & L_PTE_S2_RDWR) == L_PTE_S2_RDONLY; }
static inline pmd_t kvm_set_s2pmd_readonly(pmd_t pmd) { return (pmd & ~L_PTE_S2_RDWR) | L_PTE_S2_RDONLY; }

// What you write.
extern "C" void kvm_mmu_write_protect_pt_masked(struct kvm *kvm, struct kvm_memory_slot *slot, gfn_t gfn_offset,
                                                unsigned long mask);

#endif
