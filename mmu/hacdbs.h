// FEAT_HACDBS, the hardware accelerator for cleaning dirty state (ARM ARM DDI 0487,
// D8.5.2.4 "Hardware accelerator for cleaning dirty state", D24.2.58 HACDBSBR_EL2,
// D24.2.59 HACDBSCONS_EL2; the feature list makes it OPTIONAL from Armv9.4 and requires
// FEAT_HDBSS), and the software side KVM posted for it: Leonardo Bras (Arm), "[PATCH v1
// 00/12] KVM Dirty-bit cleaning accelerator (HACDBS)", kvmarm / linux-arm-kernel,
// 2026-04-30 (v2 2026-06-29, v3 2026-07-29), arch/arm64/kvm/dirty_bit.c.
//
// The hardware: software writes a list of HDBSS-format entries (IPA [55:12], TTWL [3:1],
// valid [0]) to memory, points HACDBSBR_EL2 at it (BADDR, SZ, EN) and the PE walks
// stage 2 for each valid entry from HACDBSCONS_EL2.INDEX on. A writable-dirty leaf is made
// writable-clean by an atomic read-modify-write; a writable-clean one is left alone; any
// other state, a level other than TTWL, the Contiguous bit or a reserved TTWL stops
// processing with ERR_REASON IPAHACF, a stage-2 fault (not a permission or access-flag
// one) with IPAF; INDEX then names the entry. The end of the list or an error raises
// HACDBSIRQ, a level-sensitive PPI. Cleaning does not touch the TLBs.
//
// The RFC's software (__kvm_arch_dirty_log_clear, in place of the write-protect of
// kvm_arch_mmu_enable_log_dirty_pt_masked, for KVM_CLEAR_DIRTY_LOG and for plain
// KVM_GET_DIRTY_LOG alike): under mmu_lock it turns each harvested bitmap word into
// page entries (TTWL 3 after eager splitting) in a one-page list (512 entries); a full
// list, and the last part-filled one, is handed to the hardware (dirty_bit_clear: a stop
// entry after the last one, EN set, the CPU waits in WFI for HACDBSIRQ). On an error
// the entries not cleaned go back to the dirty bitmap "as that will be used by the
// software routine": here, the configured write-protect walker cleans them and every
// page of the call after them (the RFC gives up on the hardware for the rest of it).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "mmu/access_sink.h"
#include "mmu/dbm.h"
#include "mmu/kvm.h"
#include "mmu/wp_walker.h"

namespace s2sim::mmu {

namespace hacdbs {
// HACDBSBR_EL2 (D24.2.58): BADDR [55:12] (aligned to the size), EN [11], SZ [3:0] with
// HDBSSBR_EL2.SZ's encodings (0b0000 4 KiB ... 0b1001 2 MiB).
inline constexpr std::uint64_t BR_BADDR_MASK = 0x00FFFFFFFFFFF000ull;
inline constexpr std::uint64_t BR_EN = std::uint64_t{1} << 11;
inline constexpr std::uint64_t BR_SZ_MASK = 0xF;
constexpr std::uint64_t make_br(phys_addr_t base, std::uint64_t bytes) {
  return (base & BR_BADDR_MASK) | BR_EN | (hdbss::size_field(bytes) & BR_SZ_MASK);
}
// Entries a list of HACDBSBR_EL2.SZ `sz` holds: 2^(SZ+12) / 8 (processing ends there).
constexpr std::uint64_t capacity(unsigned sz) { return (std::uint64_t{4096} << sz) / 8; }

// HACDBSCONS_EL2 (D24.2.59): ERR_REASON [63:62], INDEX [18:0], the next entry to read.
enum class Err : std::uint8_t { None = 0, StructF = 1, IpaF = 2, IpaHacF = 3 };
inline constexpr unsigned CONS_ERR_SHIFT = 62;
inline constexpr std::uint64_t CONS_INDEX_MASK = 0x7FFFF;
constexpr std::uint64_t make_cons(std::uint64_t index, Err err) {
  return (static_cast<std::uint64_t>(err) << CONS_ERR_SHIFT) | (index & CONS_INDEX_MASK);
}
constexpr std::uint64_t cons_index(std::uint64_t cons) { return cons & CONS_INDEX_MASK; }
constexpr Err cons_err(std::uint64_t cons) { return static_cast<Err>(cons >> CONS_ERR_SHIFT); }

// The RFC's stop entry, written after the last entry of a list that does not fill its
// size: valid, TTWL a reserved value (HDBSS_ENTRY_TTWL(-4), i.e. 4 in the 3-bit field);
// processing it raises IPAHACF at that index, which the RFC takes as the end.
inline constexpr std::uint64_t STOP_ENTRY = hdbss::VALID | (std::uint64_t{4} << hdbss::TTWL_SHIFT);
// The RFC's list: one page of entries (kmalloc of PAGE_SIZE), SZ 0b0000. Where it sits
// for the cache model: a page in physical space simulated table frames never reach.
inline constexpr std::uint64_t kRfcListEntries = capacity(0);
inline constexpr phys_addr_t kRfcListPa = 0xFE00000000ull;
}  // namespace hacdbs

// What one run of the hardware over a list did.
struct HacdbsRun {
  std::uint64_t cons = 0;           // HACDBSCONS_EL2 when HACDBSIRQ was raised
  std::uint64_t entries_read = 0;   // entries the PE read (the one that faulted included)
  std::uint64_t cleaned = 0;        // writable-dirty leaves made writable-clean
  std::uint64_t already_clean = 0;  // writable-clean leaves left alone
  std::uint64_t desc_loads = 0;     // descriptors the PE's stage-2 walks read
};

// The PE processing `list`, the memory HACDBSBR_EL2 value `br` points at, from
// HACDBSCONS_EL2.INDEX 0 until the end of the list (2^(SZ+12)/8 entries) or an error;
// nothing with EN clear. Descriptor loads and the cleaning stores go to `sink`.
HacdbsRun hacdbs_process(Kvm& kvm, std::uint64_t br, const std::vector<std::uint64_t>& list, AccessSink* sink);

// What the RFC's software side did over a run.
struct HacdbsStats {
  std::uint64_t entries_listed = 0;   // page entries written to the list (mask_to_hdbss)
  std::uint64_t rounds = 0;           // lists handed to the hardware (dirty_bit_clear)
  std::uint64_t entries_read = 0;     // entries the hardware read
  std::uint64_t cleaned = 0;          // leaves it made writable-clean
  std::uint64_t already_clean = 0;    // leaves it found writable-clean
  std::uint64_t desc_loads = 0;       // descriptors its walks read
  std::uint64_t errors = 0;           // rounds that stopped with an error
  std::uint64_t fallback_pages = 0;   // pages left to the write-protect walker after an error
};

// __kvm_arch_dirty_log_clear as a write-protect walker: get_dirty_log and
// clear_dirty_log hand it each harvested word as they hand any walker, and finish()
// at the end of their word loop, still under mmu_lock. `fallback` is the software
// routine for the pages an error leaves.
class HacdbsWalker final : public WpWalker {
 public:
  HacdbsWalker(Kvm& kvm, std::unique_ptr<WpWalker> fallback);
  const char* name() const override { return fallback_->name(); }
  void write_protect_masked(S2Walk& w, const Memslot& slot, gfn_t gfn_offset, std::uint64_t mask,
                            unsigned bits_per_long, WpStats& stats) override;
  void finish(S2Walk& w, const Memslot& slot, WpStats& stats) override;

  const HacdbsStats& stats() const { return st_; }
  const std::vector<std::uint64_t>& list() const { return list_; }

 private:
  void run_list(AccessSink* sink, const Memslot& slot, WpStats& stats);
  void fallback_page(AccessSink* sink, const Memslot& slot, gfn_t gfn, WpStats& stats);

  Kvm& kvm_;
  std::unique_ptr<WpWalker> fallback_;
  std::vector<std::uint64_t> list_;
  bool failed_ = false;  // an error in this call: the software routine does the rest
  HacdbsStats st_;
};

}  // namespace s2sim::mmu
