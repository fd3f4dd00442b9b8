// Kernel behaviour profiles: what a given kernel does on the dirty-logging paths, as
// data. A profile holds no cycle costs (those are the machine's); it says which lock
// kind protects the stage-2 tables and who takes it how, how a write fault relaxes a
// read-only leaf and which TLBI follows, what BITS_PER_LONG is, where GET_DIRTY_LOG
// flushes, and which dirty-log APIs exist. Chosen by name (kernel_profile_registry(),
// the util/registry.h shape); kvm_options_from_profile() and
// dirty_log_options_from_profile() turn one into the mmu layer's options.
//
// The default for ARMv7 configurations, kDefaultArmv7Profile, is exactly today's
// KvmOptions{} and DirtyLogOptions{} (a test pins this), so existing results keep
// their meaning.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mmu/dirty_log.h"
#include "mmu/kvm.h"
#include "util/registry.h"

namespace s2sim::mmu {

enum class KernelArch : std::uint8_t { Armv7, Arm64 };

// The instruction sequence behind __kvm_tlb_flush_vmid_ipa (a per-IPA flush).
enum class IpaFlushInsn : std::uint8_t {
  // ARMv7 (arch/arm/kvm/interrupts.S, 3.9-4.x): no stage-2 invalidate by IPA, so
  // TLBIALLIS of the whole VMID, then DSB ISH.
  Tlbiallis,
  // arm64 (arch/arm64/kvm/hyp/tlb.c, 4.5+): TLBI IPAS2E1IS, DSB ISH, TLBI VMALLE1IS,
  // DSB ISH: two broadcast operations.
  Ipas2e1isVmalle1is,
};

// The instruction behind __kvm_tlb_flush_vmid (kvm_flush_remote_tlbs).
enum class FlushAllInsn : std::uint8_t {
  Tlbiallis,     // ARMv7: TLBIALLIS with VTTBR set to the VM (interrupts.S)
  Vmalls12e1is,  // arm64: TLBI VMALLS12E1IS, DSB ISH (hyp/tlb.c)
};

struct KernelProfile {
  std::string name;
  std::string description;  // one line, for listings

  // CONFIG_ARM / CONFIG_ARM64.
  KernelArch arch = KernelArch::Armv7;
  // BITS_PER_LONG: the dirty bitmap's word width (kvm_dirty_bitmap_bytes,
  // virt/kvm/kvm_main.c): 32 on ARMv7, 64 on arm64.
  unsigned bits_per_long = 32;

  // kvm->mmu_lock (include/linux/kvm_host.h): spinlock_t, or rwlock_t where the arch
  // defines KVM_HAVE_MMU_RWLOCK (arm64 5.18+).
  MmuLockKind mmu_lock = MmuLockKind::Spinlock;
  // Which stage-2 faults take mmu_lock for read in user_mem_abort()
  // (arch/arm64/kvm/mmu.c): none (spin_lock; arm64 < 5.18), relaxation only (5.18,
  // fcc5bf89635a/f783ef1c0e82), all (6.2, "Handle stage-2 faults in parallel").
  FaultLocking fault_lock = FaultLocking::Exclusive;

  // How a write fault on a read-only leaf is resolved: stage2_set_pte() over the
  // present entry (ARMv7 arch/arm/kvm/mmu.c), or kvm_pgtable_stage2_relax_perms() in
  // place (arm64 arch/arm64/kvm/hyp/pgtable.c, 5.10+).
  PermRelax perm_relax = PermRelax::SetPte;
  // stage2_set_pte()'s order over a present entry: write then flush (3.9 to the 2016
  // break-before-make change) or break-before-make (4.7+, stable backports).
  SetPteOrder set_pte_order = SetPteOrder::WriteThenFlush;
  // The TLBI after an in-place relaxation: __kvm_tlb_flush_vmid_ipa (5.10-6.4) or
  // __kvm_tlb_flush_vmid_ipa_nsh (6.5+, a12ab1378a88).
  RelaxTlbi relax_tlbi = RelaxTlbi::Broadcast;
  // kvm_pgtable_stage2_relax_perms() flushes on -EAGAIN too (be097997a273, 6.6).
  bool relax_tlbi_on_eagain = false;
  // A write fault on a block while logging: stage2_dissolve_pmd() (ARMv7 4.0) or the
  // block -> table break-before-make of stage2_map_walker_try_leaf (arm64), both
  // mapping one 4 KiB page with a broadcast per-IPA flush of the block.
  BlockPolicy block_on_logging_fault = BlockPolicy::Dissolve;
  // Where kvm_vm_ioctl_get_dirty_log() flushes: inside mmu_lock (the 2014 seed) or
  // after copy_to_user (4.0 as merged; later kvm_get_dirty_log_protect likewise).
  FlushPlacement flush_placement = FlushPlacement::Seed;
  // When user_mem_abort() tops up its memory cache (outside mmu_lock).
  MemcacheTopup memcache_topup = MemcacheTopup::Always;

  // The instructions behind the two broadcast flushes (hyp TLB code of the version).
  IpaFlushInsn ipa_flush = IpaFlushInsn::Tlbiallis;
  FlushAllInsn flush_all = FlushAllInsn::Tlbiallis;

  // The dirty-log APIs the kernel offers (KVM_CHECK_EXTENSION).
  KernelApis apis;
};

// The profile ARMv7 configurations get when they name none: today's behaviour.
inline constexpr std::string_view kDefaultArmv7Profile = "seed-2014-armv7";

using KernelProfileFactory = KernelProfile (*)();
using KernelProfileRegistry = util::Registry<KernelProfileFactory>;

// The process-wide registry, holding the built-in profiles from first use on.
const KernelProfileRegistry& kernel_profile_registry();
// The profile registered as `name`, or false (out untouched).
bool find_kernel_profile(std::string_view name, KernelProfile* out);
// The registered names, in order (for "did you mean" and listings).
const std::vector<std::string>& kernel_profile_names();
// The profile `name`, or kDefaultArmv7Profile when `name` is empty or unknown (a
// config's key is checked against kernel_profile_names() before it is used).
KernelProfile kernel_profile_or_default(std::string_view name);

// For a CLI listing: every profile's name and one-line description, in order.
struct KernelProfileListing {
  std::string name;
  std::string description;
};
std::vector<KernelProfileListing> list_kernel_profiles();

// The mmu layer's options for a VM following `p` on `geometry`.
KvmOptions kvm_options_from_profile(const KernelProfile& p, const Geometry& geometry);
// GET_DIRTY_LOG's options (BITS_PER_LONG, flush placement) for `p`; the teaching
// switches keep their defaults.
DirtyLogOptions dirty_log_options_from_profile(const KernelProfile& p);

const char* to_string(KernelArch a);
const char* to_string(MmuLockKind k);
const char* to_string(FaultLocking f);
const char* to_string(PermRelax p);
const char* to_string(RelaxTlbi t);

}  // namespace s2sim::mmu
