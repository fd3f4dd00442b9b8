#include "mmu/hacdbs.h"

#include <bit>

namespace s2sim::mmu {

namespace {

// D8.5.2.4 for one valid entry: the error it raises, or None once its leaf is handled.
hacdbs::Err process_entry(Kvm& kvm, std::uint64_t e, AccessSink* sink, HacdbsRun& run) {
  using hacdbs::Err;
  const level_t ttwl = hdbss::entry_level(e);
  // A 4 KiB-granule stage 2 (no FEAT_LPA2) has lookup levels 0-3; other TTWL values are
  // reserved (the RFC's stop entry uses 4).
  if (ttwl > 3) return Err::IpaHacF;
  const ipa_t ipa = hdbss::entry_ipa(e);
  const S2Lookup r = kvm.pgtable.lookup(ipa);
  for (unsigned i = 0; i < r.nvisited; ++i) {
    if (sink) sink->on_load(r.visited[i], static_cast<level_t>(r.level + 1 + i - r.nvisited));
    ++run.desc_loads;
  }
  // Any MMU fault but a permission or an access-flag one: here, a walk that finds no
  // leaf (the model maps every page with AF set).
  if (r.out_of_range || !r.mapped) return Err::IpaF;
  if (r.level != ttwl || r.desc.contiguous()) return Err::IpaHacF;
  if (s2_writable_clean(r.desc)) {
    ++run.already_clean;
    return Err::None;
  }
  if (!s2_writable_dirty(r.desc)) return Err::IpaHacF;  // read-only without DBM, or no access
  // The atomic read-modify-write: a vCPU write ordered after it finds the leaf
  // writable-clean and dirties it again through the walker (hw_update), with an HDBSS
  // entry; one ordered before it is in the page the caller reports dirty.
  kvm.pgtable.mem().store64(r.desc_pa, kvm_s2pte_clean(r.desc).raw);
  if (sink) sink->on_store(r.desc_pa, r.level);
  ++run.cleaned;
  return Err::None;
}

}  // namespace

HacdbsRun hacdbs_process(Kvm& kvm, std::uint64_t br, const std::vector<std::uint64_t>& list, AccessSink* sink) {
  HacdbsRun run;
  if (!(br & hacdbs::BR_EN)) return run;  // HACDBS processing disabled
  const std::uint64_t end = hacdbs::capacity(static_cast<unsigned>(br & hacdbs::BR_SZ_MASK));
  std::uint64_t index = 0;
  for (; index < end; ++index) {
    // Entries past what software wrote read as zero (invalid) here; software ends a
    // shorter list with a stop entry.
    const std::uint64_t e = index < list.size() ? list[index] : 0;
    ++run.entries_read;
    if (!(e & hdbss::VALID)) continue;  // not processed, INDEX moves on
    const hacdbs::Err err = process_entry(kvm, e, sink, run);
    if (err != hacdbs::Err::None) {
      run.cons = hacdbs::make_cons(index, err);
      return run;
    }
  }
  run.cons = hacdbs::make_cons(index, hacdbs::Err::None);
  return run;
}

HacdbsWalker::HacdbsWalker(Kvm& kvm, std::unique_ptr<WpWalker> fallback) : kvm_(kvm), fallback_(std::move(fallback)) {
  list_.reserve(hacdbs::kRfcListEntries);
}

void HacdbsWalker::write_protect_masked(S2Walk& w, const Memslot& slot, gfn_t gfn_offset, std::uint64_t mask,
                                        unsigned bits_per_long, WpStats& stats) {
  if (failed_) {
    fallback_->write_protect_masked(w, slot, gfn_offset, mask, bits_per_long, stats);
    return;
  }
  ++stats.calls;
  // The listed pages are cleaned (or handed to the fallback) before mmu_lock drops.
  w.mark_covered(mask);
  for (std::uint64_t m = mask; m; m &= m - 1) {
    const gfn_t gfn = slot.base_gfn + gfn_offset + static_cast<unsigned>(std::countr_zero(m));
    if (failed_) {
      fallback_page(w.sink(), slot, gfn, stats);
      continue;
    }
    // mask_to_hdbss: the page's IPA, TTWL 3 (the RFC's TTWL from the split chunk: pages).
    list_.push_back(hdbss::make_entry(gfn << PAGE_SHIFT, 3));
    ++st_.entries_listed;
    if (list_.size() >= hacdbs::kRfcListEntries) run_list(w.sink(), slot, stats);
  }
}

void HacdbsWalker::finish(S2Walk& w, const Memslot& slot, WpStats& stats) {
  if (!list_.empty()) run_list(w.sink(), slot, stats);
  failed_ = false;
}

void HacdbsWalker::run_list(AccessSink* sink, const Memslot& slot, WpStats& stats) {
  // hacdbs_start: a stop entry after a list shorter than its page; HACDBSCONS_EL2 zeroed,
  // HACDBSBR_EL2 at the page with EN set.
  const std::uint64_t n = list_.size();
  if (n < hacdbs::kRfcListEntries) list_.push_back(hacdbs::STOP_ENTRY);
  const HacdbsRun run = hacdbs_process(kvm_, hacdbs::make_br(hacdbs::kRfcListPa, 4096), list_, sink);
  ++st_.rounds;
  st_.entries_read += run.entries_read;
  st_.cleaned += run.cleaned;
  st_.already_clean += run.already_clean;
  st_.desc_loads += run.desc_loads;
  const std::uint64_t stopped = hacdbs::cons_index(run.cons);
  if (stopped < n) {
    // A real error (not the stop entry): the entries from INDEX on were not cleaned.
    ++st_.errors;
    failed_ = true;
    for (std::uint64_t i = stopped; i < n; ++i) fallback_page(sink, slot, hdbss::entry_ipa(list_[i]) >> PAGE_SHIFT, stats);
  }
  list_.clear();
}

void HacdbsWalker::fallback_page(AccessSink* sink, const Memslot& slot, gfn_t gfn, WpStats& stats) {
  // One page as a word of its own: the walker gets a word-aligned offset, as always.
  const gfn_t offset = (gfn - slot.base_gfn) & ~gfn_t{63};
  const std::uint64_t bit = std::uint64_t{1} << ((gfn - slot.base_gfn) & 63);
  S2Walk w(kvm_.pgtable, sink, &kvm_.hazards, fallback_->name());
  w.track_mask(slot.base_gfn + offset, 64);
  fallback_->write_protect_masked(w, slot, offset, bit, 64, stats);
  w.report_abandoned(bit);
  ++st_.fallback_pages;
}

}  // namespace s2sim::mmu
