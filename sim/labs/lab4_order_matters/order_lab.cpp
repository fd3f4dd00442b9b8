// Lab 4, order matters: KVM_GET_DIRTY_LOG (kvm_vm_ioctl_get_dirty_log ->
// kvm_get_dirty_log_protect, virt/kvm/kvm_main.c) does its steps in one order --
// snapshot-and-clear each bitmap word (xchg), write-protect the word's pages
// (kvm_mmu_write_protect_pt_masked), flush the VM's TLBs (kvm_flush_remote_tlbs),
// copy the snapshot to user space -- and the guest keeps writing all along. The seed
// picks a small migration and one of the engine's teaching switches that breaks the
// order (dirty_log.flush_tlbs = false, or dirty_log.snapshot = "after_wp"); the
// student saves the config, runs it with `s2sim run` and reads the verifier.
//
// The machine is the what-if cortex-a57-ipa-only: a Cortex-A57 whose per-IPA flush
// drops only that IPA's entries. On the Cortex-A15 (ARMv7) every write-protect
// fault's TLB flush is a TLBIALLIS for the whole VMID (__kvm_tlb_flush_vmid_ipa
// ignores the IPA), which wipes the stale writable entries a missing
// kvm_flush_remote_tlbs() leaves and hides most of the damage; real arm64 KVM does
// the same with the TLBI VMALLE1IS that follows its TLBI IPAS2E1IS, so only the
// what-if shows the damage whole. One question has the student see that by running
// the config on both.
//
// Every number is what the engine computes for the printed config (run_lab_config is
// what `s2sim run` does): a draw is kept only if the switch loses writes on the A57,
// the kernel's order loses none, and the A15 run shows the contrast the lab teaches.
#include <stdexcept>

#include "mmu/granule.h"
#include "sim/labs/lab_choice.h"
#include "sim/labs/lab_figures.h"
#include "sim/labs/lab_problems.h"
#include "sim/labs/lab_sim.h"
#include "sim/labs/lab_text.h"
#include "workloads/prng.h"

namespace s2sim::sim::lab {

namespace {

using workloads::Rng;

constexpr unsigned kAttempts = 12;

struct Draw {
  nlohmann::ordered_json doc;
  bool no_flush = false;  // the switch: flush_tlbs false, else snapshot after_wp
};

bool is_no_flush(const nlohmann::ordered_json& doc) { return !doc["dirty_log"]["flush_tlbs"].get<bool>(); }

// The --set that restores the kernel's order, as the student types it.
std::string kernel_override(bool no_flush) {
  return no_flush ? "dirty_log.flush_tlbs=true" : "dirty_log.snapshot=kernel";
}
std::string switch_text(bool no_flush) {
  return no_flush ? "dirty_log.flush_tlbs = false" : "dirty_log.snapshot = \"after_wp\"";
}

nlohmann::json plain(const nlohmann::ordered_json& doc) { return nlohmann::json::parse(doc.dump()); }

RunResult run(nlohmann::json doc, const std::string& set_path, const nlohmann::json& value) {
  if (!set_path.empty()) doc[nlohmann::json::json_pointer(set_path)] = value;
  return run_lab_config(doc, "lab 4");
}

std::string gfn_hex(std::uint64_t g) { return hex(g); }

class OrderLab {
 public:
  explicit OrderLab(const ProblemId& id) : id_(id), rng_(workloads::derive_seed(id.seed, 4, 1000)) {
    for (unsigned attempt = 0; attempt < kAttempts; ++attempt) {
      doc_ = order_lab_config(id.seed, attempt);
      // Under a key the seed is never shown: the comment names the problem by its id.
      doc_["comment"] = "Lab 4 (order matters), " + id.label() + doc_["comment"].get<std::string>().substr(
                                                                     doc_["comment"].get<std::string>().find(':'));
      no_flush_ = is_no_flush(doc_);
      const nlohmann::json d = plain(doc_);
      sw_ = run(d, "", nullptr);
      if (sw_.lost_writes == 0 || sw_.first_lost.empty()) continue;
      kernel_ = no_flush_ ? run(d, "/dirty_log/flush_tlbs", true) : run(d, "/dirty_log/snapshot", "kernel");
      if (kernel_.lost_writes != 0) throw std::logic_error("lab 4: the kernel's order lost writes");
      a15_ = run(d, "/machine", "cortex-a15");
      if (no_flush_ ? a15_.lost_writes < sw_.lost_writes : a15_.lost_writes > 0) return;
    }
    throw std::logic_error("lab 4 " + id.label() + ": no draw shows the lost writes");
  }

  Problem make() {
    p_ = start_problem(id_, "order matters");
    p_.config = doc_.dump(2) + "\n";
    write_setup();
    add_lost_question();
    add_kernel_question();
    add_first_gfn_question();
    add_step_question();
    add_why_safe_question();
    add_a15_count_question();
    add_a15_why_question();
    add_figures();
    finalize(p_);
    return std::move(p_);
  }

 private:
  std::string file() const { return "lab4.json"; }
  std::string run_cmd(const std::string& set = "") const {
    return "s2sim run " + file() + (set.empty() ? "" : " --set " + set);
  }

  void write_setup() {
    const auto& w = doc_["workload"];
    const auto& slot = doc_["memslots"][0];
    const std::uint64_t base = slot["base_gfn"].get<std::uint64_t>(), npages = slot["npages"].get<std::uint64_t>();
    const std::uint64_t first = w["first_gfn"].get<std::uint64_t>(), pages = w["pages"].get<std::uint64_t>();
    std::string& s = p_.setup;
    s = "A small pre-copy migration on a what-if Cortex-A57 whose per-IPA TLB flush drops only that IPA's\n"
        "entries (machine cortex-a57-ipa-only; real arm64 KVM also issues TLBI VMALLE1IS after it),\n"
        "ARMv7 LPAE stage-2 tables, " +
        std::to_string(doc_["vcpus"].get<unsigned>()) + " vCPU(s) running a " + w["kind"].get<std::string>() +
        " workload over gfns [" + gfn_hex(first) + ", " + gfn_hex(first + pages) + ") of a " + std::to_string(npages) +
        "-page memslot at base_gfn " + gfn_hex(base) + ";\nwalker " + doc_["dirty_log"]["walker"].get<std::string>() +
        ", " + std::to_string(precopy_rounds(sw_)) +
        " pre-copy rounds as the run goes (threshold stop rule), then stop-and-copy and the verifier.\n\n"
        "get_dirty_log runs with one teaching switch out of the kernel's order:\n  " +
        switch_text(no_flush_) + "\n" +
        (no_flush_ ? "  (the bitmap words are snapshotted and their pages write-protected, but\n"
                     "   kvm_flush_remote_tlbs() is never called)\n"
                   : "  (the pages of each word are write-protected and the TLBs flushed first; the\n"
                     "   bitmap words are snapshotted and cleared only afterwards, outside mmu_lock)\n") +
        "\nSave the config and run it, then with the kernel's order, then on a Cortex-A15:\n"
        "  s2sim lab show 4 " +
        id_.args() + " --config > " + file() + "\n  " + run_cmd() + "      # exits 1: writes were lost\n  " +
        run_cmd(kernel_override(no_flush_)) + "\n  " + run_cmd("machine=cortex-a15") + "\n\nThe config:\n" + p_.config;
    p_.setup_json = {{"switch", no_flush_ ? "flush_tlbs=false" : "snapshot=after_wp"},
                     {"kernel_order", kernel_override(no_flush_)},
                     {"file", file()}};
  }

  // get_dirty_log against a vCPU: the kernel's order (Linux 4.0: the loop in
  // kvm_get_dirty_log_protect, virt/kvm/kvm_main.c, which does not flush; the ARM
  // caller kvm_vm_ioctl_get_dirty_log, arch/arm/kvm/arm.c, flushes after it returns,
  // i.e. after copy_to_user) and this problem's order with its switch; solve adds the
  // vCPU's write that is lost.
  void add_figures() {
    const std::vector<std::string> lanes = {"vCPU", "KVM_GET_DIRTY_LOG", "stage-2 TLBs"};
    const std::vector<SeqStep> kernel = {{1, 1, "spin_lock(mmu_lock)"},
                                         {1, 1, "snapshot: xchg(word, 0) into the buffer"},
                                         {1, 1, "protect: kvm_mmu_write_protect_pt_masked"},
                                         {1, 1, "spin_unlock(mmu_lock)"},
                                         {1, 1, "copy_to_user(bitmap)"},
                                         {1, 2, "kvm_flush_remote_tlbs (ARM caller)"},
                                         {1, 0, "ioctl returns: user space copies the pages"}};
    p_.figures.push_back(draw_sequence("lab4-kernel-order.svg", "get_dirty_log in the kernel's order", lanes, kernel));
    std::vector<SeqStep> mine, lost;
    if (no_flush_) {
      mine = {{1, 1, "spin_lock(mmu_lock)"},         {1, 1, "snapshot: xchg(word, 0) into the buffer"},
              {1, 1, "protect: kvm_mmu_write_protect_pt_masked"}, {1, 1, "spin_unlock(mmu_lock)"},
              {1, 1, "copy_to_user(bitmap)"},        {1, 2, "no kvm_flush_remote_tlbs (flush_tlbs false)", true},
              {1, 0, "ioctl returns: user space copies the pages"}};
      lost = {{0, 2, "write hits a writable TLB entry cached before the protect", true},
              {0, 0, "no fault, no mark_page_dirty: the write is lost", true}};
    } else {
      mine = {{1, 1, "spin_lock(mmu_lock)"},         {1, 1, "protect: kvm_mmu_write_protect_pt_masked"},
              {1, 2, "kvm_flush_remote_tlbs"},        {1, 1, "spin_unlock(mmu_lock)"},
              {1, 1, "snapshot after the protect: xchg(word, 0)", true}, {1, 1, "copy_to_user(bitmap)"},
              {1, 0, "ioctl returns: user space copies the pages"}};
      lost = {{0, 1, "write faults on the protected pte: mark_page_dirty, pte writable", true},
              {1, 1, "the late snapshot takes and clears that bit", true},
              {0, 0, "later writes hit the writable pte: no fault, no bit: lost", true}};
    }
    const std::string title = std::string("get_dirty_log with ") + (no_flush_ ? "flush_tlbs = false" : "snapshot = after_wp");
    p_.figures.push_back(draw_sequence("lab4-this-order.svg", title, lanes, mine));
    p_.solved_figures = p_.figures;
    std::vector<SeqStep> solved = mine;
    // The vCPU's write goes where it does its damage: after the ioctl (no flush: the
    // stale entry outlives it) or between the unlock and the late snapshot.
    solved.insert(no_flush_ ? solved.end() : solved.begin() + 4, lost.begin(), lost.end());
    p_.solved_figures.back() = draw_sequence("lab4-this-order.svg", title + ": the lost write", lanes, solved);
  }

  std::string verify_line(const RunResult& r) const {
    return "verify: FAILED — " + std::to_string(r.lost_writes) + " lost write(s) in " +
           std::to_string(r.checked_pages) + " pages";
  }
  // The pre-copy rounds the run made, counted from its report (not the rule's limit).
  static std::size_t precopy_rounds(const RunResult& r) {
    std::size_t n = 0;
    for (const RoundStats& rd : r.rounds) n += !rd.stop_and_copy;
    return n;
  }

  std::string rounds_text(const RunResult& r) const {
    std::vector<std::string> v;
    for (const RoundStats& rd : r.rounds) v.push_back(std::to_string(rd.dirty_pages) + (rd.stop_and_copy ? "*" : ""));
    return join(v, ", ");
  }

  void add_lost_question() {
    Question q;
    q.text = "run the config as printed (" + run_cmd() + "): how many writes does the verifier report lost? (decimal)";
    q.accepts.number = true;
    q.answers = {std::to_string(sw_.lost_writes)};
    q.steps = {run_cmd() + " exits 1; the last lines read", verify_line(sw_),
               "dirty pages per round: " + rounds_text(sw_) + " (* = stop-and-copy)"};
    const std::string a15 = std::to_string(a15_.lost_writes);
    if (sw_.lost_writes > sw_.first_lost.size())
      q.mistakes.push_back({std::to_string(sw_.first_lost.size()),
                            "the report lists only the first " + std::to_string(sw_.first_lost.size()) +
                                " lost pages; the count is on the \"verify: FAILED — N lost write(s)\" line"});
    q.mistakes.push_back({"0",
                          "0 is what the kernel's order gives; run the config as printed, with the switch "
                          "(it exits 1)"});
    q.mistakes.push_back({a15,
                          "that is the count on the Cortex-A15 (--set machine=cortex-a15); the config runs "
                          "on the what-if Cortex-A57 (cortex-a57-ipa-only)"});
    q.explain = [cmd = run_cmd()](const AnswerValue&) {
      return "run " + cmd +
             " and read the \"verify: FAILED — N lost write(s)\" line (same config, same seed, "
             "same numbers)";
    };
    p_.questions.push_back(std::move(q));
  }

  void add_kernel_question() {
    Question q;
    const std::string cmd = run_cmd(kernel_override(no_flush_));
    q.text = "restore the kernel's order (" + cmd + "): how many writes are lost now? (decimal)";
    q.accepts.number = true;
    q.answers = {std::to_string(kernel_.lost_writes)};
    q.steps = {
        cmd + " exits 0: verify: OK — " + std::to_string(kernel_.checked_pages) + " pages checked, no write lost",
        "dirty pages per round: " + rounds_text(kernel_)};
    q.mistakes.push_back(
        {std::to_string(sw_.lost_writes),
         "that is the count with the switch; add --set " + kernel_override(no_flush_) + " to run the kernel's order"});
    q.explain = [cmd](const AnswerValue&) {
      return "run " + cmd + ": with snapshot -> protect -> flush -> copy the verifier finds nothing lost";
    };
    p_.questions.push_back(std::move(q));
  }

  void add_first_gfn_question() {
    const LostWrite& l = sw_.first_lost.front();
    Question q;
    q.text = "with the switch, which page does the verifier list first? (its gfn, hex 0x... or decimal)";
    q.accepts.number = true;
    q.answers = {hex(l.gfn)};
    q.steps = {"the first line under \"" + verify_line(sw_) + "\":",
               "gfn " + hex(l.gfn) + ": source version " + std::to_string(l.source_version) + ", copied " +
                   std::to_string(l.copied_version) + " (round " + std::to_string(l.round) + ")",
               "the destination holds an older version than the guest wrote last: that write never reached the "
               "dirty bitmap, so no later round sent the page"};
    q.mistakes.push_back({hex(l.gfn << 12), "that is the IPA (gfn << 12); the verifier lists gfns (IPA >> 12)"});
    // The hex digits read as a decimal number (only when they are all digits).
    const std::string h = hex(l.gfn).substr(2);
    if (h.find_first_not_of("0123456789") == std::string::npos && h.size() < 19)
      q.mistakes.push_back({h, "the report prints gfns in hex: write 0x" + h});
    const std::uint64_t base = doc_["memslots"][0]["base_gfn"].get<std::uint64_t>();
    q.mistakes.push_back({std::to_string(l.gfn - base),
                          "that is the page's index in the memslot (gfn - base_gfn); the verifier prints the gfn"});
    if (sw_.first_lost.size() > 1)
      q.mistakes.push_back({hex(sw_.first_lost.back().gfn),
                            "that is the last page listed; the question asks for the first (lowest gfn)"});
    q.explain = [](const AnswerValue&) {
      return std::string("the lines after \"verify: FAILED\" read \"gfn 0x...: source version ...\": give the first");
    };
    p_.questions.push_back(std::move(q));
  }

  void add_step_question() {
    Question q;
    q.text =
        "the kernel's steps are snapshot, protect, flush and copy (Linux 4.0 flushes after copy_to_user, the\n"
        "2014 seed before it; both before the ioctl returns). Which step, done where the kernel does it,\n"
        "prevents these lost writes? (snapshot, protect, flush or copy)";
    q.accepts.words = {{"snapshot", "xchg", "snapshot and clear", "snapshot-and-clear", "snapshot+clear"},
                       {"protect", "write-protect", "write protect", "wp", "kvm_mmu_write_protect_pt_masked"},
                       {"flush", "tlb flush", "flush tlbs", "flush the tlbs", "kvm_flush_remote_tlbs"},
                       {"copy", "copy_to_user", "copy out", "copy the bitmap"}};
    if (no_flush_) {
      q.answers = {"flush"};
      q.steps = {
          "flush_tlbs = false skips kvm_flush_remote_tlbs(): the ptes are read-only in the tables, but a "
          "vCPU that cached a writable TLB entry before the protect keeps writing through it -- no walk, no "
          "permission fault, no mark_page_dirty(); its page was already reported and is never sent again",
          "the flush removes those entries before the ioctl returns, so the next write walks the tables, "
          "faults and sets the page's bit for the next round"};
      q.mistakes = {{"snapshot",
                     "the snapshot is taken in the kernel's place here (before the protect); what is missing is "
                     "the flush: the vCPUs' TLBs still hold writable entries for the protected pages"},
                    {"protect",
                     "the pages are write-protected in the tables; but a TLB entry cached before the protect "
                     "lets the write through without a walk, so without the flush the protect is not seen"},
                    {"copy",
                     "copy_to_user() copies the bitmap to user space; it cannot stop writes that go through stale "
                     "TLB entries"}};
    } else {
      q.answers = {"snapshot"};
      q.steps = {
          "with the snapshot after the protect and flush, a write that faults on a just-protected page "
          "makes its pte writable again and sets its bit -- then the late snapshot takes and clears that "
          "bit: the page is reported once, stays writable, and has no dirty bit for any later write",
          "snapshot first (xchg the word, then protect its pages): a write that faults after the snapshot "
          "sets the bit in the live bitmap, which the next round reports"};
      q.mistakes = {{"protect",
                     "the protect is done -- too early relative to the snapshot: a write that faults between the "
                     "two leaves a writable pte whose bit the late snapshot clears"},
                    {"flush",
                     "the flush is done here (flush_tlbs is true); the damage is not in a TLB but a writable pte "
                     "whose dirty bit was cleared, which no flush changes"},
                    {"copy",
                     "copy_to_user() only copies the bitmap; the bit was already lost when the late snapshot "
                     "cleared it"}};
    }
    p_.questions.push_back(std::move(q));
  }

  void add_why_safe_question() {
    Question q;
    make_choice(
        q, "why is the kernel's order (snapshot -> protect, then flush and copy before the ioctl returns) safe?",
        {"whatever the guest does, every page is at all times either dirty in the bitmap, or write-protected with "
         "no writable TLB entry left: a write then either faults and sets its bit for the next round, or came "
         "before the snapshot and is in this round's copy",
         ""},
        {{"get_dirty_log holds mmu_lock from the snapshot to the copy, so the guest cannot write meanwhile",
          "vCPUs write through their TLBs without any lock; only a fault takes mmu_lock. The guest keeps writing "
          "during the whole ioctl and while user space copies"},
         {"the TLB flush is done before copy_to_user() of the bitmap",
          "the merged kernel flushes after copy_to_user() and is just as safe: what matters is that the flush is "
          "done before the ioctl returns, i.e. before user space copies any page"},
         {"user space copies each reported page twice, once before and once after the flush",
          "each round copies a reported page once; a later write is caught because it faults (its TLB entry is "
          "gone) and sets the page's bit for the next round"}},
        rng_);
    q.steps.push_back(
        "the engine can check exactly this invariant after each get_dirty_log: run with --set "
        "verify.invariants=true");
    p_.questions.push_back(std::move(q));
  }

  void add_a15_count_question() {
    Question q;
    const std::string cmd = run_cmd("machine=cortex-a15");
    q.text = "run the same config (switch on) on a Cortex-A15 (" + cmd + "): how many writes are lost? (decimal)";
    q.accepts.number = true;
    q.answers = {std::to_string(a15_.lost_writes)};
    q.steps = {cmd + (a15_.lost_writes ? " exits 1: " + verify_line(a15_) : std::string(" exits 0: no write lost")),
               "on the Cortex-A57 the same config lost " + std::to_string(sw_.lost_writes)};
    q.mistakes.push_back({std::to_string(sw_.lost_writes),
                          "that is the Cortex-A57's count; add --set machine=cortex-a15 (the report's second line "
                          "names the machine)"});
    if (a15_.lost_writes > a15_.first_lost.size())
      q.mistakes.push_back({std::to_string(a15_.first_lost.size()),
                            "the report lists only the first " + std::to_string(a15_.first_lost.size()) +
                                " lost pages; the count is on the \"verify: FAILED\" line"});
    q.explain = [cmd](const AnswerValue&) { return "run " + cmd + " and read the verify line"; };
    p_.questions.push_back(std::move(q));
  }

  void add_a15_why_question() {
    Question q;
    const Choice tlbiall{
        "ARMv7 has no stage-2 TLB invalidation by IPA: every flush KVM makes, including the one each "
        "write-protect fault makes (__kvm_tlb_flush_vmid_ipa), is a TLBIALLIS for the whole VMID, which also "
        "drops the stale writable entries the missing kvm_flush_remote_tlbs() left",
        "that is why a Cortex-A15 hides a missing flush; here the flush is done, and the stale state is a "
        "writable pte whose bit was cleared, which no TLB invalidation changes"};
    const Choice bitmap{
        "the lost writes come from the bitmap, not from the TLBs: a write that faults between the protect and the "
        "late snapshot makes its pte writable and sets a bit the snapshot then clears, so the page stays writable "
        "with no dirty bit on any machine",
        "here the snapshot is taken in the kernel's place; the stale writable entries live in the TLBs, and what "
        "removes them on the A15 is the whole-VMID invalidation every fault's flush makes"};
    const Choice smaller{
        "the Cortex-A15's TLBs are smaller, so the stale writable entries are evicted before the "
        "guest uses them again",
        "the hot pages fit in either machine's TLBs; the difference is what a flush invalidates: "
        "by IPA on the A57, the whole VMID (TLBIALLIS) on the A15"};
    const Choice dbm{"ARMv7 hardware sets a dirty state in the descriptor itself (DBM), so KVM needs no flush there",
                     "ARMv7 has no DBM (ARMv8.1 added it, and KVM/ARM of this era does not use it): dirty pages "
                     "are found only by write-protect faults"};
    const std::string stem = no_flush_ ? "why does the Cortex-A15 lose fewer writes with this switch?"
                                       : "why does the Cortex-A15 lose writes with this switch too?";
    if (no_flush_)
      make_choice(q, stem, tlbiall, {bitmap, smaller, dbm}, rng_);
    else
      make_choice(q, stem, bitmap, {tlbiall, smaller, dbm}, rng_);
    q.steps.push_back("A57 " + std::to_string(sw_.lost_writes) + " lost, A15 " + std::to_string(a15_.lost_writes) +
                      "; the A15's report counts " + std::to_string(a15_.flush_ipa) +
                      " flush-ipa requests, each of them a TLBIALLIS on ARMv7");
    p_.questions.push_back(std::move(q));
  }

  ProblemId id_;
  Rng rng_;
  nlohmann::ordered_json doc_;
  bool no_flush_ = false;
  RunResult sw_, kernel_, a15_;
  Problem p_;
};

}  // namespace

nlohmann::ordered_json order_lab_config(std::uint64_t seed, unsigned attempt) {
  Rng rng(workloads::derive_seed(seed, 4, attempt));
  const bool no_flush = rng.below(2) == 0;
  const unsigned vcpus = 1 + static_cast<unsigned>(rng.below(2));
  const std::uint64_t npages = rng.below(2) ? 16384 : 8192;
  const std::uint64_t base = 0x40000 + rng.below(0x200) * mmu::PMD_PAGES;  // 2 MiB aligned, 1 GiB to 1.5 GiB
  const std::uint64_t pages = 256 + 128 * rng.below(3);
  // Near the top of the slot: its bitmap words come late in each pass over the bitmap.
  const std::uint64_t first = base + npages - pages - 32 * rng.below(8);
  const char* const walkers[] = {"naive", "v4-fixed", "range"};
  const std::string walker = walkers[rng.below(3)];
  const std::uint64_t think = 3000 + 1000 * rng.below(3);
  const double write_ratios[] = {0.8, 0.9, 1.0};
  const double write_ratio = write_ratios[rng.below(3)];

  nlohmann::ordered_json w;
  w["kind"] = rng.below(2) ? "hotset" : "zipf";
  // Enough operations to outlast the migration: round 0 sends the whole slot at
  // page_copy (2,500 cycles a page, the link being faster), the later rounds are short.
  const std::uint64_t cycles = 1'900'000 + npages * 2500 * 3 / 2;
  w["ops"] = cycles / think + 1000;
  w["first_gfn"] = first;
  w["pages"] = pages;
  if (w["kind"] == "hotset") {
    w["hot_fraction"] = rng.below(2) ? 0.0625 : 0.125;
    w["hot_probability"] = rng.below(2) ? 0.9 : 0.95;
  } else {
    const double exponents[] = {1.1, 1.2, 1.3};
    w["exponent"] = exponents[rng.below(3)];
    w["permute"] = true;
  }
  w["write_ratio"] = write_ratio;
  w["think_cycles"] = think;

  nlohmann::ordered_json d;
  d["comment"] = std::string("Lab 4 (order matters), seed ") + std::to_string(seed) +
                 ": get_dirty_log with the teaching switch " + switch_text(no_flush) +
                 ". Run it as is (the verifier reports lost writes, exit 1), then with --set " +
                 kernel_override(no_flush) + " (the kernel's order) and with --set machine=cortex-a15.";
  d["seed"] = workloads::derive_seed(seed, 4, 2000 + attempt) % 1000000;
  d["machine"] = "cortex-a57-ipa-only";
  d["geometry"] = "armv7-lpae";
  d["vcpus"] = vcpus;
  d["memslots"] = nlohmann::ordered_json::array({{{"id", 0}, {"base_gfn", base}, {"npages", npages}}});
  d["workload"] = w;
  d["dirty_log"] = {{"walker", walker},
                    {"bits_per_long", 64},  // BITS_PER_LONG of an arm64 host kernel
                    {"flush_tlbs", !no_flush},
                    {"snapshot", no_flush ? "kernel" : "after_wp"}};
  d["migration"] = {
      {"link_gbps", 40}, {"start_ms", 1}, {"stop_rule", {{"kind", "threshold"}, {"dirty_pages", 0}, {"rounds", 4}}}};
  d["verify"] = {{"enabled", true}};
  return d;
}

Problem make_order_lab(const ProblemId& id) { return OrderLab(id).make(); }

}  // namespace s2sim::sim::lab
