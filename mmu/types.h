// Basic address types of the stage-2 model, named as the kernel names them.
#pragma once

#include <cstdint>

namespace s2sim::mmu {

using phys_addr_t = std::uint64_t;  // host physical address (stage-2 output address)
using ipa_t = std::uint64_t;        // intermediate physical address (stage-2 input)
using gfn_t = std::uint64_t;        // guest frame number: ipa >> PAGE_SHIFT
using pfn_t = std::uint64_t;        // host page frame number: pa >> PAGE_SHIFT

inline constexpr unsigned PAGE_SHIFT = 12;
inline constexpr std::uint64_t PAGE_SIZE = std::uint64_t{1} << PAGE_SHIFT;
inline constexpr std::uint64_t PAGE_MASK = ~(PAGE_SIZE - 1);
inline constexpr unsigned PTRS_PER_TABLE = 512;  // 4 KiB table of 8-byte descriptors

// Lookup levels as the ARM ARM numbers them (0..3). The kernel's names for the
// levels (pgd/pud/pmd/pte) depend on the geometry; see Geometry::level_name().
using level_t = int;
inline constexpr level_t kMaxLevel = 3;

// The kind of guest access that reaches stage 2.
enum class Access : std::uint8_t { Read, Write };

}  // namespace s2sim::mmu
