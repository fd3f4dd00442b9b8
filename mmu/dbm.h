// Hardware management of the access flag and dirty state at stage 2 (Armv8.1
// FEAT_HAFDBS; ARM ARM DDI 0487 D8.4.6 "Hardware management of the Access flag" and
// D8.4.7 "Hardware management of dirty state"), and the software side KVM needs to
// use it for dirty logging, as the stage-2 DBM RFCs posted it (Keqian Zhu, 2020:
// DBM only on leaf ptes that are writable, dirty state collected by scanning them).
//
// The states of a stage-2 leaf with VTCR_EL2.HD = 1:
//   DBM 0, S2AP[1] 0   read-only: a write takes a permission fault (write protection)
//   DBM 1, S2AP[1] 0   writable-clean: a write makes the walker set S2AP[1], no fault
//   DBM 1, S2AP[1] 1   writable-dirty
// The walker's update is an atomic read-modify-write of the descriptor, so software
// that cleans an entry (S2AP[1] back to 0) must use an atomic too (a cmpxchg loop, as
// the RFCs do); a cleaned entry may still sit writable in some TLB until the TLBs are
// invalidated. With VTCR_EL2.HA = 1 the walker likewise sets AF on an access instead
// of raising an access flag fault.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mmu/access_sink.h"
#include "mmu/descriptor.h"
#include "mmu/hw_walk.h"
#include "mmu/kvm.h"

namespace s2sim::mmu {

// Which hardware dirty-state mechanism the VM uses (config dirty_log.hw_dirty).
//   None    write protection and write faults only (every kernel that shipped)
//   Dbm     stage-2 DBM; dirty state found by scanning the slot's leaf ptes
//   Hdbss   DBM plus FEAT_HDBSS: each clean->dirty update appends to a per-vCPU buffer
//   Hacdbs  HDBSS plus FEAT_HACDBS: the pages get_dirty_log / clear_dirty_log clean are
//           cleaned by the hardware from a list (mmu/hacdbs.h), not write-protected
enum class HwDirty : std::uint8_t { None, Dbm, Hdbss, Hacdbs };
const char* to_string(HwDirty mode);
// The mode `name` names, or nothing; kHwDirtyNames lists the names for messages.
std::optional<HwDirty> hw_dirty_from_string(const std::string& name);
inline constexpr const char* kHwDirtyNames = "none, dbm, hdbss or hacdbs";

namespace vtcr {
// VTCR_EL2 (ARM ARM D19.2): HA bit 21, HD bit 22, HDBSS bit 45 (Armv9.5; its
// effective value is 0 unless HA and HD are both 1).
inline constexpr std::uint64_t HA = std::uint64_t{1} << 21;
inline constexpr std::uint64_t HD = std::uint64_t{1} << 22;
inline constexpr std::uint64_t HDBSS = std::uint64_t{1} << 45;
}  // namespace vtcr

// What VTCR_EL2's hardware-management bits are for a mode: HA|HD for every
// hardware mode (dirty-state management requires access-flag management), plus HDBSS.
std::uint64_t vtcr_hw_bits(HwDirty mode);

// The descriptor states above.
constexpr bool s2_writable_clean(S2Desc d) { return d.dbm() && !d.writable(); }
constexpr bool s2_writable_dirty(S2Desc d) { return d.dbm() && d.writable(); }
// The RFCs' kvm_set_s2pte_dbm / the clean of a dirty entry (S2AP[1] cleared, DBM kept).
constexpr S2Desc kvm_set_s2pte_dbm(S2Desc d) { return S2Desc{d.raw | desc::DBM}; }
constexpr S2Desc kvm_s2pte_clean(S2Desc d) { return S2Desc{d.raw & ~(std::uint64_t{desc::S2AP_WO} << desc::S2AP_SHIFT)}; }

// What the hardware walker does with the leaf it found for an access that would
// otherwise fault: the descriptor it stores instead (S2AP[1] set for a write to a
// writable-clean leaf with HD; AF set with HA), or nothing when the fault stands.
std::optional<S2Desc> hw_update(S2Desc leaf, Access access, FaultKind fault, std::uint64_t vtcr_bits);

// An HDBSS entry (the HDBSS_ENTRY_* layout the HDBSS and HACDBS series share): bit 0
// valid, bits [3:1] TTWL, the lookup level of the leaf (3 for a page), bits [55:12]
// the IPA of the page or block.
namespace hdbss {
inline constexpr std::uint64_t VALID = 1;
inline constexpr unsigned TTWL_SHIFT = 1;
inline constexpr std::uint64_t TTWL_MASK = std::uint64_t{7} << TTWL_SHIFT;
inline constexpr std::uint64_t IPA_MASK = 0x00FFFFFFFFFFF000ull;  // [55:12]
constexpr std::uint64_t make_entry(ipa_t ipa, level_t level) {
  return (ipa & IPA_MASK) | (static_cast<std::uint64_t>(level & 7) << TTWL_SHIFT) | VALID;
}
constexpr ipa_t entry_ipa(std::uint64_t e) { return e & IPA_MASK; }
constexpr level_t entry_level(std::uint64_t e) { return static_cast<level_t>((e & TTWL_MASK) >> TTWL_SHIFT); }
// HDBSSBR_EL2.SZ: 0b0000 4 KiB ... 0b1001 2 MiB (the 2026 register description).
constexpr unsigned size_field(std::uint64_t bytes) {
  unsigned sz = 0;
  while ((std::uint64_t{4096} << sz) < bytes) ++sz;
  return sz;
}
}  // namespace hdbss

// One vCPU's HDBSS buffer: HDBSSBR_EL2 (base, size) and HDBSSPROD_EL2.INDEX. The
// hardware appends an entry for each clean->dirty update; when INDEX reaches the
// end, the update raises a data abort with ESR ISS2.HDBSSF instead and the
// hypervisor drains the buffer (the access is retried).
class HdbssBuffer {
 public:
  explicit HdbssBuffer(std::uint64_t bytes = 4096) : capacity_(bytes / 8) { entries_.reserve(capacity_); }
  std::uint64_t capacity() const { return capacity_; }
  std::uint64_t index() const { return entries_.size(); }  // HDBSSPROD_EL2.INDEX
  bool full() const { return entries_.size() >= capacity_; }
  // The walker's append; false (nothing written) when the buffer is full.
  bool append(ipa_t ipa, level_t level);
  // The hypervisor's drain: every entry to mark_page_dirty_in_slot() of `slot` (entries
  // outside it are dropped), INDEX back to 0. Returns the entries read.
  std::uint64_t drain(Kvm& kvm, Memslot& slot, int vcpu);
  const std::vector<std::uint64_t>& entries() const { return entries_; }

 private:
  std::uint64_t capacity_;
  std::vector<std::uint64_t> entries_;
};

// What one scan of leaf entries found and changed.
struct DbmScanStats {
  std::uint64_t ptes_scanned = 0;     // leaf ptes read
  std::uint64_t blocks_scanned = 0;   // 2 MiB / 1 GiB leaves read
  std::uint64_t ptes_cleaned = 0;     // writable ptes made writable-clean (DBM set if it was not)
  std::uint64_t blocks_protected = 0; // writable blocks made read-only (no DBM on blocks, as the RFC)
  std::uint64_t pages_dirty = 0;      // pages marked dirty
  DbmScanStats& operator+=(const DbmScanStats& o);
};

// kvm_arch_sync_dirty_log()'s scan over [first, end) of `slot` (the caller steps it a
// pmd at a time): every writable leaf is dirty -- mark_page_dirty() its pages -- and
// is cleaned in the same atomic update (a pte becomes writable-clean, DBM set; a block
// becomes read-only). Test and clean are one cmpxchg, so a write the walker makes
// after it is found in the next scan, never lost between the two. Every descriptor
// load and store goes to `sink`. No TLB maintenance: the caller flushes.
DbmScanStats dbm_scan_clean(Kvm& kvm, Memslot& slot, gfn_t first, gfn_t end, AccessSink* sink);

// Before software clears a leaf (an unmap): a writable-dirty one carries the only
// record of its writes since the last scan, so its pages are marked dirty first (the
// 2020 DBM RFC's "save stage2 PTE dirty status if it is covered"). The same value
// the clear loads; no access of its own.
void dbm_save_dirty_on_clear(Kvm& kvm, S2Desc old, ipa_t addr, level_t level);

// After a write fault made the leaf for `ipa` writable while logging: sets DBM on it
// in the same store (the HDBSS series' "first write fault relaxes and sets DBM"), so
// that once cleaned its next write needs no fault. Returns whether a pte was changed.
bool dbm_arm_after_write_fault(Kvm& kvm, ipa_t ipa);

}  // namespace s2sim::mmu
