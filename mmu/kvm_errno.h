// The errno values KVM's ioctls return (include/uapi/asm-generic/errno-base.h); the
// mmu layer returns them negated, as the kernel does.
#pragma once

namespace s2sim::mmu {

inline constexpr int kENOENT = 2;
inline constexpr int kENXIO = 6;
inline constexpr int kE2BIG = 7;
inline constexpr int kENOMEM = 12;
inline constexpr int kEFAULT = 14;
inline constexpr int kEINVAL = 22;
inline constexpr int kENOTTY = 25;  // an ioctl the kernel does not have
inline constexpr int kEAGAIN = 11;

}  // namespace s2sim::mmu
