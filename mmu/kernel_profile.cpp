#include "mmu/kernel_profile.h"

namespace s2sim::mmu {

namespace {

// The 2014 dirty-logging series on ARMv7 (v4 of the patch set, against 3.16/3.17):
// spin_lock everywhere, stage2_set_pte writes then flushes, GET_DIRTY_LOG flushes
// inside mmu_lock. The block policy is s2sim's default (the dissolve 4.0 merged),
// so that this profile is today's behaviour exactly.
KernelProfile seed_2014_armv7() {
  KernelProfile p;
  p.name = "seed-2014-armv7";
  p.description = "ARMv7 LPAE, the 2014 dirty-logging patch: spinlock, flush inside mmu_lock (default)";
  return p;  // every field at its ARMv7 default
}

// Linux 4.0 ARMv7 as merged (arch/arm/kvm/mmu.c): the same paths, the flush of
// kvm_vm_ioctl_get_dirty_log after copy_to_user.
KernelProfile linux_4_0_armv7() {
  KernelProfile p = seed_2014_armv7();
  p.name = "linux-4.0-armv7";
  p.description = "ARMv7 LPAE, Linux 4.0 as merged: spinlock, GET_DIRTY_LOG flushes after copy_to_user";
  p.flush_placement = FlushPlacement::Merged;
  return p;
}

// What every arm64 profile shares (arch/arm64/kvm/mmu.c, hyp/pgtable.c, hyp/tlb.c).
KernelProfile arm64_common() {
  KernelProfile p;
  p.arch = KernelArch::Arm64;
  p.bits_per_long = 64;
  // kvm_pgtable_stage2_relax_perms() (5.10+): S2AP W set with one atomic update.
  p.perm_relax = PermRelax::InPlace;
  // Every other update of a present entry is break-before-make (stage2_try_break_pte).
  p.set_pte_order = SetPteOrder::BreakBeforeMake;
  // kvm_get_dirty_log_protect(): kvm_flush_remote_tlbs_memslot after the unlock.
  p.flush_placement = FlushPlacement::Merged;
  // user_mem_abort(): no kvm_mmu_topup_memory_cache for a permission fault unless
  // logging and writing (5.x+).
  p.memcache_topup = MemcacheTopup::SkipPermissionFaults;
  p.ipa_flush = IpaFlushInsn::Ipas2e1isVmalle1is;
  p.flush_all = FlushAllInsn::Vmalls12e1is;
  // KVM_CLEAR_DIRTY_LOG (5.0, kvm_clear_dirty_log_protect) with
  // KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 (5.3) and INITIALLY_SET on arm64 (5.8,
  // c862626e19ef).
  p.apis.clear_dirty_log = true;
  p.apis.initially_set = true;
  return p;
}

// Linux 5.17 arm64: mmu_lock still a spinlock (KVM_HAVE_MMU_RWLOCK came in 5.18), so
// every relaxation serializes, each followed by the broadcast IPAS2E1IS + VMALLE1IS
// pair of __kvm_tlb_flush_vmid_ipa: the baseline of the 5.18 read-lock series' table.
KernelProfile linux_5_17_arm64() {
  KernelProfile p = arm64_common();
  p.name = "linux-5.17-arm64";
  p.description = "arm64, Linux 5.17: spinlock, relax in place + broadcast TLBI pair, GET and CLEAR";
  return p;
}

// Linux 5.18 arm64: KVM_HAVE_MMU_RWLOCK with the fast path of Jing Zhang's series
// (fcc5bf89635a, f783ef1c0e82): a write permission fault on a 4 KiB leaf while
// logging relaxes it under read_lock; every other fault still takes the write lock.
// The relaxation is still followed by the broadcast IPAS2E1IS + VMALLE1IS pair.
KernelProfile linux_5_18_arm64() {
  KernelProfile p = arm64_common();
  p.name = "linux-5.18-arm64";
  p.description = "arm64, Linux 5.18: rwlock (relaxations read), relax in place + broadcast TLBI pair, GET and CLEAR";
  p.mmu_lock = MmuLockKind::Rwlock;
  p.fault_lock = FaultLocking::ReadForRelax;
  return p;
}

// Linux 6.6 arm64: rwlock with every stage-2 fault under read_lock (6.2), relaxation
// in place followed by the local __kvm_tlb_flush_vmid_ipa_nsh (6.5), also on -EAGAIN
// (be097997a273, 6.6-rc); dirty ring with ACQ_REL + WITH_BITMAP (6.1/6.2) and eager
// splitting (6.5, KVM_CAP_ARM_EAGER_SPLIT_CHUNK_SIZE).
KernelProfile linux_6_6_arm64() {
  KernelProfile p = arm64_common();
  p.name = "linux-6.6-arm64";
  p.description = "arm64, Linux 6.6: rwlock (faults read), relax in place + local TLBI, CLEAR, ring, eager split";
  p.mmu_lock = MmuLockKind::Rwlock;
  p.fault_lock = FaultLocking::ReadAll;
  p.relax_tlbi = RelaxTlbi::Local;
  p.relax_tlbi_on_eagain = true;
  p.apis.dirty_ring = true;
  p.apis.eager_split = true;
  return p;
}

}  // namespace

const KernelProfileRegistry& kernel_profile_registry() {
  static const KernelProfileRegistry registry = [] {
    KernelProfileRegistry r;
    for (KernelProfileFactory f : {&seed_2014_armv7, &linux_4_0_armv7, &linux_5_17_arm64, &linux_5_18_arm64,
                                    &linux_6_6_arm64}) {
      const KernelProfile p = f();
      r.add(p.name, f, p.description);
    }
    return r;
  }();
  return registry;
}

bool find_kernel_profile(std::string_view name, KernelProfile* out) {
  const KernelProfileFactory* f = kernel_profile_registry().find(name);
  if (!f) return false;
  *out = (*f)();
  return true;
}

const std::vector<std::string>& kernel_profile_names() { return kernel_profile_registry().names(); }

KernelProfile kernel_profile_or_default(std::string_view name) {
  KernelProfile p;
  if (!find_kernel_profile(name, &p)) find_kernel_profile(kDefaultArmv7Profile, &p);
  return p;
}

std::vector<KernelProfileListing> list_kernel_profiles() {
  std::vector<KernelProfileListing> out;
  const KernelProfileRegistry& r = kernel_profile_registry();
  for (const std::string& n : r.names()) out.push_back({n, r.entry(n)->description});
  return out;
}

KvmOptions kvm_options_from_profile(const KernelProfile& p, const Geometry& geometry) {
  KvmOptions o;
  o.geometry = geometry;
  o.block_policy = p.block_on_logging_fault;
  o.set_pte_order = p.set_pte_order;
  o.perm_relax = p.perm_relax;
  o.relax_tlbi = p.relax_tlbi;
  o.relax_tlbi_on_eagain = p.relax_tlbi_on_eagain;
  o.mmu_lock = p.mmu_lock;
  o.fault_locking = p.fault_lock;
  o.memcache_topup = p.memcache_topup;
  o.apis = p.apis;
  return o;
}

DirtyLogOptions dirty_log_options_from_profile(const KernelProfile& p) {
  DirtyLogOptions o;
  o.bits_per_long = p.bits_per_long;
  o.flush_placement = p.flush_placement;
  return o;
}

const char* to_string(KernelArch a) { return a == KernelArch::Armv7 ? "armv7" : "arm64"; }

const char* to_string(MmuLockKind k) { return k == MmuLockKind::Spinlock ? "spinlock" : "rwlock"; }

const char* to_string(FaultLocking f) {
  switch (f) {
    case FaultLocking::Exclusive: return "none";
    case FaultLocking::ReadForRelax: return "relax_only";
    case FaultLocking::ReadAll: return "all";
  }
  return "?";
}

const char* to_string(PermRelax p) { return p == PermRelax::SetPte ? "set_pte" : "in_place"; }

const char* to_string(RelaxTlbi t) { return t == RelaxTlbi::Broadcast ? "broadcast_ipa" : "local"; }

}  // namespace s2sim::mmu
